import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Result } from '../../preload/contract';
import { decode, encode } from '../../preload/wire';
import type { CoreClient, EventSink } from '../core';
import type { Logger } from '../log';
import { startWebHost, type WebHost } from './web-host';

const TOKEN = 'test-token-0123456789abcdefABCDEF';
const INDEX_HTML = '<!doctype html><title>Tether</title>';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

type FakeClient = CoreClient & { sink: EventSink; disposed: boolean };

function fakeCore() {
  const clients: FakeClient[] = [];
  return {
    clients,
    connect(sink: EventSink): CoreClient {
      const client: FakeClient = {
        id: `client-${clients.length}`,
        sink,
        disposed: false,
        call: async (name, payload): Promise<Result<unknown>> =>
          name === 'fail'
            ? { ok: false, error: { code: 'not_found', message: 'no such thing' } }
            : { ok: true, value: { name, payload } },
        dispose() {
          client.disposed = true;
        },
      };
      clients.push(client);
      return client;
    },
  };
}

let root: string;
let staticDir: string;
let core: ReturnType<typeof fakeCore>;
let host: WebHost;
let base: string;
const opened: WebSocket[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'tether-web-'));
  staticDir = join(root, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'secret'), 'TOP SECRET');
  writeFileSync(join(root, 'package.json'), '{"secret":true}');
  core = fakeCore();
  host = await startWebHost({ core, staticDir, token: TOKEN, log: quiet });
  base = `http://127.0.0.1:${host.port}`;
});

afterEach(async () => {
  for (const ws of opened.splice(0)) if (ws.readyState === WebSocket.OPEN) ws.terminate();
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

const cookie = () => `tether_token_${host.port}=${TOKEN}`;

/** A raw HTTP GET: fetch normalises `..` and `%2e%2e` away, so traversal needs this. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Open a socket; resolves once open, or with the refusing HTTP status. */
function connect(
  query = '',
  headers: Record<string, string> = {},
  path = '/ws',
): Promise<{ ws: WebSocket } | { status: number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}${query}`, { headers });
  opened.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('error', (error) => {
      const refused = /Unexpected server response: (\d+)/.exec(error.message);
      if (refused) resolve({ status: Number(refused[1]) });
      else reject(error);
    });
  });
}

async function connected(query = '', headers: Record<string, string> = {}): Promise<Inbox> {
  const result = await connect(query, headers);
  if (!('ws' in result)) throw new Error(`socket refused with ${result.status}`);
  return new Inbox(result.ws);
}

/** Decoded messages of one socket, awaited in arrival order. */
class Inbox {
  private readonly queue: unknown[] = [];
  private readonly waiters: ((message: unknown) => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const message = decode(isBinary ? new Uint8Array(data) : data.toString('utf8'));
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
  }
  next(): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  send(frame: string | Uint8Array): void {
    this.ws.send(frame);
  }
}

describe('startWebHost', () => {
  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${TOKEN}`);
    expect(host.port).toBeGreaterThan(0);
    expect(host.token).toBe(TOKEN);
  });

  it('mints a fresh url-safe token when none is given', async () => {
    const other = await startWebHost({ core, staticDir, log: quiet });
    try {
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(other.token).not.toBe(TOKEN);
    } finally {
      await other.close();
    }
  });

  it('rejects a token that could not travel in a URL or cookie', async () => {
    await expect(startWebHost({ core, staticDir, token: 'a b;c', log: quiet })).rejects.toThrow(
      /token/,
    );
  });
});

