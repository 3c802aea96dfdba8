// Types of graphql-ws-client.js for the TypeScript tests that drive it under Node.

export declare const SUBPROTOCOL: 'graphql-transport-ws';

export interface GraphQLWsRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface GraphQLWsSink {
  next(result: { data?: Record<string, unknown> | null; errors?: unknown[] }): void;
  error?(error: unknown): void;
  complete?(): void;
}

export type GraphQLWsStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface GraphQLWsStatusEvent {
  status: GraphQLWsStatus;
  attempt: number;
  retryInMs?: number;
  reconnected?: boolean;
  closeCode?: number;
  reason?: string;
}

export interface GraphQLWsClientOptions {
  url: string;
  /** A WebSocket constructor (the browser's by default; `ws` under Node). */
  webSocketImpl?: unknown;
  connectionParams?: () => Record<string, unknown> | undefined;
  minRetryMs?: number;
  maxRetryMs?: number;
  ackTimeoutMs?: number;
  keepAliveMs?: number;
  random?: () => number;
  onStatus?: (event: GraphQLWsStatusEvent) => void;
}

export interface GraphQLWsClient {
  subscribe(request: GraphQLWsRequest, sink: GraphQLWsSink): () => void;
  retryNow(): void;
  status(): GraphQLWsStatusEvent;
  dispose(): void;
}

export declare function retryDelay(attempt: number, minMs: number, maxMs: number, jitter: number): number;
export declare function createGraphQLWsClient(options: GraphQLWsClientOptions): GraphQLWsClient;
