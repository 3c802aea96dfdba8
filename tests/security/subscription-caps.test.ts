// Subscriptions are bounded: at most MAX_SUBSCRIPTIONS_PER_SOCKET on one WebSocket and MAX_SUBSCRIPTIONS_PER_USER
// for one user across sockets; over either, RATE_LIMITED naming the cap; a subscription that ends (stopped, or its
// socket closed) gives its slot back. Against the real production server with real graphql-ws clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscriptionCaps } from '../../src/http/subscription-caps.js';
import { recordSubscription, startSecurityStack, type SecurityStack, type SubscriptionRecord } from '../support/security-fixture.js';

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack({ env: { NODE_ENV: 'production', MAX_SUBSCRIPTIONS_PER_SOCKET: '3', MAX_SUBSCRIPTIONS_PER_USER: '5' } });
});

afterAll(async () => {
  await stack?.stop();
});

const PROGRESS = 'subscription { jobUpdated { id status } }';

/** Waits until the server has either refused the subscription or had time to accept it. */
async function settled(sub: SubscriptionRecord<unknown>): Promise<'error' | 'open'> {
  return Promise.race([
    sub.done.then((d) => (d === 'error' ? 'error' : 'open')),
    new Promise<'open'>((r) => setTimeout(() => r('open'), 500)),
  ]);
}

function refusal(sub: SubscriptionRecord<unknown>): { message: string; extensions?: { code?: string; details?: { limit?: string } } } {
  return (sub.errors[0] as { message: string; extensions?: { code?: string; details?: { limit?: string } } }[])[0];
}

describe('subscription caps', () => {
  it('refuses the fourth on one socket and the sixth for one user; stopping one frees its slot', async () => {
    const headers = { authorization: `Bearer ${stack.users.viewerA.token}` };
    const first = stack.wsClient(headers);
    const subs = [0, 1, 2].map(() => recordSubscription(first, PROGRESS));
    for (const s of subs) expect(await settled(s)).toBe('open');
    const fourth = recordSubscription(first, PROGRESS);
    expect(await settled(fourth)).toBe('error');
    expect(refusal(fourth).extensions).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'SUBSCRIPTIONS_PER_SOCKET' } });

    const second = stack.wsClient(headers);
    const more = [0, 1].map(() => recordSubscription(second, PROGRESS));
    for (const s of more) expect(await settled(s)).toBe('open');
    const sixth = recordSubscription(second, PROGRESS);
    expect(await settled(sixth)).toBe('error');
    expect(refusal(sixth).extensions).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'SUBSCRIPTIONS_PER_USER' } });

    // Another user is not affected.
    const other = recordSubscription(stack.wsClient({ authorization: `Bearer ${stack.users.researcherA.token}` }), PROGRESS);
    expect(await settled(other)).toBe('open');

    // One stopped: a slot for this user again.
    subs[0].stop();
    await new Promise((r) => setTimeout(r, 200));
    const again = recordSubscription(second, PROGRESS);
    expect(await settled(again)).toBe('open');
  });
});

describe('createSubscriptionCaps', () => {
  it('gives every slot of a closed socket back, and an ended subscription once', () => {
    const caps = createSubscriptionCaps({ perSocket: 2, perUser: 3 });
    const a = {};
    const b = {};
    expect(caps.admit(a, 'u', '1')).toBeNull();
    expect(caps.admit(a, 'u', '2')).toBeNull();
    expect(caps.admit(a, 'u', '3')?.extensions).toMatchObject({ details: { limit: 'SUBSCRIPTIONS_PER_SOCKET', max: 2 } });
    expect(caps.admit(b, 'u', '1')).toBeNull();
    expect(caps.admit(b, 'u', '2')?.extensions).toMatchObject({ details: { limit: 'SUBSCRIPTIONS_PER_USER', max: 3 } });
    caps.release(a, '1');
    caps.release(a, '1');
    expect(caps.countOf('u')).toBe(2);
    caps.closeSocket(a);
    expect(caps.countOf('u')).toBe(1);
    caps.closeSocket(b);
    expect(caps.countOf('u')).toBe(0);
  });
});
