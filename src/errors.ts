/**
 * Errors are values: every failure a user can see is an EdgeMlError with a message that says what
 * went wrong and a hint that says what to do. The CLI prints them in one place (src/cli.ts).
 */
export class EdgeMlError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** 1 = the operation failed, 2 = the command line or input was wrong. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'EdgeMlError';
  }
}

/** Wrong flags, arguments or input files: exit code 2. */
export class UsageError extends EdgeMlError {
  constructor(message: string, hint?: string) {
    super(message, hint, 2);
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
