/**
 * Serves the built renderer (index.html plus assets/) from one directory.
 * Every path is resolved and checked to stay inside that directory, symlinks
 * included, because the same process holds the user's shells and database.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const INDEX = 'index.html';

/** Write a short plain-text answer; errors and refusals are never cached. */
export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Answer a GET or HEAD for `pathname` (raw, still percent-encoded) from `root`. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'Method not allowed.\n');
  }
  if (!(await isFile(join(root, INDEX)))) {
    return sendText(
      res,
      503,
      'The Tether renderer is not built. Run `npm run build`, then `npm run serve` again.\n',
    );
  }
  const file = await resolveInside(root, pathname);
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || !info?.isFile()) return sendText(res, 404, 'Not found.\n');

  const extension = extname(file).toLowerCase();
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'Content-Length': info.size,
  };
  // Pages name the current asset hashes; a cached index.html would load a stale build.
  if (extension === '.html') headers['Cache-Control'] = 'no-store';
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // A client that hangs up mid-file is not an error worth more than closing the stream.
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ?? false;
}

/**
 * The real path of the file `pathname` names inside `root`, or undefined if
 * it is malformed, hidden (any dot segment, which also rules out `..`), or
 * leads outside `root` lexically or through a symlink.
 */
export async function resolveInside(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' ? INDEX : decoded.replace(/^[/\\]+/, '');
  if (relative.split(/[/\\]/).some((segment) => segment.startsWith('.'))) return undefined;

  const realRoot = await realpath(root).catch(() => undefined);
  if (realRoot === undefined) return undefined;
  const candidate = resolve(realRoot, relative);
  if (!isInside(realRoot, candidate)) return undefined;
  const real = await realpath(candidate).catch(() => undefined);
  if (real === undefined || !isInside(realRoot, real)) return undefined;
  return real;
}

function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}
