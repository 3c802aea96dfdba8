// HTTP status of an answer whose errors say the service is down for now: 503 with Retry-After, so clients and load
// balancers retry instead of reporting a server bug (a database outage raised in a resolver is otherwise a 200 with
// an error, or Apollo's 500).
import { type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { errorCodeOf } from './errors.js';

export function serviceUnavailablePlugin<TContext extends BaseContext>(retryAfterSeconds = 5): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          if (!errors?.some((e) => errorCodeOf(e) === 'SERVICE_UNAVAILABLE')) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfterSeconds));
        },
      };
    },
  };
}
