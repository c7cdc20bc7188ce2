import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer } from 'kafkajs';
import { errorMessage } from '../errors.js';
import { createKafka, type KafkaTarget } from '../kafka/kafka-client.js';
import type { TailedRecord } from '../tail/tail-record.js';
import { RecordLookup, type WantedRecord } from './record-lookup.js';

export interface FeedStatus {
  /** live: reading; connecting: joining the cluster; down: no cluster, or lost it (retrying). */
  state: 'live' | 'connecting' | 'down';
  detail?: string;
}

export interface FeedTopics {
  /** Read from their ends: each record to its topic's handler. */
  live: Record<string, (record: TailedRecord) => void>;
  /** Read only when one of its records is asked for (lookup). */
  onDemand: string;
}

const RETRY_MS = 2000;
const CLOSE_WAIT_MS = 3000;
export const NO_PLATFORM_HINT = 'no running platform: start it with edge-ml up';

/**
 * The dashboard's one Kafka consumer: a throwaway group that commits nothing, reading the live
 * topics from their ends (a live view: a dashboard opened on a long-running platform does not
 * replay its backlog), and the on-demand topic only for lookups; with an admin client beside it
 * for end offsets. When the cluster is missing or lost both are built again every couple of
 * seconds, from `target()` asked again, so the dashboard comes alive when the platform comes (back) up.
 */
export class KafkaFeed {
  private current: FeedStatus = { state: 'connecting' };
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private lookups: RecordLookup | undefined;
  private closed = false;
  private readonly wake = new AbortController();
  private readonly loop: Promise<void>;

  constructor(
    private readonly target: () => KafkaTarget | undefined,
    private readonly topics: FeedTopics,
    private readonly retryMs = RETRY_MS,
  ) {
    this.loop = this.run();
  }

  get status(): FeedStatus {
    return this.current;
  }

  /** Records written so far to each topic (the sum of its partitions' end offsets); undefined while not live. */
  async endOffsets(topics: readonly string[]): Promise<Record<string, number> | undefined> {
    const admin = this.admin;
    if (!admin || this.current.state !== 'live') return undefined;
    const ends = await Promise.all(topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)));
    return Object.fromEntries(topics.map((topic, i) => [topic, ends[i]!]));
  }

  /** A record of the on-demand topic: its value, or undefined when Kafka holds no such record (any more). */
  async lookup(wanted: WantedRecord): Promise<Buffer | undefined> {
    if (!this.lookups || this.current.state !== 'live') throw new Error(`not reading Kafka: ${this.current.detail ?? this.current.state}`);
    return this.lookups.find(wanted);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.abort();
    this.lookups?.close();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
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
      // Fetches wait for 64 kB or 250 ms: at 10,000 scores a second, answering each fetch as
      // soon as one record came made fetch requests a tenth of the dashboard's CPU (bench:dashboard).
      maxWaitTimeInMs: 250,
      minBytes: 64 * 1024,
      // A dashboard opened before `up` must not create the topics `up` creates with its own partitions.
      allowAutoTopicCreation: false,
      // A lost broker crashes the consumer within seconds; the loop above builds a new one.
      retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 1000, restartOnFailure: async () => false },
    });
    const admin = kafka.admin();
    const lookups = new RecordLookup(this.topics.onDemand, consumer, admin);
    this.consumer = consumer;
    try {
      const crashed = new Promise<string>((resolve) => consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error.message)));
      // The first fetch comes after the partitions' end offsets are known: from then on, nothing is missed.
      consumer.on(consumer.events.FETCH, () => {
        if (this.current.state !== 'live') this.current = { state: 'live' };
      });
      await Promise.all([consumer.connect(), admin.connect()]);
      await consumer.subscribe({ topics: [...Object.keys(this.topics.live), lookups.topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.topic === lookups.topic) return lookups.onBatch(batch);
          const route = this.topics.live[batch.topic]!;
          for (const m of batch.messages) route({ key: m.key?.toString('utf8') ?? null, value: m.value, timestamp: Number(m.timestamp) });
        },
      });
      lookups.start();
      this.admin = admin;
      this.lookups = lookups;
      const stopped = new Promise<string>((resolve) => consumer.on(consumer.events.STOP, () => resolve('stopped')));
      return await Promise.race([crashed, stopped]);
    } catch (err) {
      return errorMessage(err);
    } finally {
      lookups.close();
      if (this.lookups === lookups) this.lookups = undefined;
      if (this.admin === admin) this.admin = undefined;
      await Promise.all([consumer.disconnect().catch(() => undefined), admin.disconnect().catch(() => undefined)]);
      if (this.consumer === consumer) this.consumer = undefined;
    }
  }
}
