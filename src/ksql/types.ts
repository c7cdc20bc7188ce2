/**
 * The ksqlDB REST shapes edge-ml reads (ksql@v7.9.0 ksqldb-rest-model; see
 * shared/reference/confluent-facts.md §2-3). Only the fields used here are typed.
 */

export interface ServerInfo {
  version: string;
  kafkaClusterId?: string;
  ksqlServiceId?: string;
  serverStatus?: string;
}

export interface HealthCheck {
  isHealthy: boolean;
  details?: Record<string, { isHealthy: boolean }>;
  serverState?: string;
}

/** One element of a /ksql response array; `@type` says which of the shapes below it is. */
export interface KsqlEntity {
  '@type': string;
  statementText?: string;
  warnings?: { message: string }[];
  [field: string]: unknown;
}

export interface CurrentStatusEntity extends KsqlEntity {
  '@type': 'currentStatus';
  commandId: string;
  commandStatus: { status: string; message: string; queryId?: string | null };
  commandSequenceNumber: number;
}

export interface StreamsEntity extends KsqlEntity {
  '@type': 'streams';
  streams: { name: string; topic: string; keyFormat?: string; valueFormat?: string }[];
}

export interface QueriesEntity extends KsqlEntity {
  '@type': 'queries';
  queries: { id: string; queryString?: string; sinks?: string[]; state?: string; queryType?: string }[];
}

export interface DescribeFunctionEntity extends KsqlEntity {
  '@type': 'describe_function';
  name: string;
  type?: string;
  path?: string;
  functions: { arguments: { name: string; type: string }[]; returnType: string }[];
}

/** The body of a 4xx/5xx answer: generic_error or statement_error. */
export interface KsqlErrorBody {
  '@type'?: string;
  error_code?: number;
  message?: string;
  statementText?: string;
}

/** First line of a /query-stream answer. */
export interface QueryStreamHeader {
  queryId: string;
  columnNames: string[];
  columnTypes: string[];
}
