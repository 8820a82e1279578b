/**
 * The browser-mode host: one loopback HTTP server that serves the built
 * renderer and carries the contract over a WebSocket at /ws. Whoever holds the
 * per-run token gets a shell, so every request and upgrade is checked for our
 * own Host, the token, and (on upgrades) a same-origin page before anything else.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Core } from '../core';
import type { Logger } from '../log';
import { bridgeSocket } from './socket-bridge';
import { sendText, serveStatic } from './static-files';
import { authorize, cookieName, isAllowedHost, isAllowedOrigin, TOKEN_PATTERN } from './web-auth';

const LOOPBACK = '127.0.0.1';
const SOCKET_PATH = '/ws';
/** Large enough for any snapshot or paste the contract allows, small enough to bound memory. */
const MAX_PAYLOAD = 8 * 1024 * 1024;
/** How long a socket gets to finish its closing handshake when the host stops. */
const CLOSE_GRACE_MS = 1000;

export type WebHostOptions = {
  core: Pick<Core, 'connect'>;
  /** The built renderer: index.html plus assets/. */
  staticDir: string;
  /** 0 or undefined picks a random free port. */
  port?: number;
  /** Defaults to 32 random bytes, base64url. */
  token?: string;
  log: Logger;
};

export type WebHost = {
  /** The address to open: http://127.0.0.1:PORT/?token=... */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Close every socket and stop listening. */
  close(): Promise<void>;
};

const UNAUTHORIZED =
  'Unauthorized. Open the address printed by `npm run serve` (it carries the access token).\n';

/** Serve the renderer and the contract on 127.0.0.1 until closed. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!TOKEN_PATTERN.test(token)) {
    throw new Error('web host: the token must be 16 to 512 characters of [A-Za-z0-9_-]');
  }
  const { core, staticDir, log } = options;
  const server = createServer();
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
  });
  const sockets = new Set<WebSocket>();
  const securityHeaders = headersFor(port);

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    const { pathname, query } = splitUrl(req.url);
    if (!isAllowedHost(req.headers.host, port)) {
      log.warn('web: refused a request for a foreign Host', { host: req.headers.host });
      return sendText(res, 403, 'Forbidden: this host only answers to 127.0.0.1 and localhost.\n');
    }
    const source = authorize(req.headers, query, token, port);
    if (source === undefined) return sendText(res, 401, UNAUTHORIZED);
    if (source === 'query' && (req.method === 'GET' || req.method === 'HEAD')) {
      // Trade the token in the address bar for a cookie, so it is not left in history or on screen.
      query.delete('token');
      const rest = query.toString();
      res.writeHead(302, {
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        // Collapsing leading slashes keeps `//evil.example/` from becoming an off-site redirect.
        Location: `/${pathname.replace(/^[/\\]+/, '')}${rest ? `?${rest}` : ''}`,
        'Cache-Control': 'no-store',
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    await serveStatic(req, res, staticDir, pathname);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error('web: request failed', error);
      if (!res.headersSent) sendText(res, 500, 'Internal error.\n');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug('web: upgrade socket error', error));
    const { pathname, query } = splitUrl(req.url);
    const origin = req.headers.origin;
    if (pathname !== SOCKET_PATH) return refuse(socket, 404, 'Not Found');
    if (!isAllowedHost(req.headers.host, port)) {
      log.warn('web: refused a WebSocket for a foreign Host', { host: req.headers.host });
      return refuse(socket, 403, 'Forbidden');
    }
    if (origin !== undefined && !isAllowedOrigin(origin, port)) {
      log.warn('web: refused a WebSocket from a foreign page', { origin });
      return refuse(socket, 403, 'Forbidden');
    }
    if (authorize(req.headers, query, token, port) === undefined) {
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      bridgeSocket(ws, core, log);
    });
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        await Promise.all([...sockets].map((ws) => closeSocket(ws)));
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections would otherwise hold close() open until they time out.
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Headers on every HTTP answer; the CSP lets the page talk only to this host's socket. */
function headersFor(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${LOOPBACK}:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Split a raw request target without normalising it; static-files does its own checks. */
function splitUrl(raw: string | undefined): { pathname: string; query: URLSearchParams } {
  const target = raw ?? '/';
  const mark = target.indexOf('?');
  if (mark < 0) return { pathname: target, query: new URLSearchParams() };
  return { pathname: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/** Answer a refused upgrade and hang up once the answer is flushed. */
function refuse(socket: Duplex, status: number, reason: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Close politely, but never let a silent peer hold the host open. */
function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'Tether is shutting down');
  });
}
