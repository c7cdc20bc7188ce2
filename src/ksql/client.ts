import { EdgeMlError } from '../errors.js';
import { basicAuthorization, refusal, refusedRequest, type KsqlCredentials } from './auth.js';
import { KSQL_NOT_READY, KsqlServerError } from './errors.js';
import { splitStatements, type Statement } from './statements.js';
import { Transport } from './transport.js';
import type { CurrentStatusEntity, HealthCheck, KsqlEntity, KsqlErrorBody, QueryStreamHeader, ServerInfo } from './types.js';

export interface KsqlClientOptions {
  /** How long to keep retrying while the server answers 503 "not ready" (50302). */
  notReadyTimeoutMs?: number;
  /** First wait between not-ready retries; doubles up to 5 s. */
  retryDelayMs?: number;
  /** Per-request timeout (not applied to push queries, which stream until closed). */
  requestTimeoutMs?: number;
  /** HTTP basic auth on every request (ksqlDB with authentication, Confluent Cloud ksqlDB). */
  credentials?: KsqlCredentials;
  /** PEM certificates to trust for an https URL (a private CA). */
  ca?: string;
}

/** The result of one statement of a script. */
export interface StatementResult {
  statement: Statement;
  entities: KsqlEntity[];
}

/** A running push query: its columns, its rows as they arrive, and a way to stop it. */
export interface PushQuery {
  header: QueryStreamHeader;
  rows: AsyncIterable<unknown[]>;
  close(): Promise<void>;
}

const KSQL_JSON = 'application/vnd.ksql.v1+json';
const MAX_RETRY_DELAY_MS = 5000;

/**
 * ksqlDB's REST API over HTTP/1.1 (http or https): /info, /healthcheck, /ksql (statements,
 * chained by commandSequenceNumber), /query-stream (push queries) and /close-query.
 */
export class KsqlClient {
  readonly url: string;
  private readonly notReadyTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly requestTimeoutMs: number;
  /** The Authorization header's value, or undefined without credentials. Never printed. */
  private readonly authorization: string | undefined;
  private readonly transport: Transport;
  /** The last command's sequence number: the next request waits until the server ran it. */
  private sequenceNumber: number | undefined;

  constructor(url: string, options: KsqlClientOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.notReadyTimeoutMs = options.notReadyTimeoutMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.authorization = options.credentials && basicAuthorization(options.credentials);
    this.transport = new Transport(options.ca);
  }

  async info(): Promise<ServerInfo> {
    const body = (await this.request('GET', '/info')) as { KsqlServerInfo: ServerInfo };
    return body.KsqlServerInfo;
  }

  async healthcheck(): Promise<HealthCheck> {
    return (await this.request('GET', '/healthcheck')) as HealthCheck;
  }

  /** Runs one request's worth of statements (not SELECT: see pushQuery) after the previous command. */
  async execute(ksql: string): Promise<KsqlEntity[]> {
    const body: Record<string, unknown> = { ksql, streamsProperties: {} };
    if (this.sequenceNumber !== undefined) body.commandSequenceNumber = this.sequenceNumber;
    const entities = (await this.request('POST', '/ksql', body, ksql)) as KsqlEntity[];
    for (const entity of entities) {
      const seq = entity.commandSequenceNumber;
      if (typeof seq === 'number' && seq >= 0) this.sequenceNumber = seq;
    }
    const failure = commandFailure(entities);
    if (failure !== undefined) throw new KsqlServerError(200, undefined, `command status ERROR: ${failure}`, ksql);
    return entities;
  }

