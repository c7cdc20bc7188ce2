import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { registerSecrets } from '../secrets.js';
import { translateClientConfig } from './client-config-translation.js';
import { readPropertiesFile } from './properties-file.js';

/**
 * A Kafka client properties file (`--kafka-config FILE`), Java style (Confluent Cloud, the Apache
 * Kafka tools) or librdkafka style (kcat), read once and validated: what kafkajs needs and what
 * the Java processor needs, from one source.
 */
export interface KafkaClientConfig {
  /** The file it was read from: the state dir records this path, never the contents. */
  file?: string;
  /** bootstrap.servers from the file, if it has one. */
  bootstrap?: string;
  /** kafkajs TLS options; undefined for PLAINTEXT and SASL_PLAINTEXT. */
  ssl?: ConnectionOptions;
  /** kafkajs SASL options; undefined for PLAINTEXT and SSL. */
  sasl?: SASLOptions;
  /**
   * The same connection as Java client properties (security.protocol, sasl.jaas.config, PEM
   * truststore ...), plus the keys the Node side does not use, untouched. Holds secrets: hand it
   * to the processor through its environment, never write it to the state dir. It has no
   * bootstrap.servers: the caller sets that (--bootstrap-server wins over the file's).
   */
  javaProperties: Record<string, string>;
  /** What the file asks that one side cannot do (never a secret), for the command to print. */
  warnings?: string[];
}

/** No file: plaintext, nothing else. */
export const PLAINTEXT_CLIENT_CONFIG: KafkaClientConfig = { javaProperties: {} };

/** Values under keys like these are secrets wherever they are passed on (Schema Registry's basic.auth.user.info too). */
const SECRET_KEY = /password|secret|jaas\.config|user\.info|(^|\.)key$/;

/**
 * Reads and validates FILE; a bad file is a UsageError naming file, line and the fix. Relative
 * paths in it are taken from the current directory (baseDir), as the Apache Kafka tools and kcat
 * do; the Java properties carry them absolute, so that the processor can run anywhere. A platform
 * that reads the file again later passes the directory `up` was started in.
 */
export function loadKafkaClientConfig(file: string, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): KafkaClientConfig {
  const properties = readPropertiesFile(file, env);
  registerSecrets([...properties].filter(([key]) => SECRET_KEY.test(key)).map(([, p]) => p.value));
  const config = translateClientConfig(file, properties, baseDir);
  registerSecrets(secretsOf(config));
  return config;
}

/** The secrets a config holds (passwords, private keys), for a printer to blank out. */
export function secretsOf(config: KafkaClientConfig): string[] {
  const secrets: string[] = [];
  if (config.sasl && 'password' in config.sasl) secrets.push(config.sasl.password);
  if (typeof config.ssl?.passphrase === 'string') secrets.push(config.ssl.passphrase);
  if (typeof config.ssl?.key === 'string') secrets.push(...privateKeys(config.ssl.key));
  for (const [key, value] of Object.entries(config.javaProperties)) if (SECRET_KEY.test(key)) secrets.push(value);
  return secrets.filter((s) => s !== '');
}

function privateKeys(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g)].map((m) => m[0]);
}

/** One safe line for status and logs: protocol, mechanism, user, file; never a password or key. */
export function describeKafkaClientConfig(config: KafkaClientConfig): string {
  const protocol = config.sasl ? (config.ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT') : config.ssl ? 'SSL' : 'PLAINTEXT';
  const parts = [protocol];
  if (config.sasl && 'username' in config.sasl) parts.push(`${config.sasl.mechanism.toUpperCase()} as ${config.sasl.username}`);
  if (config.ssl?.cert) parts.push('client certificate');
  if (config.ssl?.rejectUnauthorized === false) parts.push('certificates not verified');
  else if (config.ssl?.checkServerIdentity) parts.push('host names not verified');
  return `${parts.join(', ')}${config.file ? ` (from ${config.file})` : ''}`;
}
