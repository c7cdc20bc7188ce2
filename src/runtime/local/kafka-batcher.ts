import type { ICustomPartitioner, Message, Producer, RecordMetadata } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  bytes: number;
  done: (err?: Error) => void;
  /** Sends that came back without this record's partition. */
  skips: number;
}

/** A record left out of this many acknowledged sends in a row fails (its publisher resends). */
const MAX_SKIPS = 5;

/**
 * The partition the producer's partitioner chose for each message in its latest attempt: kafkajs
 * does not say in its answer which records a partition's acknowledgement covers.
 */
export class Placements {
  private readonly partitionOf = new WeakMap<Message, number>();

  /** `create`, recording where every message goes. */
  recording(create: ICustomPartitioner): ICustomPartitioner {
    return () => {
      const place = create();
      return (args) => {
        const partition = place(args);
        this.partitionOf.set(args.message, partition);
        return partition;
      };
    };
  }

  of(message: Message): number | undefined {
    return this.partitionOf.get(message);
  }
}

/** Key and value bytes: what counts against the broker's message.max.bytes for the batch. */
function recordBytes(message: Message): number {
  const size = (part: Message['key'] | Message['value']): number => (part == null ? 0 : typeof part === 'string' ? Buffer.byteLength(part) : part.length);
  return size(message.key) + size(message.value);
}

/**
 * Sends records to Kafka in batches: while one batch is in flight the next one fills, so batches
 * grow with load and latency stays one round trip at low load. One batch in flight at a time keeps
 * each key's records in order (a car's events stay in sequence). Every record's callback fires only
 * after Kafka acknowledged it (acks=all) or the send failed. A batch also stays under
 * maxBatchBytes: the broker rejects a record batch over its message.max.bytes (1 MB by default)
 * whole, and a burst of 1.3 kB car messages from many connections would build one.
 *
 * A send is checked against its answer: kafkajs 2.2.4, retrying after a partition leader died,
 * skips the partitions that moved to a broker that had already answered, and still resolves
 * (measured: an acked record missing after a broker SIGKILL). Records whose partition the answer
 * lacks go first into the next batch: at least once, never lost (one the dead leader had already
 * replicated is then stored twice).
 */
export class KafkaBatcher {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly options: {
      lingerMs: number;
      maxBatchMessages: number;
      maxBatchBytes: number;
      /** The producer's partitioner must record into these (Placements.recording). */
      placements: Placements;
      onError: (err: Error, records: number) => void;
      onSkipped: (records: number) => void;
    },
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  send(topic: string, message: Message, done: (err?: Error) => void): void {
    const bytes = recordBytes(message);
    this.queue.push({ topic, message, bytes, done, skips: 0 });
    this.queuedBytes += bytes;
    if (this.inFlight) return;
    if (this.queue.length >= this.options.maxBatchMessages || this.queuedBytes >= this.options.maxBatchBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
  }

  /** Resolves when everything queued so far has been acknowledged or failed. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      if (!this.inFlight) this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** How many queued records the next batch takes: at least one, within both bounds. */
  private batchLength(): number {
    const { maxBatchMessages, maxBatchBytes } = this.options;
    let bytes = this.queue[0]!.bytes;
    let n = 1;
    while (n < this.queue.length && n < maxBatchMessages && bytes + this.queue[n]!.bytes <= maxBatchBytes) bytes += this.queue[n++]!.bytes;
    return n;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.batchLength());
    for (const p of batch) this.queuedBytes -= p.bytes;
    this.inFlight = true;
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p.message);
      byTopic.set(p.topic, list);
    }
    this.producer
      .sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      .then(
        (acknowledged) => this.settle(batch, acknowledged),
        (err: Error) => {
          this.options.onError(err, batch.length);
          batch.forEach((p) => p.done(err));
        },
      )
      .finally(() => {
        this.inFlight = false;
        if (this.queue.length > 0) this.flush();
      });
  }

  /** Acknowledges the records whose partition the answer covers; the others go again, first. */
  private settle(batch: Pending[], acknowledged: RecordMetadata[]): void {
    const covered = new Set(acknowledged.map((m) => `${m.partition}\u0000${m.topicName}`));
    const skipped: Pending[] = [];
    for (const p of batch) {
      if (covered.has(`${this.options.placements.of(p.message)}\u0000${p.topic}`)) p.done();
      else if (++p.skips >= MAX_SKIPS) p.done(new Error(`Kafka acknowledged ${MAX_SKIPS} sends without this record's partition`));
      else skipped.push(p);
    }
    if (skipped.length === 0) return;
    this.options.onSkipped(skipped.length);
    this.queue.unshift(...skipped);
    for (const p of skipped) this.queuedBytes += p.bytes;
  }
}
