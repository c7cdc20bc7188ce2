import { EdgeMlError, errorMessage } from '../errors.js';
import type { KafkaTarget } from './kafka-client.js';

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|EPROTO|ERR_SSL/;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** kafkajs wraps the error that matters (retries exceeded → connection error → TLS error). */
function causes(err: unknown): KafkaJsErrorLike[] {
  const chain: KafkaJsErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 8 && !chain.includes(current as KafkaJsErrorLike)) {
    const e = current as KafkaJsErrorLike;
    chain.push(e);
    current = e.originalError ?? e.cause;
  }
  return chain;
}

/**
 * Turns what kafkajs threw while `action` into an error that says which of the usual causes it is
 * (credentials, TLS trust, reachability, permissions) and what to change.
 */
export function explainKafkaError(err: unknown, target: KafkaTarget, action: string): EdgeMlError {
  if (err instanceof EdgeMlError) return err;
  const chain = causes(err);
  const root = chain.at(-1) ?? {};
  const detail = root.message ?? errorMessage(err);
  const file = target.config?.file ? ` in ${target.config.file}` : '';
  const where = `Kafka at ${target.bootstrap}`;
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed|Authentication failed/i.test(e.message ?? ''))) {
    return new EdgeMlError(`${where} refused the credentials while ${action} (authentication failed): ${detail}`, `check the username and password${file} (sasl.jaas.config, or sasl.username and sasl.password)`);
  }
  if (chain.some((e) => TLS_CODES.test(e.code ?? '') || /certificate|self[- ]signed|altnames|SSL routines|wrong version number/i.test(e.message ?? ''))) {
    return new EdgeMlError(`the TLS handshake with ${where} failed while ${action}: ${detail}`, `check the CA${file} (ssl.truststore.location or ssl.ca.location: the CA that signed the brokers' certificates) and that the listener speaks TLS`);
  }
  if (chain.some((e) => /AUTHORIZATION_FAILED/.test(e.type ?? ''))) {
    return new EdgeMlError(`${where} did not allow ${action}: ${detail}`, 'grant the user the ACLs it needs (create and describe on the topics, read on the consumer group), or create the topics yourself');
  }
  if (chain.some((e) => UNREACHABLE_CODES.has(e.code ?? '') || /Connection timeout|ECONNREFUSED|ENOTFOUND|Closed connection|Connection closed/i.test(e.message ?? ''))) {
    return new EdgeMlError(`cannot reach ${where} while ${action}: ${detail}`, 'is the platform up (edge-ml status)? else check --bootstrap-server (host:port of the listener your client config is for) and that the cluster runs');
  }
  return new EdgeMlError(`${action} on ${where} failed: ${detail}`);
}
