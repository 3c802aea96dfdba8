// The API process's HTTP side: Apollo Server 5 on express 5, graphql-ws on the same port and path,
// health endpoints, and an orderly shutdown (drain HTTP, close sockets).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type Express, type Request } from 'express';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { RequestContext } from '../api/context.js';
import type { AppServices } from '../api/services.js';
import { errorLogPlugin } from '../api/error-log-plugin.js';
import { errorCodeOf, formatError } from '../api/errors.js';
import { serviceUnavailablePlugin } from '../api/status-plugin.js';
import { jitGateway } from '../api/jit-gateway.js';
import { createLoaders } from '../api/loaders.js';
import type { Viewer } from '../auth/viewer.js';
import { toHttpAuthError } from '../auth/http-auth-error.js';
import { accessLog, noteUser } from './access-log.js';
import { jsonErrorHandler } from './error-handler.js';
import { createSubscriptionCaps } from './subscription-caps.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { requestIdMiddleware, requestIdOf } from './request-id.js';
import { randomUUID } from 'node:crypto';

export interface ApiServerOptions {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly schema: GraphQLSchema;
  readonly services: AppServices;
  readonly readiness: readonly ReadinessCheck[];
  /** Facts /readyz states beside its checks (e.g. where jobs run). */
  readonly readinessDetails?: Readonly<Record<string, string>>;
  /** Who is calling, from an HTTP request (throws UNAUTHENTICATED) ... */
  readonly viewerOf: (req: Request) => Promise<Viewer>;
  /** ... and from a graphql-ws connection_init payload. */
  readonly viewerOfConnection: (params: Readonly<Record<string, unknown>> | undefined) => Promise<Viewer>;
  readonly plugins?: readonly ApolloServerPlugin<RequestContext>[];
  readonly validationRules?: readonly ValidationRule[];
  /** Routes mounted before GraphQL (exports, images, dashboard, admin). */
  readonly mountRoutes?: (app: Express) => void;
  /** Port override (0 = any free port), e.g. for tests. */
  readonly port?: number;
}

