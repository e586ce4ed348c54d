/**
 * Errors for configuration and transport faults. Card behaviour is never an exception: it is an
 * outcome with a reason. Bad arguments throw TypeError / RangeError naming the argument.
 */
export class ShanfuError extends Error {
  /** A stable, machine-readable code, e.g. `config.invalid`, `transport.card-removed`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShanfuError';
    this.code = code;
  }
}
