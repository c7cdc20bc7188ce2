import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import { Partitioners, type ICustomPartitioner, type Producer } from 'kafkajs';
import type { KafkaClientConfig } from '../../kafka/client-config.js';
import { createKafka } from '../../kafka/kafka-client.js';
import type { AclFile } from '../../mqtt-auth/acl-file.js';
import type { PasswordFile } from '../../mqtt-auth/password-file.js';
import { kafkaTopicFor, type TopicMapping } from '../../scenario/scenario.js';
import { KafkaBatcher, Placements } from './kafka-batcher.js';
import { DEFAULT_BUFFER_BYTES, ReadValve } from './read-valve.js';

export interface MqttEndpointConfig {
  host: string;
  /** Plain MQTT; 0 = none. */
  port: number;
  /** MQTTS beside (or instead of) plain MQTT: PEM certificate chain and key. */
  tls?: { port: number; cert: string; key: string };
  /** Without it every client is let in (the CLI allows that on loopback or when told to). */
  passwords?: PasswordFile;
  /** With passwords: let clients that give no user name in too. */
  allowAnonymous?: boolean;
  acl?: AclFile;
  bootstrapServers: string;
  /** TLS and SASL of an attached cluster; plaintext without. */
  kafkaConfig?: KafkaClientConfig;
  /** The MQTT Proxy's topic.regex.list, parsed. */
  topicMappings: TopicMapping[];
  /** The MQTT Proxy's mqtt.message.max.bytes. */
  maxMessageBytes: number;
  /** Bytes held for Kafka before reading from clients stops; DEFAULT_BUFFER_BYTES without. */
  bufferBytes?: number;
  log: (line: string) => void;
}

export interface MqttEndpointStats {
  connections: number;
  received: number;
  produced: number;
  refusedUnmapped: number;
  refusedOversize: number;
  refusedProtocol: number;
  /** Connections refused for a bad or missing user name or password (CONNACK 4). */
  refusedAuth: number;
  /** Publishes and subscriptions the ACL file does not grant. */
  refusedAcl: number;
  kafkaErrors: number;
  queued: number;
  /** Received and not yet acknowledged by Kafka: their publishers wait for the PUBACK. */
  heldMessages: number;
  heldBytes: number;
  bufferBytes: number;
  readingPaused: boolean;
  /** Why the endpoint is degraded (Kafka not answering, reading paused); absent when healthy. */
  degraded?: string;
}

export interface MqttEndpoint {
  stats(): MqttEndpointStats;
  close(): Promise<void>;
}

/** Reasons remembered before starting over: per-client reasons must not grow without bound. */
const MAX_LOG_REASONS = 10_000;

/** Refusals are logged, but at most once a minute per reason, with a count of what was not logged. */
class RateLimitedLog {
  private last = new Map<string, { at: number; suppressed: number }>();
  constructor(private readonly log: (line: string) => void, private readonly intervalMs = 60_000) {}

  line(reason: string, text: string): void {
    const now = Date.now();
    if (this.last.size >= MAX_LOG_REASONS) this.last.clear();
    const entry = this.last.get(reason);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    this.log(entry?.suppressed ? `${text} (and ${entry.suppressed} more like it since the last report)` : text);
    this.last.set(reason, { at: now, suppressed: 0 });
  }
}

/** A produce request unanswered this long means Kafka is unreachable: it answers in milliseconds. */
const UNREACHABLE_AFTER_MS = 5000;

/**
 * The local runtime's stand-in for the Confluent MQTT Proxy: an MQTT 3.1/3.1.1 broker (aedes) that
 * writes every publish whose topic matches topic.regex.list to Kafka, key = the MQTT topic,
 * value = the payload bytes. A QoS 1/2 publish is acknowledged only after Kafka acknowledged the
 * record, so an acked message is never lost. MQTT 3.1.1 has no negative acknowledgement: a publish
 * to an unmapped topic or over the size limit is refused by closing the client's connection
 * (nothing is acked that was not stored), counted and logged. While Kafka is slow or gone, publishes
 * are held unacknowledged and sent when it answers; past bufferBytes held the endpoint stops reading
 * from its clients (ReadValve), so the cars keep the rest.
 */