export interface RunningApiServer {
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const { config, db, logger, schema, services } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });

  const contextFor = (requestId: string, viewer: Viewer): RequestContext => ({
    config,
    db,
    logger: logger.child({ requestId }),
    requestId,
    viewer,
    loaders: createLoaders(db),
    services,
  });

  const exposeInternals = !config.isProduction;
  const formatAll = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => formatError(e.toJSON(), e, exposeInternals));
  const subscriptionCaps = createSubscriptionCaps({
    perSocket: config.graphql.maxSubscriptionsPerSocket,
    perUser: config.graphql.maxSubscriptionsPerUser,
  });
  const wsCleanup = useServer(
    {
      schema,
      // Queries and mutations belong on HTTP, where the audit log, the mutation rate limit and the complexity check
      // with real variables apply; over the socket they would pass all three by.
      onSubscribe: async (ctx, id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [
            e instanceof GraphQLError
              ? asClientError(e, 'GRAPHQL_PARSE_FAILED', config.isProduction)
              : new GraphQLError('The operation could not be parsed', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
          ];
        }
        const operation = getOperationAST(document, payload.operationName);
        if (operation && operation.operation !== 'subscription') {
          return [
            new GraphQLError(
              `Only subscriptions are served over WebSocket; send ${operation.operation === 'query' ? 'queries' : 'mutations'} over HTTP`,
              {
                extensions: { code: 'BAD_USER_INPUT' },
              },
            ),
          ];
        }
        // Token and memberships are checked again for every subscription, as for every HTTP request: a revoked
        // membership or an expired token does not live on in a connection opened before.
        try {
          (ctx.extra as unknown as { viewer?: Viewer }).viewer = await options.viewerOfConnection(ctx.connectionParams);
        } catch (e) {
          const message = e instanceof Error ? e.message : 'Authentication required';
          return [new GraphQLError(message, { originalError: e instanceof Error ? e : undefined })];
        }
        const viewer = (ctx.extra as unknown as { viewer: Viewer }).viewer;
        const refused = subscriptionCaps.admit(ctx.extra as object, viewer.userId ?? viewer.email ?? 'local', id);
        return refused ? [refused] : undefined;
      },
      // The same error shapes as HTTP: extensions.code from the AppError inside, no internals in production.
      onError: (ctx, id, _payload, errors) => {
        // An error ends the subscription without onComplete: its slot is given back here.
        subscriptionCaps.release(ctx.extra as object, id);
        return formatAll(errors);
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: formatAll(result.errors) } : undefined),
      // The same limits as HTTP: graphql-ws validates each subscribe message with these rules.
      // Validation errors keep their message and get the code HTTP gives them (without one, production would
      // answer "Internal server error"); no "Did you mean" in production, where the schema is not published.
      validate: (schemaToCheck, document) =>
        validate(schemaToCheck, document, [...specifiedRules, ...(options.validationRules ?? [])]).map((e) =>
          asClientError(e, 'GRAPHQL_VALIDATION_FAILED', config.isProduction),
        ),
      // Authenticate once, at connection_init; a refused token closes the socket with 4403 Forbidden.
      onConnect: async (ctx) => {
        try {
          (ctx.extra as unknown as { viewer?: Viewer }).viewer = await options.viewerOfConnection(ctx.connectionParams);
          return true;
        } catch {
          return false;
        }
      },
      onComplete: (ctx, id) => subscriptionCaps.release(ctx.extra as object, id),
      onClose: (ctx) => subscriptionCaps.closeSocket(ctx.extra as object),
      context: (ctx) => contextFor(randomUUID(), (ctx.extra as unknown as { viewer: Viewer }).viewer),
    },
    wsServer,
  );

  const apollo = new ApolloServer<RequestContext>({
    gateway: jitGateway(schema),
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    // No "Did you mean ...?" naming fields in production, where introspection is off.
    hideSchemaDetailsFromClientErrors: config.isProduction,
    includeStacktraceInErrorResponses: exposeInternals,
    formatError: (formatted, error) => formatError(formatted, error, exposeInternals),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No HTTP cache hints are served, and the default plugin wraps every field: measurable CPU on large pages.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(options.plugins ?? []),
      errorLogPlugin<RequestContext>(logger),
      serviceUnavailablePlugin<RequestContext>(),
    ],
    validationRules: [...(options.validationRules ?? [])],
  });
  await apollo.start();

  app.use(requestIdMiddleware);
  app.use(accessLog(logger));
  app.use(healthRoutes(options.readiness, options.readinessDetails));
  options.mountRoutes?.(app);
  // Its own sub-app so its settings stay local: no ETag, since GraphQL answers to POSTs are never revalidated and
  // hashing a large page costs CPU on every request.
  const graphqlApp = express();
  graphqlApp.disable('x-powered-by');
  graphqlApp.set('etag', false);
  app.use('/graphql', graphqlApp);
  graphqlApp.use(
    express.json({ limit: config.http.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        try {
          const viewer = await options.viewerOf(req);
          noteUser(res, viewer.userId);
          return contextFor(requestIdOf(res), viewer);
        } catch (e) {
          const answered = toHttpAuthError(e);
          const code = errorCodeOf(answered);
          if (code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL_SERVER_ERROR')
            logger.warn({ requestId: requestIdOf(res), code, err: e }, 'authentication could not be completed');
          throw answered;
        }
      },
    }),
  );

  app.use(jsonErrorHandler(logger));

  const port = options.port ?? config.http.port;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, config.http.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/graphql`;
  logger.info({ url }, 'API listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    httpServer,
    close() {
      closing ??= (async () => {
        await apollo.stop();
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** A validation or syntax error as a client sees it: its own message and a code; no schema hints in production. */
function asClientError(error: GraphQLError, code: string, production: boolean): GraphQLError {
  if (typeof error.extensions.code === 'string' && !production) return error;
  const message = production ? error.message.replace(/\s*Did you mean .*\?$/, '') : error.message;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: typeof error.extensions.code === 'string' ? error.extensions.code : code },
  });
}
