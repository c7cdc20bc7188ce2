import { EdgeMlError } from '../errors.js';
import { statementSummary } from './statements.js';
import type { KsqlErrorBody } from './types.js';

/**
 * A ksqlDB API key and secret. ksqlDB servers with authentication.method=BASIC and Confluent Cloud
 * ksqlDB both take them as HTTP basic auth (key as user name, secret as password).
 */
export interface KsqlCredentials {
  apiKey: string;
  apiSecret: string;
}

/** ksqlDB's error_code for a 403 caused by ksqlDB's own access to Kafka, not by the caller (Errors.java). */
const KSQL_FORBIDDEN_KAFKA_ACCESS = 40301;

const CREDENTIAL_FLAGS = '--ksql-api-key and --ksql-api-secret (or KSQL_API_KEY and KSQL_API_SECRET)';

export function basicAuthorization({ apiKey, apiSecret }: KsqlCredentials): string {
  return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`, 'utf8').toString('base64')}`;
}

/**
 * What a 401 or 403 from ksqlDB means for the user: credentials missing, refused, or not allowed.
 * Says which server, never the secret. `what` is the statement or the request refused.
 */
export function refusal(url: string, status: 401 | 403, body: KsqlErrorBody | undefined, withCredentials: boolean, what: string): EdgeMlError {
  const server = body?.message ? `: ${body.message}` : '';
  if (status === 401) {
    return withCredentials
      ? new EdgeMlError(
          `ksqlDB at ${url} refused the credentials (HTTP 401${server})`,
          `check ${CREDENTIAL_FLAGS}; for Confluent Cloud they are an API key of the ksqlDB cluster (confluent api-key create --resource <ksqlDB cluster id>), not the Kafka cluster's`,
        )
      : new EdgeMlError(`ksqlDB at ${url} requires credentials (HTTP 401${server})`, `give ${CREDENTIAL_FLAGS}`);
  }
  if (body?.error_code === KSQL_FORBIDDEN_KAFKA_ACCESS) {
    return new EdgeMlError(
      `ksqlDB at ${url} is not allowed by Kafka to ${what} (HTTP 403, error ${KSQL_FORBIDDEN_KAFKA_ACCESS}${server})`,
      "ksqlDB's own Kafka principal lacks ACLs on the topics named: grant them on the Kafka cluster",
    );
  }
  return new EdgeMlError(
    `ksqlDB at ${url}: the credentials are not allowed to ${what} (HTTP 403${server})`,
    withCredentials ? "ask the ksqlDB administrator to grant the API key's account access to this" : `this ksqlDB requires credentials: give ${CREDENTIAL_FLAGS}`,
  );
}

/** The refused request in words: its statement if any, else its endpoint. */
export function refusedRequest(method: string, path: string, statement: string | undefined): string {
  return statement ? `run \`${statementSummary(statement, 120)}\`` : `${method} ${path}`;
}
