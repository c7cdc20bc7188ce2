import { EdgeMlError } from '../errors.js';
import { statementSummary } from './statements.js';
import type { KsqlErrorBody } from './types.js';

/** ksqlDB error codes edge-ml treats specially (Errors.java: HTTP status x 100 + a suffix). */
export const KSQL_BAD_STATEMENT = 40001;
/** SELECT or PRINT sent to /ksql: their results stream, so they need /query or /query-stream. */
export const KSQL_USE_QUERY_ENDPOINT = 40002;
export const KSQL_NOT_READY = 50302;

/** An error answer from ksqlDB, with the server's message and code and the statement it refused. */
export class KsqlServerError extends EdgeMlError {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: number | undefined,
    readonly serverMessage: string,
    readonly statement?: string,
  ) {
    super(
      `ksqlDB answered ${httpStatus}${errorCode ? ` (error ${errorCode})` : ''}: ${serverMessage}${statement ? `\n  statement: ${statementSummary(statement, 200)}` : ''}`,
      hintFor(errorCode),
    );
    this.name = 'KsqlServerError';
  }

  static fromBody(httpStatus: number, body: KsqlErrorBody | undefined, rawText: string, statement?: string): KsqlServerError {
    const message = body?.message ?? (rawText.trim() || 'no message');
    return new KsqlServerError(httpStatus, body?.error_code, message, statement ?? body?.statementText);
  }
}

function hintFor(errorCode: number | undefined): string {
  if (errorCode === KSQL_BAD_STATEMENT) return 'fix the statement; `edge-ml ksql run "SHOW STREAMS;"` lists what exists';
  if (errorCode === KSQL_USE_QUERY_ENDPOINT) return 'SELECT and PRINT stream their results: watch them with `edge-ml tail`, or the ksqlDB CLI';
  if (errorCode === KSQL_NOT_READY) return 'ksqlDB is still starting; wait and retry, or see `edge-ml status`';
  if (errorCode !== undefined && errorCode >= 50000) return 'see the ksqlDB server log (docker runtime: docker logs edge-ml-ksqldb-server-1)';
  return 'check the statement and the ksqlDB URL';
}