  /** Splits a script and runs its statements one by one, in order; stops at the first error. */
  async executeScript(script: string, onResult?: (result: StatementResult) => void): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    for (const statement of splitStatements(script)) {
      const result = { statement, entities: await this.execute(statement.text) };
      results.push(result);
      onResult?.(result);
    }
    return results;
  }

  /** Starts a push query (`SELECT ... EMIT CHANGES`) over HTTP/1.1 chunked /query-stream. */
  async pushQuery(sql: string, properties: Record<string, unknown> = {}): Promise<PushQuery> {
    const abort = new AbortController();
    const response = await this.send('POST', '/query-stream', { sql, properties }, abort.signal, 'application/vnd.ksqlapi.delimited.v1');
    if (!response.ok || !response.body) throw await this.errorOf(response, 'POST', '/query-stream', sql);
    const lines = readLines(response.body);
    const first = await lines.next();
    if (first.done) throw new EdgeMlError(`ksqlDB at ${this.url} closed the push query before its header`, 'see the ksqlDB server log');
    const header = parseLine(first.value, sql) as QueryStreamHeader;
    if (!Array.isArray(header.columnNames)) throw KsqlServerError.fromBody(response.status, header as KsqlErrorBody, first.value, sql);
    const rows = (async function* () {
      for await (const line of { [Symbol.asyncIterator]: () => lines }) {
        const value = parseLine(line, sql);
        if (!Array.isArray(value)) throw KsqlServerError.fromBody(response.status, value as KsqlErrorBody, line, sql);
        yield value;
      }
    })();
    return {
      header,
      rows,
      close: async () => {
        try {
          await this.closeQuery(header.queryId);
        } finally {
          abort.abort();
        }
      },
    };
  }

  /** Stops a push query on the server (its stream then ends). */
  async closeQuery(queryId: string): Promise<void> {
    await this.request('POST', '/close-query', { queryId });
  }

  /** One JSON request; retries while the server is not ready, within the bound. */
  private async request(method: 'GET' | 'POST', path: string, body?: unknown, statement?: string): Promise<unknown> {
    const deadline = Date.now() + this.notReadyTimeoutMs;
    let delay = this.retryDelayMs;
    for (;;) {
      const response = await this.send(method, path, body, AbortSignal.timeout(this.requestTimeoutMs));
      if (response.ok) {
        const text = await response.text();
        return text ? JSON.parse(text) : undefined;
      }
      const error = await this.errorOf(response, method, path, statement);
      const notReady = error instanceof KsqlServerError && response.status === 503 && (error.errorCode === KSQL_NOT_READY || error.errorCode === undefined);
      if (!notReady || Date.now() + delay > deadline) throw error;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  }

  private send(method: string, path: string, body: unknown, signal: AbortSignal, accept = KSQL_JSON): Promise<Response> {
    const headers: Record<string, string> = body === undefined ? { accept } : { accept, 'content-type': `${KSQL_JSON}; charset=utf-8` };
    if (this.authorization) headers.authorization = this.authorization;
    return this.transport.send(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  }

  /** The server's error answer: a refusal of the credentials (401, 403), else a KsqlServerError. */
  private async errorOf(response: Response, method: string, path: string, statement?: string): Promise<EdgeMlError> {
    const text = await response.text();
    let body: KsqlErrorBody | undefined;
    try {
      body = JSON.parse(text) as KsqlErrorBody;
    } catch {
      // not JSON (a proxy's error page, say): the raw text is the message
    }
    if (response.status === 401 || response.status === 403) {
      return refusal(this.url, response.status, body, this.authorization !== undefined, refusedRequest(method, path, statement));
    }
    return KsqlServerError.fromBody(response.status, body, text, statement);
  }
}

/**
 * Why a command ksqlDB accepted failed when it ran (currentStatus ERROR), or undefined. The status
 * message is the exception's stack trace (InteractiveStatementExecutor); its first line says why.
 */
function commandFailure(entities: readonly KsqlEntity[]): string | undefined {
  const failed = entities.find((e) => e['@type'] === 'currentStatus' && (e as CurrentStatusEntity).commandStatus.status === 'ERROR') as CurrentStatusEntity | undefined;
  if (!failed) return undefined;
  const firstLine = failed.commandStatus.message.trim().split('\n')[0]!;
  return firstLine.replace(/^[\w.$]+(Exception|Error): /, '');
}

/** The non-empty lines of a streamed body (ksqlDB sends bare newlines as keep-alives). */
async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield rest;
}

function parseLine(line: string, sql: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new EdgeMlError(`ksqlDB sent a line that is not JSON in the push query: ${line.slice(0, 200)}`, `the query was: ${sql}`);
  }
}
