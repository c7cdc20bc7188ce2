import type { Admin } from 'kafkajs';
import { EdgeMlError, errorMessage } from '../../errors.js';
import { createKafka } from '../../kafka/kafka-client.js';

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface WaitOptions {
  /** Checked between attempts: a broker process that died ends the wait at once. */
  alive?: () => boolean;
  /** Named in the error so the user knows where to look. */
  logFile?: string;
}

/**
 * Resolves when Kafka at `bootstrap` answers a metadata request with at least one broker (real
 * readiness, not an open port); fails after timeoutMs, or as soon as options.alive() is false.
 */
export async function waitForKafka(bootstrap: string, timeoutMs: number, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seeLog = options.logFile ? `see ${options.logFile}` : 'check that the broker is running';
  let lastError = 'no answer';
  for (;;) {
    if (options.alive && !options.alive()) throw new EdgeMlError(`the Kafka broker exited before it answered at ${bootstrap}`, seeLog);
    try {
      const cluster = await withAdmin(bootstrap, (admin) => admin.describeCluster());
      if (cluster.brokers.length > 0) return;
      lastError = 'no broker registered yet';
    } catch (err) {
      lastError = errorMessage(err);
    }
    if (Date.now() > deadline) throw new EdgeMlError(`Kafka at ${bootstrap} did not answer within ${Math.round(timeoutMs / 1000)} s (${lastError})`, seeLog);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Creates the topics that do not exist yet, with one replica (a single-node broker); existing ones
 * are left as they are. Returns the names created.
 */
export async function createTopics(bootstrap: string, topics: readonly TopicSpec[], timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await createMissingTopics(bootstrap, topics);
    } catch (err) {
      // A broker that has just started may not know a topic's leader yet: retriable, so wait.
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) {
        throw new EdgeMlError(`creating topics ${topics.map((t) => t.name).join(', ')} on ${bootstrap} failed: ${errorMessage(err)}`, 'check that Kafka is running (edge-ml status)');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function createMissingTopics(bootstrap: string, topics: readonly TopicSpec[]): Promise<string[]> {
  return withAdmin(bootstrap, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return [];
    // false means another client created them meanwhile: that is fine too.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions, replicationFactor: 1 })),
    });
    return missing.map((topic) => topic.name);
  });
}

/** A short-lived admin client that fails fast: the callers retry on their own terms. */
async function withAdmin<T>(bootstrap: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = createKafka({
    clientId: 'edge-ml-admin',
    bootstrap,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
