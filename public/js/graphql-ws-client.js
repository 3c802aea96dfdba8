// A small client for the graphql-ws protocol (subprotocol "graphql-transport-ws"), written for the dashboard so the
// page needs no npm package or CDN. It keeps every active subscription across dropped connections: after a drop it
// reconnects with exponential backoff and jitter, re-sends connection_init, and re-subscribes each operation.
// @ts-check

export const SUBPROTOCOL = 'graphql-transport-ws';

/** Close codes after which retrying cannot help (bad request, unauthorised, forbidden, duplicate init). */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4429]);

/**
 * @typedef {{ query: string, variables?: Record<string, unknown>, operationName?: string }} Request
 * @typedef {{ next: (result: { data?: any, errors?: any[] }) => void, error?: (error: unknown) => void, complete?: () => void }} Sink
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'} Status
 * @typedef {{ status: Status, attempt: number, retryInMs?: number, reconnected?: boolean, closeCode?: number, reason?: string }} StatusEvent
 * @typedef {{
 *   url: string,
 *   webSocketImpl?: any,
 *   connectionParams?: () => (Record<string, unknown> | undefined),
 *   minRetryMs?: number,
 *   maxRetryMs?: number,
 *   ackTimeoutMs?: number,
 *   keepAliveMs?: number,
 *   random?: () => number,
 *   onStatus?: (event: StatusEvent) => void,
 * }} ClientOptions
 */

/**
 * Backoff before reconnect attempt `attempt` (0-based): min * 2^attempt capped at max, then scaled into
 * [50 %, 100 %] by jitter so that many dashboards dropped together do not return together.
 * @param {number} attempt @param {number} minMs @param {number} maxMs @param {number} jitter a number in [0, 1)
 */
export function retryDelay(attempt, minMs, maxMs, jitter) {
  const base = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(base * (0.5 + jitter / 2));
}

