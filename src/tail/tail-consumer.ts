import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { EdgeMlError, errorMessage } from '../errors.js';
import { createKafka, type KafkaTarget } from '../kafka/kafka-client.js';
import { explainKafkaError } from '../kafka/kafka-errors.js';
import type { TailedRecord } from './tail-record.js';

export interface TailOptions extends KafkaTarget {
  topic: string;
  /** Start at the oldest record when the group has no committed offset (always, without a group). */
  fromBeginning: boolean;
  /** Stop after this many records. */
  max?: number;
  /** Stop after this long without a record. */
  idleTimeoutMs?: number;
  /** Commit offsets in this consumer group; without one, a throwaway group that never commits. */
  groupId?: string;
  /** Aborting stops the tail cleanly (Ctrl-C). */
  signal?: AbortSignal;
}

export type TailEnd = 'max' | 'idle' | 'aborted';

export interface TailResult {
  records: number;
  end: TailEnd;
}

/** Reads `topic` and hands each record to onRecord until max, idle timeout or abort. */
export async function tailTopic(options: TailOptions, onRecord: (record: TailedRecord) => void): Promise<TailResult> {
  const consumer = createConsumer(options);
  try {
    await connect(consumer, options);
    return await consume(consumer, options, onRecord);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

function createConsumer({ bootstrap, config, groupId }: TailOptions): Consumer {
  const kafka = createKafka({
    clientId: 'edge-ml-tail',
    bootstrap,
    config,
    connectionTimeout: 3000,
    // Bounded, so that a broker that is down is an error within seconds, not minutes.
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 1000 },
  });
  return kafka.consumer({
    groupId: groupId ?? `edge-ml-tail-${randomUUID()}`,
    maxWaitTimeInMs: 500,
    // Enough retries to ride out a fresh cluster creating __consumer_offsets (NOT_COORDINATOR for
    // a few seconds); after them a lost broker ends the tail with an error, not endless restarts.
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 2000, restartOnFailure: async () => false },
  });
}

async function connect(consumer: Consumer, options: TailOptions): Promise<void> {
  const { bootstrap, topic, fromBeginning } = options;
  try {
    await consumer.connect();
  } catch (err) {
    throw explainKafkaError(err, options, 'connecting');
  }
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning });
  } catch (err) {
    if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
      throw new EdgeMlError(`topic ${topic} does not exist on ${bootstrap}`, 'use anomalies, scores, sensors or an existing topic name; is the platform up with this scenario?');
    }
    throw new EdgeMlError(`cannot read topic ${topic} on ${bootstrap}: ${errorMessage(err)}`, 'is the platform up (edge-ml status)?');
  }
}

function consume(consumer: Consumer, options: TailOptions, onRecord: (record: TailedRecord) => void): Promise<TailResult> {
  const { max, idleTimeoutMs, signal, groupId, bootstrap } = options;
  let records = 0;
  let finished = false;
  return new Promise<TailResult>((resolve, reject) => {
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (end: TailEnd | Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
      if (end instanceof Error) reject(end);
      else resolve({ records, end });
    };
    const onAbort = (): void => finish('aborted');
    // The idle clock starts now and restarts when the group is joined and with every record.
    const restartIdleClock = (): void => {
      if (idleTimeoutMs === undefined || finished) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish('idle'), idleTimeoutMs);
    };
    if (signal?.aborted) return finish('aborted');
    signal?.addEventListener('abort', onAbort);
    restartIdleClock();
    consumer.on(consumer.events.GROUP_JOIN, restartIdleClock);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      finish(new EdgeMlError(`lost Kafka at ${bootstrap} while reading ${options.topic}: ${payload.error.message}`, 'is the platform still up (edge-ml status)?'));
    });
    consumer
      .run({
        // Without a group of the user's, nothing is ever committed.
        autoCommit: groupId !== undefined,
        // Only the records handed out are resolved, so --max with --group commits no further.
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          for (const message of batch.messages) {
            if (finished || !isRunning() || isStale()) break;
            onRecord({ key: message.key?.toString('utf8') ?? null, value: message.value, timestamp: Number(message.timestamp) });
            resolveOffset(message.offset);
            records++;
            restartIdleClock();
            if (max !== undefined && records >= max) finish('max');
          }
          await heartbeat();
        },
      })
      .catch((err: unknown) => finish(new EdgeMlError(`reading ${options.topic} on ${bootstrap} failed: ${errorMessage(err)}`)));
  });
}
