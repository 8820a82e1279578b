/**
 * The error a failed request throws in the renderer: the code main reported
 * (the UI branches on it) and a message fit to show a person.
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