/** @param {ClientOptions} options */
export function createGraphQLWsClient(options) {
  const WebSocketImpl = options.webSocketImpl ?? globalThis.WebSocket;
  const minRetryMs = options.minRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const keepAliveMs = options.keepAliveMs ?? 20_000;
  const random = options.random ?? Math.random;

  /** @type {Map<string, { request: Request, sink: Sink, sent: boolean }>} */
  const operations = new Map();
  /** @type {any} */
  let socket = null;
  let acknowledged = false;
  let everConnected = false;
  let attempt = 0;
  let nextId = 1;
  let disposed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */ let retryTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */ let ackTimer;
  /** @type {ReturnType<typeof setInterval> | undefined} */ let pingTimer;
  let awaitingPong = false;
  /** @type {StatusEvent} */
  let current = { status: 'idle', attempt: 0 };

  /** @param {StatusEvent} event */
  function setStatus(event) {
    current = event;
    options.onStatus?.(event);
  }

  /** @param {Record<string, unknown>} message */
  function send(message) {
    if (socket && socket.readyState === WebSocketImpl.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (disposed || socket || operations.size === 0) return;
    if (current.status !== 'reconnecting') setStatus({ status: 'connecting', attempt });
    const ws = new WebSocketImpl(options.url, SUBPROTOCOL);
    socket = ws;
    acknowledged = false;
    ws.onopen = () => {
      send({ type: 'connection_init', payload: options.connectionParams?.() ?? {} });
      ackTimer = setTimeout(() => ws.close(4408, 'connection_ack timeout'), ackTimeoutMs);
    };
    ws.onmessage = (/** @type {{ data: unknown }} */ event) => onMessage(String(event.data));
    ws.onerror = () => {
      // Every error is followed by a close event; the reconnect decision is taken there.
    };
    ws.onclose = (/** @type {{ code: number, reason: string }} */ event) => {
      if (socket !== ws) return;
      onClosed(event.code, event.reason);
    };
  }

  /** @param {string} text */
  function onMessage(text) {
    /** @type {any} */
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      socket?.close(4400, 'invalid message');
      return;
    }
    switch (message.type) {
      case 'connection_ack': {
        clearTimeout(ackTimer);
        acknowledged = true;
        const reconnected = everConnected;
        everConnected = true;
        attempt = 0;
        for (const [id, op] of operations) {
          op.sent = true;
          send({ id, type: 'subscribe', payload: op.request });
        }
        startKeepAlive();
        setStatus({ status: 'connected', attempt: 0, reconnected });
        break;
      }
      case 'next':
        operations.get(message.id)?.sink.next(message.payload);
        break;
      case 'error': {
        const op = operations.get(message.id);
        operations.delete(message.id);
        op?.sink.error?.(message.payload);
        closeWhenIdle();
        break;
      }
      case 'complete': {
        const op = operations.get(message.id);
        operations.delete(message.id);
        op?.sink.complete?.();
        closeWhenIdle();
        break;
      }
      case 'ping':
        send({ type: 'pong' });
        break;
      case 'pong':
        awaitingPong = false;
        break;
      default:
        break;
    }
  }

  function startKeepAlive() {
    clearInterval(pingTimer);
    awaitingPong = false;
    if (keepAliveMs <= 0) return;
    // A connection can die silently (a laptop sleeps, a proxy drops it): no pong within a period means drop it.
    pingTimer = setInterval(() => {
      if (awaitingPong) {
        socket?.close(4499, 'keep-alive timeout');
        return;
      }
      awaitingPong = true;
      send({ type: 'ping' });
    }, keepAliveMs);
  }

  /** @param {number} code @param {string} reason */
  function onClosed(code, reason) {
    clearTimeout(ackTimer);
    clearInterval(pingTimer);
    socket = null;
    acknowledged = false;
    for (const op of operations.values()) op.sent = false;
    if (disposed || operations.size === 0) {
      setStatus({ status: disposed ? 'closed' : 'idle', attempt: 0, closeCode: code });
      return;
    }
    if (FATAL_CLOSE_CODES.has(code)) {
      setStatus({ status: 'closed', attempt, closeCode: code, reason });
      const failed = [...operations.values()];
      operations.clear();
      for (const op of failed) op.sink.error?.(new Error(`connection closed: ${code} ${reason}`));
      return;
    }
    const delay = retryDelay(attempt, minRetryMs, maxRetryMs, random());
    attempt += 1;
    setStatus({ status: 'reconnecting', attempt, retryInMs: delay, closeCode: code, reason });
    retryTimer = setTimeout(connect, delay);
  }

  function closeWhenIdle() {
    if (operations.size === 0 && socket) release(1000, 'no subscriptions');
  }

  /** Closes the socket on purpose: detached first, so its close event does not count as a drop. */
  /** @param {number} code @param {string} reason */
  function release(code, reason) {
    const ws = socket;
    socket = null;
    acknowledged = false;
    clearTimeout(ackTimer);
    clearInterval(pingTimer);
    ws?.close(code, reason);
    setStatus({ status: disposed ? 'closed' : 'idle', attempt: 0 });
  }

  return {
    /**
     * Starts an operation; it survives reconnects until it completes, errors, or the returned function is called.
     * @param {Request} request @param {Sink} sink @returns {() => void}
     */
    subscribe(request, sink) {
      if (disposed) throw new Error('client disposed');
      const id = String(nextId++);
      const op = { request, sink, sent: false };
      operations.set(id, op);
      if (socket && acknowledged) {
        op.sent = true;
        send({ id, type: 'subscribe', payload: request });
      } else if (!socket && !retryTimer) {
        connect();
      }
      return () => {
        if (!operations.delete(id)) return;
        if (op.sent) send({ id, type: 'complete' });
        closeWhenIdle();
      };
    },
    /** Skips the remaining backoff (e.g. when the browser comes back online). */
    retryNow() {
      if (retryTimer) connect();
    },
    /** @returns {StatusEvent} */
    status() {
      return current;
    },
    dispose() {
      disposed = true;
      clearTimeout(retryTimer);
      operations.clear();
      release(1000, 'disposed');
    },
  };
}
