/**
 * Wire format of the contract over a WebSocket (browser mode).
 *
 * Messages are JSON. Binary values (terminal output, snapshots) are not
 * base64'd: a message holding any Uint8Array goes out as one binary frame
 *   [u32 BE header length][header JSON][blob 0][blob 1]...
 * where each Uint8Array in the header is replaced by {"$bin": index, "len": n}.
 * Messages without binary go out as text frames.
 */
import type { EventName, RequestName, WireError } from './contract';

export type ClientMessage = { t: 'req'; id: number; name: RequestName; payload: unknown };
export type ServerMessage =
  | { t: 'res'; id: number; ok: true; value: unknown }
  | { t: 'res'; id: number; ok: false; error: WireError }
  | { t: 'evt'; name: EventName; payload: unknown };

type BinRef = { $bin: number; len: number };

function isBinRef(value: unknown): value is BinRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BinRef).$bin === 'number' &&
    typeof (value as BinRef).len === 'number' &&
    Object.keys(value).length === 2
  );
}

/** Replace every Uint8Array below `value` by a reference, collecting the bytes. */
function extract(value: unknown, blobs: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    blobs.push(value);
    return { $bin: blobs.length - 1, len: value.byteLength } satisfies BinRef;
  }
  if (Array.isArray(value)) return value.map((item) => extract(item, blobs));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = extract(item, blobs);
    return out;
  }
  return value;
}

/**
 * Keys that would reach an object's prototype when assigned (`out[key] = …`) or that code
 * reading the message could mistake for one. JSON.parse itself makes them own properties,
 * harmless until something copies them: so no message may carry them, in a text frame or a
 * binary one (both are parsed here, the same way).
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parseJson(json: string): unknown {
  return JSON.parse(json, (key, value: unknown) => {
    if (PROTOTYPE_KEYS.has(key)) throw new Error(`wire: the key "${key}" is not allowed`);
    return value;
  });
}

function restore(value: unknown, blobs: Uint8Array[]): unknown {
  if (isBinRef(value)) {
    const blob = blobs[value.$bin];
    if (!blob) throw new Error(`wire: missing binary part ${value.$bin}`);
    return blob;
  }
  if (Array.isArray(value)) return value.map((item) => restore(item, blobs));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // defineProperty, not `out[key] =`: never a setter, whatever the key (parseJson refuses
    // the prototype's keys already; this keeps restore safe on its own).
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: restore(item, blobs),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Encode a message: a string (text frame) or bytes (binary frame). */
export function encode(message: ClientMessage | ServerMessage): string | Uint8Array {
  const blobs: Uint8Array[] = [];
  const header = extract(message, blobs);
  const json = JSON.stringify(header);
  if (blobs.length === 0) return json;
  const headerBytes = new TextEncoder().encode(json);
  let total = 4 + headerBytes.byteLength;
  for (const blob of blobs) total += blob.byteLength;
  const frame = new Uint8Array(total);
  new DataView(frame.buffer).setUint32(0, headerBytes.byteLength);
  frame.set(headerBytes, 4);
  let at = 4 + headerBytes.byteLength;
  for (const blob of blobs) {
    frame.set(blob, at);
    at += blob.byteLength;
  }
  return frame;
}

/**
 * Decode a frame into an untrusted value. Callers validate its shape; this
 * only throws on frames that are not our format at all.
 */
export function decode(frame: string | Uint8Array): unknown {
  if (typeof frame === 'string') return parseJson(frame);
  if (frame.byteLength < 4) throw new Error('wire: frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0);
  if (4 + headerLength > frame.byteLength) throw new Error('wire: header overruns frame');
  const json = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const header: unknown = parseJson(json);
  const lengths: number[] = [];
  collectLengths(header, lengths);
  const blobs: Uint8Array[] = [];
  let at = 4 + headerLength;
  for (let index = 0; index < lengths.length; index++) {
    const len = lengths[index];
    if (len === undefined || !Number.isInteger(len) || len < 0) {
      throw new Error(`wire: bad length for binary part ${index}`);
    }
    if (at + len > frame.byteLength) throw new Error('wire: binary part overruns frame');
    blobs.push(frame.subarray(at, at + len));
    at += len;
  }
  return restore(header, blobs);
}

/** Binary parts are laid out in index order; gather their lengths by index. */
function collectLengths(value: unknown, lengths: number[]): void {
  if (isBinRef(value)) {
    lengths[value.$bin] = value.len;
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectLengths(item, lengths);
  }
}
