import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { EdgeMlError, errorMessage } from '../errors.js';
import { createKafka, type KafkaTarget } from './kafka-client.js';
import { explainKafkaError } from './kafka-errors.js';

// Not a named export Node's ESM loader can see in kafkajs's CommonJS index.
const { ConfigResourceTypes } = kafkajs;

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
 * Resolves when Kafka answers a metadata request with at least one broker (real readiness, not an
 * open port); fails after timeoutMs, or as soon as options.alive() is false.
 */
export async function waitForKafka(target: KafkaTarget, timeoutMs: number, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seeLog = options.logFile ? `see ${options.logFile}` : 'check that the broker is running';
  let lastError = 'no answer';
  for (;;) {
    if (options.alive && !options.alive()) throw new EdgeMlError(`the Kafka broker exited before it answered at ${target.bootstrap}`, seeLog);
    try {
      const cluster = await withAdmin(target, (admin) => admin.describeCluster());
      if (cluster.brokers.length > 0) return;
      lastError = 'no broker registered yet';
    } catch (err) {
      lastError = errorMessage(err);
    }
    if (Date.now() > deadline) throw new EdgeMlError(`Kafka at ${target.bootstrap} did not answer within ${Math.round(timeoutMs / 1000)} s (${lastError})`, seeLog);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface ClusterInfo {
  clusterId: string;
  brokers: number;
}

/**
 * One look at a cluster someone else runs: reachable, credentials accepted, brokers listed. Fails
 * at once with the cause (authentication, TLS, reachability), not after a wait.
 */
export async function inspectCluster(target: KafkaTarget): Promise<ClusterInfo> {
  try {
    const cluster = await withAdmin(target, (admin) => admin.describeCluster());
    return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
  } catch (err) {
    throw explainKafkaError(err, target, 'describing the cluster');
  }
}

export interface TopicPlan {
  /** Replicas of the topics created; existing topics keep theirs. */
  replicationFactor: number;
  timeoutMs?: number;
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Returns the names
 * created.
 */
export async function createTopics(target: KafkaTarget, topics: readonly TopicSpec[], { replicationFactor, timeoutMs = 30_000 }: TopicPlan = { replicationFactor: 1 }): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await createMissingTopics(target, topics, replicationFactor);
    } catch (err) {
      // A broker that has just started may not know a topic's leader yet: retriable, so wait.
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw explainKafkaError(err, target, `creating topics ${topics.map((t) => t.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function createMissingTopics(target: KafkaTarget, topics: readonly TopicSpec[], replicationFactor: number): Promise<string[]> {
  return withAdmin(target, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return [];
    const specs: ITopicConfig[] = missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions, replicationFactor }));
    // false means another client created them meanwhile: that is fine too.
    await admin.createTopics({ waitForLeaders: true, topics: specs });
    return missing.map((topic) => topic.name);
  });
}

/**
 * What differs between existing topics and what the scenario wants, as sentences for warnings:
 * another partition count, or a compacted topic where the pipeline needs every record.
 */
export async function topicDifferences(target: KafkaTarget, topics: readonly TopicSpec[]): Promise<string[]> {
  try {
    return await withAdmin(target, async (admin) => {
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((t) => existing.has(t.name));
      if (present.length === 0) return [];
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const differences: string[] = [];
      for (const topic of present) {
        const partitions = metadata.find((m) => m.name === topic.name)?.partitions.length;
        if (partitions !== undefined && partitions !== topic.partitions) {
          differences.push(`topic ${topic.name} has ${partitions} partitions, the scenario asks for ${topic.partitions}: it is used as it is (processors beyond ${partitions} stay idle)`);
        }
      }
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name, configNames: ['cleanup.policy'] })) });
      for (const resource of configs.resources) {
        const policy = resource.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '';
        if (policy.includes('compact')) differences.push(`topic ${resource.resourceName} is compacted (cleanup.policy=${policy}): older readings of a car are dropped, so counts and replays will not match what was published`);
      }
      return differences;
    });
  } catch (err) {
    throw explainKafkaError(err, target, 'describing the topics');
  }
}

/** Deletes the topics that exist; returns the names deleted. */
export async function deleteTopics(target: KafkaTarget, names: readonly string[]): Promise<string[]> {
  try {
    return await withAdmin(target, async (admin) => {
      const existing = new Set(await admin.listTopics());
      const present = names.filter((n) => existing.has(n));
      if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
      return present;
    });
  } catch (err) {
    throw explainKafkaError(err, target, `deleting topics ${names.join(', ')}`);
  }
}

/** A short-lived admin client that fails fast: the callers retry on their own terms. */
async function withAdmin<T>(target: KafkaTarget, work: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = createKafka({
    clientId: 'edge-ml-admin',
    ...target,
    connectionTimeout: 3000,
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
