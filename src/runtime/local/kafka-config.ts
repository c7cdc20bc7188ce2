import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A combined broker+controller node (KRaft) on one host address: by default the single node of
 * the local runtime; with nodeId, controllerQuorumVoters, extraListeners and properties, one node
 * of a larger cluster (the test support's secured 3-node cluster).
 */
export interface BrokerConfig {
  host: string;
  /** PLAINTEXT listener: the clients' on a single node, and the one brokers replicate over. */
  kafkaPort: number;
  /** KRaft controller listener (PLAINTEXT). */
  controllerPort: number;
  /** log.dirs: topic data and the KRaft metadata log. */
  dataDir: string;
  /** node.id; 1 when not given. */
  nodeId?: number;
  /** controller.quorum.voters (`id@host:port,...`); this node alone when not given. */
  controllerQuorumVoters?: string;
  /** More listeners on `host`, advertised too (e.g. a SASL_SSL one for clients). */
  extraListeners?: readonly ExtraListener[];
  /** Added to the properties above, or replacing them (internal topics' replication, TLS and SASL). */
  properties?: Readonly<Record<string, string | number | boolean>>;
}

export interface ExtraListener {
  /** Listener name, upper case (e.g. CLIENT): its settings are listener.name.<lower case>.*. */
  name: string;
  port: number;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
}

/** Writes server.properties for a combined node to `file` (a single node unless the config says more). */
export function writeBrokerConfig(file: string, config: BrokerConfig): void {
  const { host, kafkaPort, controllerPort, dataDir } = config;
  const nodeId = config.nodeId ?? 1;
  const extra = config.extraListeners ?? [];
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': config.controllerQuorumVoters ?? `${nodeId}@${host}:${controllerPort}`,
    listeners: [`PLAINTEXT://${host}:${kafkaPort}`, `CONTROLLER://${host}:${controllerPort}`, ...extra.map((l) => `${l.name}://${host}:${l.port}`)].join(','),
    'advertised.listeners': [`PLAINTEXT://${host}:${kafkaPort}`, ...extra.map((l) => `${l.name}://${host}:${l.port}`)].join(','),
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...extra.map((l) => `${l.name}:${l.protocol}`)].join(','),
    'log.dirs': dataDir,
    // One node: every internal topic has one replica. Exactly-once Streams needs the transaction log.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // and one partition each: 50 (the default, for spreading coordinators over many brokers) took
    // the first `up` on a fresh data dir 9.3-11.0 s against 8.4-9.4 s, most of it in the processor's
    // step, which waits for both topics to be created (group join, then its first transaction).
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.num.partitions': 1,
    // Consumers and the Streams app join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    // Topics come from the scenario (createTopics); a typo in a topic name must not create one.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    ...config.properties,
  };
  const text = Object.entries(properties)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  writeProperties(file, `# Written by edge-ml (local runtime); rewritten on every start.\n${text}\n`);
}

/**
 * reload4j configuration: the broker logs to a rolling file at INFO, with the chatty loggers
 * (per-request, state changes, config dumps, segment and metadata housekeeping) at WARN.
 */
export function writeBrokerLog4jConfig(file: string, logFile: string): void {
  const quiet = [
    'kafka.request.logger',
    'kafka.controller',
    'state.change.logger',
    'kafka.authorizer.logger',
    'kafka.log.LogCleaner',
    'org.apache.kafka.common.config.AbstractConfig',
    'org.apache.kafka.clients',
    'org.apache.kafka.storage.internals.log',
    'kafka.log',
    'kafka.server.KafkaConfig',
    'org.apache.kafka.image.loader.MetadataLoader',
  ];
  const text = [
    '# Written by edge-ml (local runtime); rewritten on every start.',
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.MaxFileSize=10MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    ...quiet.map((logger) => `log4j.logger.${logger}=WARN`),
  ].join('\n');
  writeProperties(file, `${text}\n`);
}

function writeProperties(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // Java reads properties files with backslash escapes: Windows-style paths are not supported here.
  writeFileSync(file, text);
}