/** Distinct keys the partitioner remembers before it starts over (a fleet has one per car). */
const MAX_REMEMBERED_KEYS = 100_000;

/**
 * Kafka's own key-hash placement (kafkajs' Java-compatible default, as the MQTT Proxy's producer
 * places records), remembered per key and partition count: every record's key is its car's MQTT
 * topic, and hashing each one again was a twentieth of the endpoint's CPU under load.
 */
const keyHashPartitioner: ICustomPartitioner = () => {
  const javaCompatible = Partitioners.DefaultPartitioner();
  const placed = new Map<string, { partitions: number; partition: number }>();
  return (args) => {
    const key = args.message.key;
    if (typeof key !== 'string') return javaCompatible(args);
    const partitions = args.partitionMetadata.length;
    const known = placed.get(key);
    if (known?.partitions === partitions) return known.partition;
    if (placed.size >= MAX_REMEMBERED_KEYS) placed.clear();
    const partition = javaCompatible(args);
    placed.set(key, { partitions, partition });
    return partition;
  };
};

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

function degradedReason(held: Pick<MqttEndpointStats, 'heldMessages' | 'heldBytes' | 'bufferBytes' | 'readingPaused'>, unansweredMs: number): string | undefined {
  const unreachable = unansweredMs >= UNREACHABLE_AFTER_MS;
  if (!unreachable && !held.readingPaused) return undefined;
  const kafka = unreachable ? `Kafka unreachable for ${Math.floor(unansweredMs / 1000)} s` : 'Kafka behind';
  return `${kafka}; holding ${held.heldMessages} messages (${mb(held.heldBytes)} MB of ${mb(held.bufferBytes)} MB); reading ${held.readingPaused ? 'paused' : 'on'}`;
}

