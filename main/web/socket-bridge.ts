/**
 * Binds one accepted WebSocket to one core client: requests in, replies and
 * events out, in the wire format of preload/wire. Anything a browser sends is
 * untrusted; a frame that is not a request gets an error reply and the socket
 * keeps serving, so one bad message never costs the user their terminals.
 */
import { WebSocket } from 'ws';
import type { Result } from '../../preload/contract';
import { decode, encode, type ServerMessage } from '../../preload/wire';
import type { Core } from '../core';
import type { Logger } from '../log';

type Request = { id: number; name: string; payload: unknown };
type Parsed = { ok: true; request: Request } | { ok: false; id: number; message: string };

/**
 * Bytes the socket may hold unsent. Output is already bounded upstream (a page acknowledges
 * what it painted, and each session stops its shell at 1 MiB unacknowledged), so only a page
 * that stopped reading its socket gets here: it is dropped (a close frame would wait behind
 * the same unread bytes), and the page says the connection was lost and offers to reload (a
 * fresh attach paints every session from its snapshot).
 */
export const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

/** Connect `socket` to a fresh core client; the client is disposed when the socket goes. */
export function bridgeSocket(socket: WebSocket, core: Pick<Core, 'connect'>, log: Logger): void {
  const send = (message: ServerMessage): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_UNSENT_BYTES) {
      log.warn(
        `web: a page left ${Math.round(socket.bufferedAmount / 1048576)} MiB unread; closing its connection`,
      );
      socket.terminate();
      return;
    }
    let frame: string | Uint8Array;
    try {
      frame = encode(message);
    } catch (error) {
      log.error('web: could not encode a message', error);
      return;
    }
    socket.send(frame);
  };

  const client = core.connect((name, payload) => send({ t: 'evt', name, payload }));
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    client.dispose();
  };

  socket.on('message', (data, isBinary) => {
    const parsed = parseRequest(data, isBinary);
    if (!parsed.ok) {
      send({
        t: 'res',
        id: parsed.id,
        ok: false,
        error: { code: 'invalid_payload', message: parsed.message },
      });
      return;
    }
    const { id, name, payload } = parsed.request;
    // Replies go out in completion order; the client matches them by id.
    void client
      .call(name, payload)
      .catch((error: unknown): Result<unknown> => {
        log.error(`web: request ${name.slice(0, 64)} threw`, error);
        return { ok: false, error: { code: 'internal', message: 'Internal error.' } };
      })
      .then((result) => send({ t: 'res', id, ...result }));
  });
  socket.on('close', dispose);
  socket.on('error', (error) => {
    log.warn('web: socket error', error);
    dispose();
  });
}

function parseRequest(data: WebSocket.RawData, isBinary: boolean): Parsed {
  let value: unknown;
  try {
    const bytes = toBytes(data);
    value = decode(isBinary ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, id: -1, message: `Frame is not a Tether message: ${reason}` };
  }
  if (typeof value !== 'object' || value === null) {
    return { ok: false, id: -1, message: 'Message must be an object.' };
  }
  const message = value as Record<string, unknown>;
  // Only a finite id can be echoed: JSON turns Infinity into null.
  const hasId = typeof message.id === 'number' && Number.isFinite(message.id);
  const id = hasId ? (message.id as number) : -1;
  if (message.t !== 'req') return { ok: false, id, message: 'Message must have t: "req".' };
  if (!hasId) return { ok: false, id, message: 'Request must have a finite numeric id.' };
  if (typeof message.name !== 'string') {
    return { ok: false, id, message: 'Request must have a string name.' };
  }
  return { ok: true, request: { id, name: message.name, payload: message.payload } };
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
