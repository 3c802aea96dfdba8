// The dashboard's hand-written graphql-ws client against a real graphql-ws server: subscribe, complete, drops with
// reconnect and re-subscribe, backoff while the server is away, and no retry after a fatal close.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  createGraphQLWsClient,
  retryDelay,
  type GraphQLWsClient,
  type GraphQLWsStatusEvent,
} from '../../../public/js/graphql-ws-client.js';

/** Numbers published to every open `ticks` subscription; counts the live server-side subscriptions. */
class TickHub {
  private readonly queues = new Set<{ push(n: number): void }>();
  get active(): number {
    return this.queues.size;
  }
  publish(n: number): void {
    for (const q of this.queues) q.push(n);
  }
  /** A hand-rolled iterator: an async generator parked on an await would not run its cleanup on return(). */
  stream(): AsyncIterableIterator<number> {
    const buffer: number[] = [];
    const waiting: ((r: IteratorResult<number>) => void)[] = [];
    const queue = {
      push: (n: number) => {
        const w = waiting.shift();
        if (w) w({ value: n, done: false });
        else buffer.push(n);
      },
    };
    this.queues.add(queue);
    const iterator: AsyncIterableIterator<number> = {
      next: () =>
        buffer.length ? Promise.resolve({ value: buffer.shift() as number, done: false }) : new Promise((resolve) => waiting.push(resolve)),
      return: () => {
        this.queues.delete(queue);
        for (const w of waiting.splice(0)) w({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

function tickSchema(hub: TickHub): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: { type: new GraphQLNonNull(GraphQLInt), subscribe: () => hub.stream(), resolve: (n: number) => n },
      },
    }),
  });
}

interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly hub: TickHub;
  readonly inits: Record<string, unknown>[];
  dropAll(): void;
  close(): Promise<void>;
}

async function startServer(port = 0, options: { reject?: boolean } = {}): Promise<TestServer> {
  const hub = new TickHub();
  const inits: Record<string, unknown>[] = [];
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const cleanup = useServer(
    {
      schema: tickSchema(hub),
      onConnect: (ctx) => {
        inits.push((ctx.connectionParams ?? {}) as Record<string, unknown>);
        return !options.reject;
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actual}/graphql`,
    port: actual,
    hub,
    inits,
    dropAll: () => wss.clients.forEach((c) => c.terminate()),
    async close() {
      wss.clients.forEach((c) => c.terminate());
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(
  url: string,
  statuses: GraphQLWsStatusEvent[],
  extra: Partial<Parameters<typeof createGraphQLWsClient>[0]> = {},
): GraphQLWsClient {
  const c = createGraphQLWsClient({
    url,
    webSocketImpl: WebSocket,
    minRetryMs: 40,
    maxRetryMs: 400,
    random: () => 0,
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  cleanups.push(() => c.dispose());
  return c;
}

describe('retryDelay', () => {
  it('doubles from the minimum up to the maximum, scaled into [50 %, 100 %] by jitter', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => retryDelay(a, 500, 8000, 1 - 1e-9))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect([0, 1, 2].map((a) => retryDelay(a, 500, 8000, 0))).toEqual([250, 500, 1000]);
  });
});

describe('graphql-ws client', () => {
  it('sends connection_init with its params, delivers next events, and completes on unsubscribe', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const statuses: GraphQLWsStatusEvent[] = [];
    const c = client(server.url, statuses, { connectionParams: () => ({ authorization: 'Bearer t' }) });
    const seen: number[] = [];
    const stop = c.subscribe({ query: 'subscription { ticks }' }, { next: (r) => seen.push((r.data as { ticks: number }).ticks) });
    await until(() => server.hub.active === 1);
    expect(server.inits).toEqual([{ authorization: 'Bearer t' }]);
    server.hub.publish(1);
    server.hub.publish(2);
    await until(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
    stop();
    await until(() => server.hub.active === 0);
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'idle']);
  });

  it('reconnects after a dropped connection and re-subscribes every active operation', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const statuses: GraphQLWsStatusEvent[] = [];
    const c = client(server.url, statuses);
    const a: number[] = [];
    const b: number[] = [];
    c.subscribe({ query: 'subscription { ticks }' }, { next: (r) => a.push((r.data as { ticks: number }).ticks) });
    c.subscribe({ query: 'subscription { ticks }' }, { next: (r) => b.push((r.data as { ticks: number }).ticks) });
    await until(() => server.hub.active === 2);
    server.hub.publish(1);
    await until(() => a.length === 1 && b.length === 1);
    server.dropAll();
    await until(() => statuses.some((s) => s.status === 'connected' && s.reconnected === true));
    await until(() => server.hub.active === 2);
    server.hub.publish(2);
    await until(() => a.length === 2 && b.length === 2);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
    const reconnecting = statuses.find((s) => s.status === 'reconnecting');
    expect(reconnecting).toMatchObject({ attempt: 1, retryInMs: 20 });
    expect(server.inits.length).toBe(2);
  });

  it('backs off while the server is away and recovers when it returns on the same port', async () => {
    const first = await startServer();
    const statuses: GraphQLWsStatusEvent[] = [];
    const c = client(first.url, statuses);
    const seen: number[] = [];
    c.subscribe({ query: 'subscription { ticks }' }, { next: (r) => seen.push((r.data as { ticks: number }).ticks) });
    await until(() => first.hub.active === 1);
    await first.close();
    // 20, 40, 80, 160 ms with min 40 and jitter 0: wait for the fourth attempt to be scheduled.
    await until(() => statuses.filter((s) => s.status === 'reconnecting').length >= 4);
    const delays = statuses.filter((s) => s.status === 'reconnecting').map((s) => s.retryInMs);
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 160]);
    const second = await startServer(first.port);
    cleanups.push(() => second.close());
    await until(() => second.hub.active === 1, 5000);
    second.hub.publish(7);
    await until(() => seen.length === 1);
    expect(seen).toEqual([7]);
    expect(statuses.at(-1)).toMatchObject({ status: 'connected', attempt: 0, reconnected: true });
  });

  it('gives up with an error to the subscriber when the server refuses the connection (4403)', async () => {
    const server = await startServer(0, { reject: true });
    cleanups.push(() => server.close());
    const statuses: GraphQLWsStatusEvent[] = [];
    const c = client(server.url, statuses);
    const errors: unknown[] = [];
    c.subscribe({ query: 'subscription { ticks }' }, { next: () => undefined, error: (e) => errors.push(e) });
    await until(() => errors.length === 1);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', closeCode: 4403 });
    await new Promise((r) => setTimeout(r, 150));
    expect(server.inits.length).toBe(1);
  });

  it('passes GraphQL errors of one operation to its sink and keeps the others', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const c = client(server.url, []);
    const errors: unknown[] = [];
    const ok: number[] = [];
    c.subscribe({ query: 'subscription { ticks }' }, { next: (r) => ok.push((r.data as { ticks: number }).ticks) });
    c.subscribe({ query: 'subscription { nope }' }, { next: () => undefined, error: (e) => errors.push(e) });
    await until(() => errors.length === 1 && server.hub.active === 1);
    expect(JSON.stringify(errors[0])).toMatch(/nope/);
    server.hub.publish(3);
    await until(() => ok.length === 1);
  });
});
