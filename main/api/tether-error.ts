/**
 * The one error type the API speaks: a code the UI can branch on and a message
 * a person can read. Anything else thrown inside a handler is reported as
 * `internal` (and logged), never leaked as a stack trace.
 */
import type { ErrorCode, WireError } from '../../preload/contract';

export class TetherError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TetherError';
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}
