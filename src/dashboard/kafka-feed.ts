import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { errorMessage } from '../errors.js';
import { createKafka, type KafkaTarget } from '../kafka/kafka-client.js';
import type { TailedRecord } from '../tail/tail-record.js';

export interface FeedStatus {
  /** live: reading; connecting: joining the cluster; down: no cluster, or lost it (retrying). */
  state: 'live' | 'connecting' | 'down';
  detail?: string;
}

/** Each topic read, and what to do with its records. */
export type FeedRoutes = Record<string, (record: TailedRecord) => void>;

const RETRY_MS = 2000;
const CLOSE_WAIT_MS = 3000;
export const NO_PLATFORM_HINT = 'no running platform: start it with edge-ml up';

/**
 * The dashboard's one Kafka consumer: a throwaway group that commits nothing, reading the topics
 * from their ends (a live view: a dashboard opened on a long-running platform does not replay its
 * backlog). When the cluster is missing or lost it is built again every couple of seconds, from
 * `target()` asked again, so the dashboard comes alive when the platform comes (back) up.
 */
export class KafkaFeed {
  private current: FeedStatus = { state: 'connecting' };
  private consumer: Consumer | undefined;
  private closed = false;
  private readonly wake = new AbortController();
  private readonly loop: Promise<void>;

  constructor(
    private readonly target: () => KafkaTarget | undefined,
    private readonly routes: FeedRoutes,
    private readonly retryMs = RETRY_MS,
  ) {
    this.loop = this.run();
  }

  get status(): FeedStatus {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.abort();
    await this.consumer?.disconnect().catch(() => undefined);
    // A connect in progress to a cluster that is gone may take its retries: Ctrl-C does not wait for them.
    await Promise.race([this.loop, sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let target: KafkaTarget | undefined;
      let problem = NO_PLATFORM_HINT;
      try {
        target = this.target();
      } catch (err) {
        problem = errorMessage(err);
      }
      if (target) {
        const lost = await this.consume(target);
        if (this.closed) break;
        this.current = { state: 'down', detail: `Kafka at ${target.bootstrap}: ${lost}; retrying` };
      } else {
        this.current = { state: 'down', detail: problem };
      }
      await sleep(this.retryMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  /** Reads until the consumer fails or close(); resolves with why it stopped. */
  private async consume(target: KafkaTarget): Promise<string> {
    this.current = { state: 'connecting', detail: `joining ${target.bootstrap}` };
    const kafka = createKafka({ clientId: 'edge-ml-dashboard', ...target, connectionTimeout: 3000, retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 1000 } });
    const consumer = kafka.consumer({
      groupId: `edge-ml-dashboard-${randomUUID()}`,
      maxWaitTimeInMs: 250,
      // A dashboard opened before `up` must not create the topics `up` creates with its own partitions.
      allowAutoTopicCreation: false,
      // A lost broker crashes the consumer within seconds; the loop above builds a new one.
      retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 1000, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    try {
      const crashed = new Promise<string>((resolve) => consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error.message)));
      // The first fetch comes after the partitions' end offsets are known: from then on, nothing is missed.
      consumer.on(consumer.events.FETCH, () => {
        if (this.current.state !== 'live') this.current = { state: 'live' };
      });
      await consumer.connect();
      await consumer.subscribe({ topics: Object.keys(this.routes), fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const route = this.routes[batch.topic]!;
          for (const m of batch.messages) route({ key: m.key?.toString('utf8') ?? null, value: m.value, timestamp: Number(m.timestamp) });
        },
      });
      const stopped = new Promise<string>((resolve) => consumer.on(consumer.events.STOP, () => resolve('stopped')));
      return await Promise.race([crashed, stopped]);
    } catch (err) {
      return errorMessage(err);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      if (this.consumer === consumer) this.consumer = undefined;
    }
  }
}
