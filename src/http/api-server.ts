// The API process's HTTP side: Apollo Server 5 on express 5, graphql-ws on the same port and path,
// health endpoints, and an orderly shutdown (drain HTTP, close sockets).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { RequestContext } from '../api/context.js';
import type { AppServices } from '../api/services.js';
import { formatError } from '../api/errors.js';
import { createLoaders } from '../api/loaders.js';
import { LOCAL_ADMIN } from '../api/viewer.js';
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

  const contextFor = (requestId: string): RequestContext => ({
    config,
    db,
    logger: logger.child({ requestId }),
    requestId,
    viewer: LOCAL_ADMIN,
    loaders: createLoaders(db),
    services,
  });

  const wsCleanup = useServer({ schema, context: () => contextFor(randomUUID()) }, wsServer);

  const exposeInternals = !config.isProduction;
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: exposeInternals,
    formatError: (formatted, error) => formatError(formatted, error, exposeInternals),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
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
    ],
  });
  await apollo.start();

  app.use(requestIdMiddleware);
  app.use(healthRoutes(options.readiness));
  options.mountRoutes?.(app);
  app.use(
    '/graphql',
    express.json({ limit: config.http.bodyLimit }),
    expressMiddleware(apollo, { context: async ({ res }) => contextFor(requestIdOf(res)) }),
  );

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
