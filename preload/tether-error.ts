/**
 * The one error type of the contract, on both sides: a code the UI can branch
 * on and a message a person can read. Main throws it from handlers (dispatch
 * turns anything else into `internal`, never a stack trace); the renderer's
 * client throws it when a request fails.
 */
import type { ErrorCode, WireError } from './contract';

export class TetherError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What failed underneath (main only; never sent over the wire). */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TetherError';
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }

  static fromWire(error: WireError): TetherError {
    return new TetherError(error.code, error.message);
  }

  /** Anything thrown becomes a TetherError; unknown failures are `internal`. */
  static from(error: unknown): TetherError {
    if (error instanceof TetherError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new TetherError('internal', message);
  }
}
