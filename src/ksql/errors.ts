import { EdgeMlError } from '../errors.js';
import { statementSummary } from './statements.js';
import type { KsqlErrorBody } from './types.js';

/** ksqlDB error codes edge-ml treats specially (Errors.java: HTTP status x 100 + a suffix). */
export const KSQL_BAD_STATEMENT = 40001;
/** SELECT or PRINT sent to /ksql: their results stream, so they need /query or /query-stream. */
export const KSQL_USE_QUERY_ENDPOINT = 40002;
export const KSQL_NOT_READY = 50302;

/**
 * How ksqlDB 7.9 refuses a CREATE OR REPLACE it cannot apply in place: a plan step that must match
 * (ExecutionStep, StreamSource: "Query is not upgradeable. ..."), a step it cannot upgrade
 * ("Upgrades not yet supported for ..."), or a schema change (MetaStoreImpl: "Cannot upgrade data source: ...").
 */
const REFUSED_UPGRADE = /Query is not upgradeable|Upgrades not yet supported|Cannot upgrade data source/i;

/** An error answer from ksqlDB, with the server's message and code and the statement it refused. */
export class KsqlServerError extends EdgeMlError {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: number | undefined,
    readonly serverMessage: string,
    readonly statement?: string,
  ) {
    const replacing = REFUSED_UPGRADE.test(serverMessage) ? replacedSource(statement) : undefined;
    super(
      `${replacing ? `ksqlDB cannot replace ${replacing.kind.toLowerCase()} ${replacing.name} in place; it answered` : 'ksqlDB answered'} ${httpStatus}${errorCode ? ` (error ${errorCode})` : ''}: ${serverMessage}${statement ? `\n  statement: ${statementSummary(statement, 200)}` : ''}`,
      replacing ? replacementHint(replacing) : hintFor(errorCode),
    );
    this.name = 'KsqlServerError';
  }

  static fromBody(httpStatus: number, body: KsqlErrorBody | undefined, rawText: string, statement?: string): KsqlServerError {
    const message = body?.message ?? (rawText.trim() || 'no message');
    return new KsqlServerError(httpStatus, body?.error_code, message, statement ?? body?.statementText);
  }
}

/** The stream or table a CREATE OR REPLACE statement names. */
function replacedSource(statement: string | undefined): { kind: string; name: string } | undefined {
  const match = /^\s*CREATE\s+OR\s+REPLACE\s+(STREAM|TABLE)\s+([^\s(]+)/i.exec(statement ?? '');
  return match ? { kind: match[1]!.toUpperCase(), name: match[2]! } : undefined;
}

function replacementHint({ kind, name }: { kind: string; name: string }): string {
  return (
    `start afresh with \`edge-ml down --volumes\` then \`edge-ml up\` (this deletes the platform's data), ` +
    `or drop it and apply again: \`edge-ml ksql run "DROP ${kind} ${name} DELETE TOPIC;"\` (drop the streams that read from it first)`
  );
}

function hintFor(errorCode: number | undefined): string {
  if (errorCode === KSQL_BAD_STATEMENT) return 'fix the statement; `edge-ml ksql run "SHOW STREAMS;"` lists what exists';
  if (errorCode === KSQL_USE_QUERY_ENDPOINT) return 'SELECT and PRINT stream their results: watch them with `edge-ml tail`, or the ksqlDB CLI';
  if (errorCode === KSQL_NOT_READY) return 'ksqlDB is still starting; wait and retry, or see `edge-ml status`';
  if (errorCode !== undefined && errorCode >= 50000) return 'see the ksqlDB server log (docker runtime: docker logs edge-ml-ksqldb-server-1)';
  return 'check the statement and the ksqlDB URL';
}
