/**
 * The one error type the tool raises on purpose. Every layer may throw it; the
 * CLI turns it into a one-line message and an exit code. Anything else that
 * escapes is a bug and is reported as such.
 */
export class MicrogptError extends Error {
  constructor(
    /** Stable identifier, e.g. "MG001", so users can look the error up. */
    readonly code: string,
    message: string,
    /** 2 = bad usage or input, 1 = a checked invariant failed. */
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'MicrogptError';
  }
}
