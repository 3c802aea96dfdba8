// The GraphQL pub/sub. With Redis, events travel over Redis channels: a worker publishes each event once and
// every API process delivers it to its own subscribers, so each subscriber sees it exactly once. Without Redis
// (the embedded demo) it is in-memory.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import { TOPICS, type JobEventSink, type TopicMap } from '../services/job-events.js';

export { TOPICS, type TopicMap };

export type AppPubSub = PubSub<TopicMap>;

/** The job-event port implemented by the GraphQL pub/sub: progress per job id, status changes to both topics. */
export function pubSubJobEvents(pubSub: AppPubSub): JobEventSink {
  return {
    progress(message) {
      pubSub.publish(TOPICS.JOB_PROGRESS, message.jobId, message);
    },
    statusChanged(message) {
      // jobProgress subscribers need the progress fields only; jobUpdated ones the whole row.
      const { job: _job, ...progress } = message;
      pubSub.publish(TOPICS.JOB_PROGRESS, message.jobId, progress);
      pubSub.publish(TOPICS.JOB_UPDATED, message);
    },
  };
}

export function createAppPubSub(redis?: { publish: Redis; subscribe: Redis; prefix: string }): AppPubSub {
  if (!redis) return createPubSub<TopicMap>();
  // The event target does not await its publishes: a publish while Redis is down would be an unhandled rejection
  // and take the process with it. Losing a progress event during an outage is acceptable (the Job row has it).
  const publishClient = {
    publish: (channel: string, message: string) => redis.publish.publish(channel, message).catch(() => 0),
  } as unknown as Redis;
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient: redis.subscribe });
  // Channel names carry the deployment prefix so test runs and deployments sharing a Redis stay apart.
  const prefixed = prefixEventTarget(eventTarget, `${redis.prefix}:events:`);
  return createPubSub<TopicMap>({ eventTarget: prefixed as never });
}

function prefixEventTarget(target: EventTarget, prefix: string): EventTarget {
  const map = (type: string): string => (type.startsWith(prefix) ? type : prefix + type);
  return {
    addEventListener: (type, listener, options) => target.addEventListener(map(type), listener, options),
    removeEventListener: (type, listener, options) => target.removeEventListener(map(type), listener, options),
    dispatchEvent: (event) => {
      const e = event as CustomEvent;
      return target.dispatchEvent(new CustomEvent(map(e.type), { detail: e.detail }) as Event);
    },
  };
}
