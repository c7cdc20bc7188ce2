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

/** Pause between sends of a batch Kafka did not answer (kafkajs has already retried it with backoff). */
const RESEND_AFTER_MS = 1000;

/**
 * Whether a failed send is worth repeating: kafkajs marks what a later attempt may cure (no
 * connection, a timeout, a leader moving) retriable, and wraps it when its own retries run out.
 * What Kafka refused (too large, not authorized, a sequence out of order) fails instead.
 */
function kafkaMayStillTake(err: Error): boolean {
  let root: Error = err;
  while (root.cause instanceof Error) root = root.cause;
  return (root as { retriable?: boolean }).retriable === true;
}

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
 *
 * While Kafka is slow or gone, a batch is held, not failed: it goes again, as it was, until Kafka
 * answers, and the records behind it wait. Sent unchanged, its partitions' batches keep their
 * idempotent-producer sequence numbers (kafkajs rolls them back on failure), so a first attempt
 * the broker wrote late is recognised as a duplicate, not stored twice; and each car's records
 * stay in order. (With several brokers, partitions one of them acknowledged before the send failed
 * as a whole go again under new numbers: stored twice, never lost.)
 */
export class KafkaBatcher {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private inFlight = false;
  /** When the batch in flight was first sent: Kafka has not answered it since. */
  private firstSentAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly options: {
      lingerMs: number;
      maxBatchMessages: number;
      maxBatchBytes: number;
      /** The producer's partitioner must record into these (Placements.recording). */
      placements: Placements;
      /** Kafka refused the records: they failed. */
      onError: (err: Error, records: number) => void;
      /** Kafka did not answer: the records are held and sent again. */
      onHeld: (err: Error, records: number) => void;
      onSkipped: (records: number) => void;
    },
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** How long the batch in flight has waited for Kafka's answer; 0 with nothing in flight. */
  get unansweredMs(): number {
    return this.firstSentAt === undefined ? 0 : Date.now() - this.firstSentAt;
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
    this.firstSentAt = Date.now();
    void this.deliver(batch).finally(() => {
      this.inFlight = false;
      this.firstSentAt = undefined;
      if (this.queue.length > 0) this.flush();
    });
  }

  /** Sends the batch until Kafka acknowledges or refuses it. */
  private async deliver(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p.message);
      byTopic.set(p.topic, list);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    let acknowledged: RecordMetadata[] | undefined;
    while (!acknowledged) {
      try {
        acknowledged = await this.producer.sendBatch({ acks: -1, topicMessages });
      } catch (err) {
        if (!kafkaMayStillTake(err as Error)) {
          this.options.onError(err as Error, batch.length);
          batch.forEach((p) => p.done(err as Error));
          return;
        }
        this.options.onHeld(err as Error, batch.length);
        await new Promise((r) => setTimeout(r, RESEND_AFTER_MS));
      }
    }
    this.settle(batch, acknowledged);
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
