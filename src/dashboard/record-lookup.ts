import { Partitioners, type Admin, type Batch, type Consumer } from 'kafkajs';

/** One record to find: by its key and timestamp, then by its value. */
export interface WantedRecord {
  /** The record key (the MQTT topic): its hash names the partition. */
  key: string;
  /** The record's timestamp: the search starts at the first offset at or after it. */
  timestamp: number;
  /** Among that key's records from there on, the one wanted. */
  matches(value: Buffer): boolean;
}

/** Records this much later than the wanted one mean it is not there (a partition is nearly in time order). */
const PAST_IT_MS = 30_000;
const SCAN_TIMEOUT_MS = 10_000;

/**
 * Finds single records of a topic the dashboard's consumer otherwise leaves paused: the source
 * topic, whose 1.3 kB records were most of the dashboard's CPU when it read them all to keep windows
 * (bench:dashboard). A lookup seeks the key's partition (Kafka's default key hash, as the MQTT
 * Proxy's producer, the MQTT endpoint's and Kafka Connect's place records) to the wanted
 * timestamp, resumes it until the record, or a later one, has been read, and pauses it again.
 * One lookup at a time: kafkajs drops a topic-wide pause when one partition is paused again.
 */
export class RecordLookup {
  private readonly hash = Partitioners.DefaultPartitioner();
  private queue: Promise<unknown> = Promise.resolve();
  private scan: { partition: number; wanted: WantedRecord; finish(found: Buffer | undefined | Error): void } | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
    private readonly admin: Admin,
  ) {}

  /** Once consumer.run() has resolved: from then on the topic is read only for lookups. */
  start(): void {
    this.consumer.pause([{ topic: this.topic }]);
  }

  /** The record's value, or undefined when the topic holds no such record (any more). */
  find(wanted: WantedRecord): Promise<Buffer | undefined> {
    const result = this.queue.then(() => this.findNow(wanted));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The consumer's batches of the topic. */
  onBatch(batch: Batch): void {
    const scan = this.scan;
    // A stray batch (fetched before the last pause took effect) is left alone.
    if (!scan || batch.partition !== scan.partition) return;
    const { wanted } = scan;
    for (const m of batch.messages) {
      if (m.value && m.key?.toString('utf8') === wanted.key && wanted.matches(m.value)) return scan.finish(Buffer.from(m.value));
      if (Number(m.timestamp) > wanted.timestamp + PAST_IT_MS) return scan.finish(undefined);
    }
    if (Number(batch.lastOffset()) + 1 >= Number(batch.highWatermark)) scan.finish(undefined);
  }

  /** Ends the lookup in progress (its consumer is going away). */
  close(): void {
    this.closed = true;
    this.scan?.finish(new Error('the dashboard lost its Kafka connection'));
  }

  private async findNow(wanted: WantedRecord): Promise<Buffer | undefined> {
    if (this.closed) throw new Error('the dashboard is no longer connected to Kafka');
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const partition = this.hash({ topic: this.topic, partitionMetadata: ends.map((e) => ({ partitionId: e.partition, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 })), message: { key: wanted.key, value: null } });
    const end = Number(ends.find((e) => e.partition === partition)?.high ?? 0);
    const from = Number((await this.admin.fetchTopicOffsetsByTimestamp(this.topic, wanted.timestamp)).find((o) => o.partition === partition)?.offset ?? end);
    if (from < 0 || from >= end) return undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`reading ${this.topic} partition ${partition} took over ${SCAN_TIMEOUT_MS / 1000} s`)), SCAN_TIMEOUT_MS);
      const finish = (found: Buffer | undefined | Error): void => {
        if (this.scan?.finish !== finish) return;
        clearTimeout(timer);
        this.scan = undefined;
        if (!this.closed) this.consumer.pause([{ topic: this.topic }]);
        if (found instanceof Error) reject(found);
        else resolve(found);
      };
      this.scan = { partition, wanted, finish };
      this.consumer.seek({ topic: this.topic, partition, offset: String(from) });
      this.consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    });
  }
}