describe('HTTP auth', () => {
  it('answers 401 without a token and serves nothing', async () => {
    const res = await fetch(`${base}/`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(body).toContain('npm run serve');
    expect(body).not.toContain('Tether</title>');
  });

  it('answers 401 for a wrong token in every position', async () => {
    const wrong = TOKEN.replace('0', '1');
    const viaQuery = await fetch(`${base}/?token=${wrong}`, { redirect: 'manual' });
    const viaCookie = await fetch(`${base}/`, {
      headers: { cookie: `tether_token_${host.port}=${wrong}` },
    });
    const viaBearer = await fetch(`${base}/`, { headers: { authorization: `Bearer ${wrong}` } });
    const shorter = await fetch(`${base}/?token=${TOKEN.slice(1)}`, { redirect: 'manual' });
    expect([viaQuery.status, viaCookie.status, viaBearer.status, shorter.status]).toEqual([
      401, 401, 401, 401,
    ]);
  });

  it('ignores a valid token in a cookie named for another port', async () => {
    const res = await fetch(`${base}/`, {
      headers: { cookie: `tether_token_${host.port + 1}=${TOKEN}` },
    });
    expect(res.status).toBe(401);
  });

  it('trades ?token= for a cookie and redirects to the same path without it', async () => {
    const res = await fetch(`${base}/assets/app.js?x=1&token=${TOKEN}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/assets/app.js?x=1');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`tether_token_${host.port}=${TOKEN}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');

    const root = await fetch(host.url, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/');
  });

  it('never redirects off-site, however the path starts', async () => {
    const res = await rawGet(`//evil.example/?token=${TOKEN}`, { host: `127.0.0.1:${host.port}` });
    expect(res.status).toBe(302);
    const again = await new Promise<string | undefined>((resolve, reject) => {
      request(
        { host: '127.0.0.1', port: host.port, path: `/\\evil.example/?token=${TOKEN}` },
        (r) => {
          r.resume();
          resolve(r.headers.location);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(again).toBe('/evil.example/');
  });

  it('serves the page with the cookie, and with a bearer token', async () => {
    const withCookie = await fetch(`${base}/`, { headers: { cookie: cookie() } });
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toBe(INDEX_HTML);

    const withBearer = await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withBearer.status).toBe(200);
    expect(await withBearer.text()).toBe(INDEX_HTML);
  });

  it('finds our cookie among others', async () => {
    const res = await fetch(`${base}/`, {
      headers: { cookie: `a=b; tether_token_${host.port}=nope; ${cookie()}; c=d` },
    });
    expect(res.status).toBe(200);
  });

  it('answers 403 to a foreign Host, even with the token', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const foreign = await rawGet('/', { ...auth, host: `evil.example:${host.port}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain('Tether</title>');
    const otherPort = await rawGet('/', { ...auth, host: `127.0.0.1:${host.port + 1}` });
    expect(otherPort.status).toBe(403);
    const localhost = await rawGet('/', { ...auth, host: `localhost:${host.port}` });
    expect(localhost.status).toBe(200);
  });
});

describe('static files', () => {
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { cookie: cookie(), ...(init.headers as Record<string, string>) },
    });

  it('serves index.html at / with the security headers and no caching', async () => {
    const res = await get('/');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(
      `connect-src 'self' ws://127.0.0.1:${host.port} ws://localhost:${host.port}`,
    );
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it('serves assets with their content types', async () => {
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1);');
    const css = await get('/assets/app.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers HEAD with headers only', async () => {
    const res = await get('/assets/app.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('15');
    expect(await res.text()).toBe('');
  });

  it('answers 405 to other methods', async () => {
    const res = await get('/', { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 404 for missing files and directories', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
    expect((await get('/assets/')).status).toBe(404);
  });

  it('never leaks a file outside staticDir', async () => {
    symlinkSync(join(root, 'secret'), join(staticDir, 'assets', 'link.txt'));
    const attempts = [
      '/../package.json',
      '/../secret',
      '/%2e%2e/secret',
      '/%2E%2E/package.json',
      '/assets/../../secret',
      '/assets/%2e%2e/%2e%2e/secret',
      '/..%2fsecret',
      '/%2e%2e%2fsecret',
      '/..%5csecret',
      '/%2e%2e%5c%2e%2e%5csecret',
      `/${encodeURIComponent(join(root, 'secret'))}`,
      '//etc/passwd',
      '/%00/../secret',
      '/assets/link.txt',
      '/%',
    ];
    for (const path of attempts) {
      const res = await rawGet(path, { cookie: cookie() });
      expect(res.body, path).not.toContain('TOP SECRET');
      expect(res.body, path).not.toContain('"secret"');
      expect(res.body, path).not.toContain('root:');
      expect([400, 404], path).toContain(res.status);
    }
  });

  it('answers 503 when the renderer is not built', async () => {
    rmSync(join(staticDir, 'index.html'));
    const res = await get('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('WebSocket', () => {
  it('refuses a socket without a token with 401', async () => {
    expect(await connect()).toEqual({ status: 401 });
    expect(await connect('?token=wrong-token-0123456789')).toEqual({ status: 401 });
    expect(core.clients).toHaveLength(0);
  });

  it('refuses a foreign Origin or Host with 403, even with the token', async () => {
    const auth = { cookie: cookie() };
    expect(await connect('', { ...auth, origin: 'http://evil.example' })).toEqual({ status: 403 });
    expect(await connect('', { ...auth, origin: `http://127.0.0.1:${host.port + 1}` })).toEqual({
      status: 403,
    });
    expect(await connect('', { ...auth, host: `evil.example:${host.port}` })).toEqual({
      status: 403,
    });
    expect(core.clients).toHaveLength(0);
  });

  it('refuses other paths', async () => {
    expect(await connect('', { cookie: cookie() }, '/other')).toEqual({ status: 404 });
    expect(await connect('', { cookie: cookie() }, '/ws/')).toEqual({ status: 404 });
  });

  it('accepts the cookie, ?token= and a bearer token, with our own Origin', async () => {
    const origin = `http://localhost:${host.port}`;
    expect('ws' in (await connect('', { cookie: cookie(), origin }))).toBe(true);
    expect('ws' in (await connect(`?token=${TOKEN}`))).toBe(true);
    expect('ws' in (await connect('', { authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(core.clients).toHaveLength(3);
  });

  it('round-trips a request to the core client and back', async () => {
    const inbox = await connected('', { cookie: cookie() });
    inbox.send(encode({ t: 'req', id: 7, name: 'loadWorkspace', payload: { a: [1, 'two'] } }));
    expect(await inbox.next()).toEqual({
      t: 'res',
      id: 7,
      ok: true,
      value: { name: 'loadWorkspace', payload: { a: [1, 'two'] } },
    });
    inbox.send(JSON.stringify({ t: 'req', id: 8, name: 'fail', payload: {} }));
    expect(await inbox.next()).toEqual({
      t: 'res',
      id: 8,
      ok: false,
      error: { code: 'not_found', message: 'no such thing' },
    });
  });

  it('delivers a binary event intact', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const data = new Uint8Array(70_000);
    for (let index = 0; index < data.length; index++) data[index] = (index * 31) & 0xff;
    core.clients[0]?.sink('zoneOutput', { zone: 'z1', offset: 42, data });
    core.clients[0]?.sink('notice', { level: 'info', message: 'hello' });

    const output = (await inbox.next()) as { t: string; name: string; payload: { data: unknown } };
    expect(output).toMatchObject({
      t: 'evt',
      name: 'zoneOutput',
      payload: { zone: 'z1', offset: 42 },
    });
    expect(output.payload.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(output.payload.data as Uint8Array).equals(Buffer.from(data))).toBe(true);
    expect(await inbox.next()).toEqual({
      t: 'evt',
      name: 'notice',
      payload: { level: 'info', message: 'hello' },
    });
  });

  it('answers malformed frames with invalid_payload and keeps serving', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const invalid = (id: number) => ({
      t: 'res',
      id,
      ok: false,
      error: { code: 'invalid_payload', message: expect.any(String) },
    });
    inbox.send('this is not json');
    expect(await inbox.next()).toEqual(invalid(-1));
    inbox.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    expect(await inbox.next()).toEqual(invalid(-1));
    inbox.send(new Uint8Array([1]));
    expect(await inbox.next()).toEqual(invalid(-1));
    inbox.send(JSON.stringify({ t: 'req' }));
    expect(await inbox.next()).toEqual(invalid(-1));
    inbox.send(JSON.stringify({ t: 'req', id: 'x', name: 'appInfo', payload: {} }));
    expect(await inbox.next()).toEqual(invalid(-1));
    inbox.send(JSON.stringify({ t: 'req', id: 5, name: 42, payload: {} }));
    expect(await inbox.next()).toEqual(invalid(5));
    inbox.send(JSON.stringify({ t: 'res', id: 6, ok: true, value: 1 }));
    expect(await inbox.next()).toEqual(invalid(6));
    inbox.send('null');
    expect(await inbox.next()).toEqual(invalid(-1));

    inbox.send(encode({ t: 'req', id: 9, name: 'appInfo', payload: {} }));
    expect(await inbox.next()).toMatchObject({ t: 'res', id: 9, ok: true });
  });

  it('refuses a message with a prototype key the same way in text and binary frames, and never runs it', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const calls = () => core.clients[0]!.call;
    const called: unknown[] = [];
    const call = calls();
    core.clients[0]!.call = (name, payload) => {
      called.push(name);
      return call(name, payload);
    };
    const request = { t: 'req', id: 11, name: 'appInfo', payload: {} };
    // A binary frame's header, as a hostile page could build it by hand: the request hidden
    // in the header's prototype, with one binary part so it goes through restore().
    const binary = (header: string) => {
      const json = new TextEncoder().encode(header);
      const frame = new Uint8Array(4 + json.byteLength + 1);
      new DataView(frame.buffer).setUint32(0, json.byteLength);
      frame.set(json, 4);
      return frame;
    };
    const hidden = `{"__proto__": ${JSON.stringify(request)}, "blob": {"$bin": 0, "len": 1}}`;
    for (const frame of [
      binary(hidden),
      hidden,
      binary(
        `{"t":"req","id":12,"name":"appInfo","payload":{"constructor":{"prototype":{}}},"b":{"$bin":0,"len":1}}`,
      ),
      JSON.stringify({ t: 'req', id: 13, name: 'appInfo', payload: { nested: { prototype: 1 } } }),
    ]) {
      inbox.send(frame);
      const answer = (await inbox.next()) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      expect(answer).toMatchObject({
        t: 'res',
        id: -1,
        ok: false,
        error: { code: 'invalid_payload' },
      });
      expect(answer.error.message).toMatch(
        /the key "(__proto__|constructor|prototype)" is not allowed/,
      );
    }
    expect(called).toEqual([]);
    // Still serving.
    inbox.send(encode({ t: 'req', id: 14, name: 'appInfo', payload: {} }));
    expect(await inbox.next()).toMatchObject({ t: 'res', id: 14, ok: true });
  });

  it('drops a page that stops reading once 64 MiB wait unsent, instead of growing', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const client = core.clients[0]!;
    // The page's side of the TCP connection stops reading, as a frozen tab does.
    (inbox.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<void>((resolve) => inbox.ws.once('close', () => resolve()));
    const data = new Uint8Array(1024 * 1024);
    for (let n = 0; n < 96 && !client.disposed; n++) {
      client.sink('zoneOutput', { zone: 'z1', offset: n * data.length, data });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(client.disposed).toBe(true));
    (inbox.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
  });

  it('disposes the core client when the socket closes', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const client = core.clients[0];
    expect(client?.disposed).toBe(false);
    inbox.ws.close();
    await vi.waitFor(() => expect(client?.disposed).toBe(true));
  });

  it('closes every socket, and disposes their clients, when the host closes', async () => {
    const inbox = await connected('', { cookie: cookie() });
    const closed = new Promise<number>((resolve) => inbox.ws.once('close', resolve));
    await host.close();
    expect(await closed).toBe(1001);
    expect(core.clients[0]?.disposed).toBe(true);
    await expect(fetch(`${base}/`)).rejects.toThrow();
    await host.close();
  });
});
