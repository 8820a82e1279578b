/**
 * Who may talk to the browser-mode host. A request must name our own loopback
 * address in Host (a DNS-rebinding page reaches us under its own name) and
 * carry the per-run token as `?token=`, our cookie, or a bearer header. Shared
 * by the HTTP handler and the WebSocket upgrade so the two cannot disagree.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Tokens go into URLs and cookies unescaped, so they are limited to base64url-safe characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,512}$/;

/** Where a valid token was found; a query token means the address bar still shows it. */
export type TokenSource = 'query' | 'cookie' | 'bearer';

/** The cookie holding the token. Cookies are not port-scoped, so the port is in the name. */
export const cookieName = (port: number): string => `tether_token_${port}`;

/** Compare without leaking, through timing, how much of the token was right. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual demands equal lengths; a random token's length is no secret.
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** Every value of cookie `name` in a Cookie header (a browser may send duplicates). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    values.push(part.slice(eq + 1).trim());
  }
  return values;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/** Which credential, if any, carries the right token. The query wins so its page can be redirected. */
export function authorize(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  token: string,
  port: number,
): TokenSource | undefined {
  const fromQuery = query.get('token');
  if (fromQuery !== null && tokensEqual(fromQuery, token)) return 'query';
  const cookies = cookieValues(headers.cookie, cookieName(port));
  if (cookies.some((value) => tokensEqual(value, token))) return 'cookie';
  const bearer = bearerToken(headers.authorization);
  if (bearer !== undefined && tokensEqual(bearer, token)) return 'bearer';
  return undefined;
}

/** Host must be our own address: a rebinding attack sends its own name here. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  const value = host?.toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}

/** Browsers always send Origin on WebSocket handshakes; a foreign page's is refused. */
export function isAllowedOrigin(origin: string, port: number): boolean {
  const value = origin.toLowerCase();
  return value === `http://127.0.0.1:${port}` || value === `http://localhost:${port}`;
}
