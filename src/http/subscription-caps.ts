// Subscriptions are bounded: at most `perSocket` live on one WebSocket and `perUser` for one user across all their
// sockets (in this API process; N replicas allow N times as many). Each costs memory and a share of every job
// event's fan-out, so one token must not be able to hold thousands. Over a cap, the new subscription is refused
// with RATE_LIMITED (details.limit names the cap); those already running go on.
import { GraphQLError } from 'graphql';
import { AppError } from '../domain/errors.js';

export interface SubscriptionCapOptions {
  readonly perSocket: number;
  readonly perUser: number;
}

export interface SubscriptionCaps {
  /** Counts subscription `id` of `socket` for `user`; a refusal (GraphQLError) when a cap is reached. */
  admit(socket: object, user: string, id: string): GraphQLError | null;
  /** The subscription ended (completed, stopped by the client, or failed). */
  release(socket: object, id: string): void;
  /** The socket closed: everything it held ends. */
  closeSocket(socket: object): void;
  /** Live subscriptions of `user` (for tests and metrics). */
  countOf(user: string): number;
}

export function createSubscriptionCaps(options: SubscriptionCapOptions): SubscriptionCaps {
  const bySocket = new WeakMap<object, { user: string; ids: Set<string> }>();
  const byUser = new Map<string, number>();
  const refuse = (limit: 'SUBSCRIPTIONS_PER_SOCKET' | 'SUBSCRIPTIONS_PER_USER', max: number): GraphQLError => {
    const where = limit === 'SUBSCRIPTIONS_PER_SOCKET' ? 'on one connection' : 'for one user';
    const message = `Too many subscriptions: at most ${max} ${where}; stop one before starting another`;
    const details = { limit, max };
    // The AppError inside is what the error formatter reads: code and details reach the client in production too.
    return new GraphQLError(message, {
      originalError: new AppError('RATE_LIMITED', message, { details }),
      extensions: { code: 'RATE_LIMITED', details },
    });
  };
  const drop = (user: string, n: number): void => {
    const left = (byUser.get(user) ?? 0) - n;
    if (left > 0) byUser.set(user, left);
    else byUser.delete(user);
  };
  return {
    admit(socket, user, id) {
      const held = bySocket.get(socket) ?? { user, ids: new Set<string>() };
      if (held.ids.has(id)) return null;
      if (held.ids.size >= options.perSocket) return refuse('SUBSCRIPTIONS_PER_SOCKET', options.perSocket);
      if ((byUser.get(user) ?? 0) >= options.perUser) return refuse('SUBSCRIPTIONS_PER_USER', options.perUser);
      held.ids.add(id);
      bySocket.set(socket, held);
      byUser.set(user, (byUser.get(user) ?? 0) + 1);
      return null;
    },
    release(socket, id) {
      const held = bySocket.get(socket);
      if (held?.ids.delete(id)) drop(held.user, 1);
    },
    closeSocket(socket) {
      const held = bySocket.get(socket);
      if (!held) return;
      drop(held.user, held.ids.size);
      held.ids.clear();
      bySocket.delete(socket);
    },
    countOf: (user) => byUser.get(user) ?? 0,
  };
}
