import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';

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
   * to the processor through its environment, never write it to the state dir.
   */
  javaProperties: Record<string, string>;
}

/** No file: plaintext, nothing else. */
export const PLAINTEXT_CLIENT_CONFIG: KafkaClientConfig = { javaProperties: {} };

/** Reads and validates FILE; a bad file is a UsageError naming file, line and the fix. */
export function loadKafkaClientConfig(file: string, env: NodeJS.ProcessEnv = process.env): KafkaClientConfig {
  void file;
  void env;
  throw new Error('not implemented yet');
}
