/**
 * The one entry point for every request from any binding: look the name up
 * in the contract, validate the payload with its schema, run the handler, and
 * turn every outcome into a Result. Nothing a client sends can throw past here.
 */
import {
  requests,
  type EventName,
  type EventPayload,
  type Payload,
  type Reply,
  type RequestName,
  type Result,
} from '../../preload/contract';
import type { Logger } from '../log';
import { TetherError } from '../../preload/tether-error';

/** Who is calling: a window or a WebSocket client, able to receive events. */
export type Caller = {
  readonly id: string;
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
};

export type Handlers = {
  [K in RequestName]: (payload: Payload<K>, caller: Caller) => Reply<K> | Promise<Reply<K>>;
};

const MAX_ISSUES = 3;

function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

export async function dispatch(
  handlers: Handlers,
  name: unknown,
  payload: unknown,
  caller: Caller,
  log: Logger,
): Promise<Result<unknown>> {
  if (!isRequestName(name)) {
    const shown = typeof name === 'string' ? name.slice(0, 64) : typeof name;
    return { ok: false, error: { code: 'unknown_request', message: `Unknown request: ${shown}` } };
  }
  const parsed = requests[name].payload.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_ISSUES)
      .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
      .join('; ');
    return {
      ok: false,
      error: { code: 'invalid_payload', message: `Invalid ${name} request: ${issues}` },
    };
  }
  try {
    // The schema table and the handler table share keys, so this pairing is sound.
    const handler = handlers[name] as (payload: unknown, caller: Caller) => unknown;
    const value = await handler(parsed.data, caller);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof TetherError) return { ok: false, error: error.toWire() };
    log.error(`request ${name} failed`, error);
    return { ok: false, error: { code: 'internal', message: `Internal error in ${name}.` } };
  }
}