export async function startMqttEndpoint(config: MqttEndpointConfig): Promise<MqttEndpoint> {
  const kafka = createKafka({
    clientId: 'edge-ml-mqtt-endpoint',
    bootstrap: config.bootstrapServers,
    config: config.kafkaConfig,
    // The batcher holds a batch Kafka does not answer and sends it again for as long as it takes:
    // kafkajs's own retries need only ride out a leader change, and then hand back so that the
    // endpoint logs what it waits for.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  const placements = new Placements();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: placements.recording(keyHashPartitioner) });
  await producer.connect();

  const counts = { received: 0, produced: 0, refusedUnmapped: 0, refusedOversize: 0, refusedProtocol: 0, refusedAuth: 0, refusedAcl: 0, kafkaErrors: 0 };
  const refusals = new RateLimitedLog(config.log);
  const batcher = new KafkaBatcher(producer, {
    lingerMs: 2,
    maxBatchMessages: 2000,
    maxBatchBytes: 512 * 1024, // half the broker's default message.max.bytes: room for batch overhead
    placements,
    onSkipped: (records) => refusals.line('skipped', `a Kafka send came back without ${records} records (a partition leader changed); sending them again`),
    onError: (err, records) => {
      counts.kafkaErrors += records;
      refusals.line('kafka', `Kafka refused ${records} records: ${err.message}; their publishers are disconnected and will resend`);
    },
    onHeld: (err, records) => refusals.line('held', `Kafka did not answer a send of ${records} records (${err.message}); holding them and sending again`),
  });
  const valve = new ReadValve(config.bufferBytes ?? DEFAULT_BUFFER_BYTES);

  // aedes keeps no user name on its clients; the ACL needs the one each client logged in with.
  const usernames = new WeakMap<Client, string>();
  const { passwords, acl } = config;
  const aclClient = (client: Client) => ({ username: usernames.get(client), clientId: client.id });
  const who = (client: Client): string => `${client.id}${usernames.has(client) ? ` (user '${usernames.get(client)}')` : ''}`;

  const broker = await Aedes.createBroker({
    id: 'edge-ml-mqtt-endpoint',
    authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void) {
      const accept = (): void => {
        if (username !== undefined) usernames.set(client, username);
        done(null, true);
      };
      if (!passwords || (username === undefined && config.allowAnonymous)) return accept();
      const refuse = (): void => {
        counts.refusedAuth += 1;
        // The address and the user name, never the password.
        const user = username === undefined ? 'no user name' : `user '${username}'`;
        refusals.line('auth', `refused a connection from ${(client.conn as Socket).remoteAddress ?? 'an unknown address'} (client id ${client.id}, ${user}): bad user name or password`);
        done(Object.assign(new Error('bad user name or password'), { returnCode: 4 as AuthenticateError['returnCode'] }), false);
      };
      if (username === undefined) return refuse();
      passwords.verify(username, password ?? Buffer.alloc(0)).then((ok) => (ok ? accept() : refuse()), refuse);
    },
    authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void) {
      if (!acl || acl.allows(aclClient(client), subscription.topic, 'read')) return callback(null, subscription);
      counts.refusedAcl += 1;
      refusals.line(`acl:${client.id}`, `refused a subscription of ${who(client)} to '${subscription.topic}': the ACL file grants no read access`);
      callback(null, null); // SUBACK 0x80: refused, the connection stays
    },
    authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) {
      if (!client) return callback(null); // the broker's own $SYS heartbeats
      counts.received += 1;
      if (acl && !acl.allows(aclClient(client), packet.topic, 'write')) {
        counts.refusedAcl += 1;
        refusals.line(`acl:${client.id}`, `refused a publish from ${who(client)} to '${packet.topic}': the ACL file grants no write access`);
        return callback(new Error(`no write access to ${packet.topic}`));
      }
      const kafkaTopic = kafkaTopicFor(config.topicMappings, packet.topic);
      if (!kafkaTopic) {
        counts.refusedUnmapped += 1;
        refusals.line('unmapped', `refused a publish from ${client.id} to '${packet.topic}': no topic.regex.list entry matches it`);
        return callback(new Error(`no mapping for MQTT topic ${packet.topic}`));
      }
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      if (payload.length > config.maxMessageBytes) {
        counts.refusedOversize += 1;
        refusals.line('oversize', `refused a publish from ${client.id} to '${packet.topic}': ${payload.length} bytes is over mqtt.message.max.bytes (${config.maxMessageBytes})`);
        return callback(new Error('payload over mqtt.message.max.bytes'));
      }
      const bytes = payload.length + Buffer.byteLength(packet.topic);
      valve.hold(bytes);
      batcher.send(kafkaTopic, { key: packet.topic, value: payload }, (err) => {
        valve.release(bytes);
        if (err) return callback(err);
        counts.produced += 1;
        callback(null);
      });
    },
  });
  broker.on('client', (client: Client) => valve.attach(client.conn));
  broker.on('clientDisconnect', (client: Client) => valve.detach(client.conn));
  broker.on('connectionError', (client: Client, err: Error) => {
    if (/protocol version/i.test(err.message)) {
      counts.refusedProtocol += 1;
      refusals.line('protocol', `refused a connection from ${client.id ?? 'a client'}: ${err.message} (this endpoint speaks MQTT 3.1 and 3.1.1, like the MQTT Proxy)`);
    }
  });
  broker.on('clientError', () => {
    // Refusals above already logged why; a client's own socket errors are its business.
  });

  // A client that does not trust the certificate ends the handshake: its business, like clientError.
  const servers: [Server, number][] = [];
  if (config.tls) servers.push([createTlsServer({ cert: config.tls.cert, key: config.tls.key }, broker.handle), config.tls.port]);
  if (config.port > 0) servers.push([createServer(broker.handle), config.port]);
  // In this order: readiness is probed on the last listener, so every listener is up by then.
  for (const [server, port] of servers) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  return {
    stats: () => {
      const held = { heldMessages: valve.heldMessages, heldBytes: valve.heldBytes, bufferBytes: valve.capBytes, readingPaused: valve.paused };
      return { ...counts, connections: broker.connectedClients, queued: batcher.queued, ...held, degraded: degradedReason(held, batcher.unansweredMs) };
    },
    async close() {
      // Stop accepting, let what Kafka already has be acknowledged, then close the clients.
      const serverClosed = Promise.all(servers.map(([server]) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await batcher.drain();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await serverClosed;
      await producer.disconnect();
    },
  };
}
