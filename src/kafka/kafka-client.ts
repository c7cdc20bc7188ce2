import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { KafkaClientConfig } from './client-config.js';
import './request-queue-fix.js';

/** How long a client waits and how often it retries: each caller's own trade-off. */
export type KafkaClientTuning = Pick<KafkaConfig, 'connectionTimeout' | 'requestTimeout' | 'retry'>;

/** A cluster and how to reach it. */
export interface KafkaTarget {
  /** Comma-separated host:port list. */
  bootstrap: string;
  /** TLS and SASL from --kafka-config; plaintext without one. */
  config?: KafkaClientConfig;
}

export interface KafkaClientOptions extends KafkaClientTuning, KafkaTarget {
  clientId: string;
}

/** The one place a kafkajs client is built, so that every command connects the same way. */
export function createKafka({ clientId, bootstrap, config, ...tuning }: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrapList(bootstrap),
    ssl: config?.ssl,
    sasl: config?.sasl,
    // stdout carries records and JSON: kafkajs must never log there.
    logLevel: logLevel.NOTHING,
    ...tuning,
  });
}

export function bootstrapList(bootstrap: string): string[] {
  return bootstrap
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/**
 * Why `bootstrap` is not host:port[,host:port...] as Kafka clients take it, or undefined when it
 * is; without the check a missing port reads as "cannot reach Kafka".
 */
export function bootstrapProblem(bootstrap: string): string | undefined {
  for (const server of bootstrap.split(',')) {
    const port = /^[^\s:]+:(\d{1,5})$/.exec(server.trim())?.[1];
    if (port === undefined || Number(port) < 1 || Number(port) > 65535) return `expected host:port (comma-separated for several), got '${server}'`;
  }
  return undefined;
}
