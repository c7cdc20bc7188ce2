import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { EdgeMlError, errorMessage, UsageError } from '../../errors.js';
import { createTopics, deleteTopics, inspectCluster, topicDifferences, waitForKafka, type TopicSpec } from '../../kafka/admin.js';
import { loadKafkaClientConfig } from '../../kafka/client-config.js';
import type { KafkaTarget } from '../../kafka/kafka-client.js';
import { processorEnvironment } from '../../kafka/processor-env.js';
import { loadScenario } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/scenario.js';
import { clearPlatform, readPlatform, writePlatform } from '../../state/state-dir.js';
import { locateJar, locateUdfJar, PROCESSOR_JAR_NAME, PROCESSOR_MAIN_CLASS, UDF_JAR_NAME } from '../../udf/jars.js';
import { assertPortsFree, type WantedPort } from '../ports.js';
import { OPEN_MQTT, type ComponentStatus, type DownOptions, type Endpoints, type MqttSecurity, type PlatformStatus, type Ports, type Reporter, type Runtime, type UpOptions } from '../types.js';
import { brokerJavaArgs } from './kafka-broker.js';
import { writeBrokerConfig, writeBrokerLog4jConfig } from './kafka-config.js';
import { KAFKA_VERSION, resolveKafkaClasspath } from './kafka-jars.js';
import { formatStorage } from './kafka-storage.js';
import { isProcessor, LocalLayout, processorNames, type ComponentName, type ProcessorName } from './layout.js';
import { ENDPOINT_NODE_OPTIONS } from './mqtt-endpoint-config.js';
import type { MqttEndpointProcessConfig } from './mqtt-endpoint-main.js';
import { readStatusFile } from './status-file.js';
import {
  isRunning,
  killProcessesMentioning,
  lastLogLine,
  readProcessRecord,
  removeProcessRecord,
  startDetached,
  stopProcess,
  uptimeSeconds,
  type ProcessRecord,
} from './supervisor.js';

/** An attached cluster as `up` recorded it: the config file's path, never its contents. */
interface AttachedCluster {
  bootstrap: string;
  /** Absolute. */
  kafkaConfigFile?: string;
  /** Where `up` ran: relative paths in the config file are taken from here when it is read again. */
  kafkaConfigBaseDir?: string;
  replicationFactor: number;
}

/** What `up` chose, kept so that status and down know the platform without flags. */
interface LocalSettings {
  ports: Ports;
  controllerPort: number;
  scenarioFile: string;
  /** Absent: the embedded broker. */
  attached?: AttachedCluster;
  /** Processor instances on this machine; 0 with --no-processor. */
  processors: number;
  mqttEndpoint: boolean;
  mqttSecurity: MqttSecurity;
  mqttBufferBytes?: number;
}

interface ProcessorStatus {
  state: string;
  scored: number;
  anomalies: number;
  skipped: number;
}

interface EndpointStatus {
  state: string;
  connections: number;
  produced: number;
  refusedUnmapped: number;
  refusedOversize: number;
  refusedProtocol: number;
  refusedAuth: number;
  refusedAcl: number;
  /** Absent in status files written before the endpoint held messages for Kafka. */
  degraded?: string;
}

const STOP_GRACE_MS = { 'mqtt-endpoint': 10_000, processor: 15_000, kafka: 20_000 };
const graceOf = (component: ComponentName): number => (isProcessor(component) ? STOP_GRACE_MS.processor : STOP_GRACE_MS[component]);
const PROCESSOR_JVM_OPTIONS = ['-Xmx768m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError'];
/**
 * Beside the embedded broker, C2 compiles a method once it has run 50,000 times (HotSpot's default:
 * 5,000), or has looped as often as before. Right after `up`, traffic made C2 compile hundreds of
 * Kafka client and Streams methods at once on a machine the broker and the endpoint also need, and
 * the first seconds' scores queued behind it. The UDF's loops (warmed before the processor joins)
 * still compile at once, and under load the rest follows within seconds. Measured: the processor's
 * CPU in the first 10 s of 1,000 msg/s fell from 5.9-6.1 s to 4.8 s.
 */
const EMBEDDED_PROCESSOR_JIT_OPTIONS = ['-XX:Tier4InvocationThreshold=50000', '-XX:Tier4CompileThreshold=60000'];
const ENDPOINT_MAIN = fileURLToPath(new URL('./mqtt-endpoint-main.js', import.meta.url));
/** One consumer group for every instance on every machine: Kafka Streams shares the partitions among them. */
const PROCESSOR_APPLICATION_ID = 'edge-ml-processor';
/** The embedded broker is one node. */
const EMBEDDED_REPLICATION_FACTOR = 1;
/**
 * The processor's exactly-once commit interval, its scores' latency floor. 20 ms on the embedded
 * broker, where a commit is one plaintext node's work (against 50: p50 -17 ms, p99 -20 to -40 ms at
 * 1,000 msg/s). On an attached cluster each commit writes transaction markers to every partition's
 * leader and replicas: at 20 ms the processor fell behind bench:attached's 3-broker SASL_SSL cluster
 * (scored 0.40 to 0.49 of the acked rate, against 1 at 50 ms), so there it commits every 50 ms.
 */
const COMMIT_INTERVAL_MS = { embedded: 20, attached: 50 };

/**
 * How the processor uses the cluster it runs against: its internal topics' replication, its commit
 * interval and its JIT. Attached, the JIT keeps HotSpot's defaults: with the embedded broker's
 * thresholds the processor also fell behind bench:attached's cluster (scored 0.88 and 0.89 of the
 * acked rate at a 50 ms commit interval), whose TLS runs in the processor's Kafka clients.
 */
interface ProcessorClusterSettings {
  replicationFactor: number;
  commitIntervalMs: number;
  jitOptions: string[];
}

function processorClusterSettings(settings: LocalSettings): ProcessorClusterSettings {
  return settings.attached
    ? { replicationFactor: settings.attached.replicationFactor, commitIntervalMs: COMMIT_INTERVAL_MS.attached, jitOptions: [] }
    : { replicationFactor: EMBEDDED_REPLICATION_FACTOR, commitIntervalMs: COMMIT_INTERVAL_MS.embedded, jitOptions: EMBEDDED_PROCESSOR_JIT_OPTIONS };
}

/**
 * The embedded runtime: a real Kafka broker (KRaft), the Kafka Streams processor running the
 * ANOMALY UDF, and the MQTT endpoint, each a detached process with a pid file and a log file in
 * the state dir, so the CLI can exit while the platform keeps running. Attached (`up
 * --bootstrap-server`), no broker is started: the processors and the endpoint run beside the
 * user's cluster, which edge-ml never stops or empties unless told to.
 */
export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  private readonly layout: LocalLayout;

  constructor(readonly stateDir: string) {
    this.layout = new LocalLayout(stateDir);
  }

  async up(options: UpOptions, reporter: Reporter): Promise<PlatformStatus> {
    const before = await this.status();
    if (before.running) {
      reporter.info('the local platform is already up; nothing changed');
      return before;
    }
    const target = options.attach?.target;
    const deadline = Date.now() + options.timeoutS * 1000;
    const remainingMs = (): number => Math.max(1000, deadline - Date.now());
    // Attached: the cluster is checked before anything is written or started.
    const brokers = target ? await reporter.step(`checking the Kafka cluster at ${target.bootstrap}${target.config?.file ? ` (${target.config.file})` : ''}`, () => inspectCluster(target)) : undefined;
    const settings = this.settingsFor(options, brokers?.brokers);
    const components = componentsOf(settings);
    const toStart = components.filter((c) => !isRunning(readProcessRecord(this.layout.files(c))));
    await assertPortsFree(this.portsOf(settings).filter((p) => toStart.includes(p.component)));
    for (const dir of [this.layout.run, this.layout.logs, this.layout.data, this.layout.udfDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(this.layout.settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

    const endpoints = this.endpointsOf(settings);
    const kafka: KafkaTarget = target ?? { bootstrap: endpoints.bootstrapServers };
    const classpath = await resolveKafkaClasspath(this.layout.cache, reporter);
    this.installJars(options.udfJar);

    if (toStart.includes('kafka')) {
      await reporter.step(`starting Kafka ${KAFKA_VERSION} (KRaft) on ${endpoints.bootstrapServers}`, async () => {
        await this.startKafka(classpath, settings);
        await this.waitReady('kafka', remainingMs(), () => waitForKafka(kafka, remainingMs()));
      });
    }
    if (brokers) reporter.info(`cluster ${brokers.clusterId}: ${brokers.brokers} broker(s); topics get replication factor ${settings.attached!.replicationFactor}`);
    const topics = topicsOf(options.scenario, options.attach?.partitions);
    if (target) for (const difference of await topicDifferences(target, topics)) reporter.warn(difference);
    const processorCluster = processorClusterSettings(settings);
    await reporter.step(`creating topics ${topics.map((t) => t.name).join(', ')} where missing`, () => createTopics(kafka, topics, { replicationFactor: processorCluster.replicationFactor }));
    for (const processor of toStart.filter(isProcessor)) {
      await reporter.step(`starting the Kafka Streams ${processor} with the ANOMALY UDF (threshold ${options.scenario.model.threshold})`, async () => {
        await this.startProcessor(processor, classpath, options.scenario, kafka, processorCluster);
        await this.waitReady(processor, remainingMs(), () => this.waitProcessorRunning(processor, remainingMs()));
      });
    }
    if (toStart.includes('mqtt-endpoint')) {
      const urls = [endpoints.mqttUrl, endpoints.mqttsUrl].filter((url, k, all) => url && all.indexOf(url) === k).join(' and ');
      await reporter.step(`starting the MQTT endpoint on ${urls} (${options.scenario.mqtt.topicRegexList})`, async () => {
        await this.startEndpoint(options.scenario, settings, endpoints);
        await this.waitReady('mqtt-endpoint', remainingMs(), () => waitForMqtt(endpoints.mqttUrl, remainingMs()));
      });
    }
    writePlatform(this.stateDir, { runtime: 'local', scenarioFile: options.scenario.file, startedAt: new Date().toISOString(), endpoints });
    return this.status();
  }

  async down(options: DownOptions, reporter: Reporter): Promise<void> {
    const settings = this.readSettings();
    if (options.deleteTopics && !settings?.attached) {
      throw new UsageError('--delete-topics is for a platform attached to your own cluster', "the embedded broker's topics go with its data: edge-ml down --volumes");
    }
    const components = settings ? componentsOf(settings) : ['kafka' as const, ...processorNames(1), 'mqtt-endpoint' as const];
    for (const component of [...components].reverse()) {
      const files = this.layout.files(component);
      const record = readProcessRecord(files);
      if (record && isRunning(record)) {
        await reporter.step(`stopping ${component} (pid ${record.pid})`, () => stopProcess(record, graceOf(component)));
      }
      removeProcessRecord(files);
    }
    // Whatever a lost pid file hid: no process of this state dir survives `down`.
    const strays = await killProcessesMentioning(this.layout.root);
    if (strays.length > 0) reporter.warn(`stopped ${strays.length} stray process(es) of ${this.layout.root}: pid ${strays.join(', ')}`);
    if (options.deleteTopics && settings?.attached) {
      const target = this.attachedTarget(settings.attached);
      const names = topicsOf(loadScenario(settings.scenarioFile)).map((t) => t.name);
      const deleted = await reporter.step(`deleting topics ${names.join(', ')} on ${target.bootstrap}`, () => deleteTopics(target, names));
      reporter.info(deleted.length > 0 ? `deleted ${deleted.join(', ')}` : 'none of them existed');
    }
    if (options.volumes) {
      rmSync(this.layout.data, { recursive: true, force: true });
      rmSync(this.layout.run, { recursive: true, force: true });
    }
    if (settings?.attached && !options.deleteTopics) reporter.info(`the cluster at ${settings.attached.bootstrap} and its topics are left as they are`);
    const platform = readPlatform(this.stateDir);
    if (platform?.runtime === 'local') clearPlatform(this.stateDir);
  }

  async status(): Promise<PlatformStatus> {
    const settings = this.readSettings();
    const components = settings ? componentsOf(settings) : ['kafka' as const, ...processorNames(1), 'mqtt-endpoint' as const];
    // An attached cluster is shown first, as the broker would be, though edge-ml runs none of it.
    const shown: ComponentName[] = settings?.attached ? ['kafka', ...components] : components;
    const statuses = await Promise.all(shown.map((c) => this.componentStatus(c, settings)));
    const processors = components.filter(isProcessor).map((p) => readStatusFile<ProcessorStatus>(this.layout.processorStatusFile(p)));
    const scenario = settings ? readPlatform(this.stateDir)?.scenarioFile : undefined;
    const counted = processors.filter((p): p is ProcessorStatus => p !== undefined);
    const sum = (key: 'scored' | 'anomalies' | 'skipped'): number => counted.reduce((total, p) => total + p[key], 0);
    return {
      runtime: 'local',
      running: statuses.every((c) => c.state === 'running'),
      endpoints: settings ? this.endpointsOf(settings) : undefined,
      components: statuses,
      processing: counted.length > 0 && scenario
        ? { engine: 'Kafka Streams', version: KAFKA_VERSION, streams: this.streamNames(), queries: [`scored ${sum('scored')}, anomalies ${sum('anomalies')}, skipped ${sum('skipped')}${counted.length > 1 ? ` (${counted.length} processors here)` : ''}`] }
        : undefined,
    };
  }

  async deployUdf(jarPath: string, scenario: Scenario, reporter: Reporter): Promise<void> {
    mkdirSync(this.layout.udfDir, { recursive: true });
    copyFileSync(jarPath, join(this.layout.udfDir, UDF_JAR_NAME));
    const settings = this.readSettings();
    const running = settings ? componentsOf(settings).filter(isProcessor).filter((p) => isRunning(readProcessRecord(this.layout.files(p)))) : [];
    if (!settings || running.length === 0) {
      reporter.info('no processor is running; the jar is used at the next `edge-ml up`');
      return;
    }
    const kafka = settings.attached ? this.attachedTarget(settings.attached) : { bootstrap: this.endpointsOf(settings).bootstrapServers };
    const processorCluster = processorClusterSettings(settings);
    const classpath = await resolveKafkaClasspath(this.layout.cache, reporter);
    // UDFs load once, at start: restart each processor, one at a time, so the others keep scoring.
    for (const processor of running) {
      await reporter.step(`restarting ${processor} with the new UDF jar`, async () => {
        await stopProcess(readProcessRecord(this.layout.files(processor))!, STOP_GRACE_MS.processor);
        await this.startProcessor(processor, classpath, scenario, kafka, processorCluster);
        await this.waitReady(processor, 120_000, () => this.waitProcessorRunning(processor, 120_000));
      });
    }
  }

  async applyKsql(): Promise<string[]> {
    throw new EdgeMlError(
      "the local runtime has no ksqlDB: it runs the scenario's statements as a Kafka Streams topology (the same UDF, topics and JSON records)",
      'use --runtime docker to run KSQL on ksqlDB, or `edge-ml tail scores|anomalies` to read the streams',
    );
  }

  private settingsFor(options: UpOptions, brokers: number | undefined): LocalSettings {
    const attach = options.attach;
    return {
      ports: options.ports,
      controllerPort: options.ports.kafka + 1,
      scenarioFile: options.scenario.file,
      attached: attach && {
        bootstrap: attach.target.bootstrap,
        kafkaConfigFile: attach.target.config?.file && resolve(attach.target.config.file),
        kafkaConfigBaseDir: attach.target.config?.file && process.cwd(),
        replicationFactor: attach.replicationFactor ?? Math.min(3, brokers ?? 1),
      },
      processors: options.processor ? options.processors : 0,
      mqttEndpoint: options.mqttEndpoint,
      mqttSecurity: options.mqttSecurity,
      mqttBufferBytes: options.mqttBufferBytes,
    };
  }

  private readSettings(): LocalSettings | undefined {
    if (!existsSync(this.layout.settingsFile)) return undefined;
    const saved = JSON.parse(readFileSync(this.layout.settingsFile, 'utf8')) as Partial<LocalSettings> & Pick<LocalSettings, 'ports' | 'controllerPort' | 'scenarioFile'>;
    // Settings written before attached mode: one broker, one processor, one endpoint, anonymous plain MQTT.
    return { processors: 1, mqttEndpoint: true, mqttSecurity: OPEN_MQTT, ...saved };
  }

  /** The attached cluster, its config file read again (secrets are never stored). */
  private attachedTarget(attached: AttachedCluster): KafkaTarget {
    return { bootstrap: attached.bootstrap, config: attached.kafkaConfigFile ? loadKafkaClientConfig(attached.kafkaConfigFile, process.env, attached.kafkaConfigBaseDir) : undefined };
  }

  private endpointsOf(settings: LocalSettings): Endpoints {
    const { host, kafka, mqtt: mqttPort } = settings.ports;
    const bootstrapServers = settings.attached?.bootstrap ?? `${host}:${kafka}`;
    const { kafkaConfigFile, kafkaConfigBaseDir } = settings.attached ?? {};
    const tls = settings.mqttSecurity.tls;
    const mqttsUrl = tls && `mqtts://${host}:${tls.port}`;
    return { bootstrapServers, kafkaConfigFile, kafkaConfigBaseDir, mqttUrl: mqttPort > 0 ? `mqtt://${host}:${mqttPort}` : mqttsUrl!, mqttsUrl };
  }

  private portsOf(settings: LocalSettings): (WantedPort & { component: ComponentName })[] {
    const host = settings.ports.host;
    return [
      { component: 'kafka', name: 'Kafka', host, port: settings.ports.kafka },
      { component: 'kafka', name: 'Kafka controller', host, port: settings.controllerPort },
      ...(settings.ports.mqtt > 0 ? [{ component: 'mqtt-endpoint' as const, name: 'MQTT', host, port: settings.ports.mqtt }] : []),
      ...(settings.mqttSecurity.tls ? [{ component: 'mqtt-endpoint' as const, name: 'MQTTS', host, port: settings.mqttSecurity.tls.port }] : []),
    ];
  }

  private streamNames(): string[] {
    const scenarioFile = readPlatform(this.stateDir)?.scenarioFile;
    return scenarioFile ? ['temperature → ANOMALYDETECTION → ANOMALYDETECTIONWITHFILTER'] : [];
  }

  /** The UDF and processor jars the processor runs, copied so a rebuild does not change a running platform. */
  private installJars(udfJar: string | undefined): void {
    copyFileSync(locateUdfJar(udfJar), join(this.layout.udfDir, UDF_JAR_NAME));
    copyFileSync(locateJar(PROCESSOR_JAR_NAME), join(this.layout.udfDir, PROCESSOR_JAR_NAME));
  }

  private async startKafka(classpath: string[], settings: LocalSettings): Promise<void> {
    const l = this.layout;
    writeBrokerConfig(l.kafkaConfigFile, { host: settings.ports.host, kafkaPort: settings.ports.kafka, controllerPort: settings.controllerPort, dataDir: l.kafkaDataDir });
    writeBrokerLog4jConfig(l.kafkaLog4jFile, l.kafkaServerLog);
    await formatStorage(classpath, l.kafkaConfigFile, l.kafkaDataDir);
    await startDetached(l.files('kafka'), 'java', brokerJavaArgs({ classpath, configFile: l.kafkaConfigFile, log4jConfigFile: l.kafkaLog4jFile }));
  }

  private async startProcessor(processor: ProcessorName, kafkaClasspath: string[], scenario: Scenario, kafka: KafkaTarget, cluster: ProcessorClusterSettings): Promise<void> {
    const l = this.layout;
    rmSync(l.processorStatusFile(processor), { force: true });
    writeBrokerLog4jConfig(l.processorLog4jFile, l.processorStreamsLog);
    const classpath = [join(l.udfDir, PROCESSOR_JAR_NAME), join(l.udfDir, UDF_JAR_NAME), ...kafkaClasspath].join(delimiter);
    const args = [
      ...PROCESSOR_JVM_OPTIONS,
      ...cluster.jitOptions,
      `-Dlog4j.configuration=file:${l.processorLog4jFile}`,
      '-cp',
      classpath,
      PROCESSOR_MAIN_CLASS,
      '--bootstrap-servers', kafka.bootstrap,
      '--application-id', PROCESSOR_APPLICATION_ID,
      '--replication-factor', String(cluster.replicationFactor),
      '--commit-interval-ms', String(cluster.commitIntervalMs),
      '--source-topic', scenario.streams.source,
      '--scores-topic', scenario.streams.scores,
      '--anomalies-topic', scenario.streams.anomalies,
      '--threshold', String(scenario.model.threshold),
      '--car-id-pattern', scenario.streams.carIdPattern,
      '--state-dir', l.streamsStateDir(processor),
      '--status-file', l.processorStatusFile(processor),
    ];
    await startDetached(l.files(processor), 'java', args, processorEnvironment(kafka.config));
  }

  private async startEndpoint(scenario: Scenario, settings: LocalSettings, endpoints: Endpoints): Promise<void> {
    const l = this.layout;
    rmSync(l.endpointStatusFile, { force: true });
    const config: MqttEndpointProcessConfig = {
      host: settings.ports.host,
      port: settings.ports.mqtt,
      bootstrapServers: endpoints.bootstrapServers,
      kafkaConfigFile: endpoints.kafkaConfigFile,
      kafkaConfigBaseDir: endpoints.kafkaConfigBaseDir,
      topicRegexList: scenario.mqtt.topicRegexList,
      maxMessageBytes: scenario.mqtt.maxMessageBytes,
      bufferBytes: settings.mqttBufferBytes,
      statusFile: l.endpointStatusFile,
      ...settings.mqttSecurity,
    };
    writeFileSync(l.endpointConfigFile, `${JSON.stringify(config, null, 2)}\n`);
    await startDetached(l.files('mqtt-endpoint'), process.execPath, [...ENDPOINT_NODE_OPTIONS, ENDPOINT_MAIN, l.endpointConfigFile]);
  }

  /** Waits for readiness, failing early (with the log's last line) when the process dies. */
  private async waitReady(component: ComponentName, timeoutMs: number, ready: () => Promise<void>): Promise<void> {
    const files = this.layout.files(component);
    let settled = false;
    const died = new Promise<never>((_, reject) => {
      const check = (): void => {
        if (settled) return;
        if (!isRunning(readProcessRecord(files))) {
          reject(new EdgeMlError(`${component} exited while starting: ${this.lastWords(component) ?? 'no log output'}`, `see ${files.logFile}`));
          return;
        }
        setTimeout(check, 250);
      };
      check();
    });
    try {
      await Promise.race([ready(), died]);
    } catch (err) {
      if (err instanceof EdgeMlError) throw err;
      throw new EdgeMlError(`${component} did not become ready within ${Math.round(timeoutMs / 1000)} s: ${errorMessage(err)}`, `see ${files.logFile}; raise --timeout on a slow machine`);
    } finally {
      settled = true;
    }
  }

  private async waitProcessorRunning(processor: ProcessorName, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = readStatusFile<ProcessorStatus>(this.layout.processorStatusFile(processor));
      if (status?.state === 'RUNNING') return;
      if (status?.state === 'ERROR' || status?.state === 'NOT_RUNNING') throw new Error(`Kafka Streams state ${status.state}`);
      if (Date.now() > deadline) throw new Error(`Kafka Streams state ${status?.state ?? 'unknown'}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private lastWords(component: ComponentName): string | undefined {
    const fromStdout = lastLogLine(this.layout.files(component).logFile);
    return component === 'kafka' ? (lastLogLine(this.layout.kafkaServerLog) ?? fromStdout) : fromStdout;
  }

  private async componentStatus(component: ComponentName, settings: LocalSettings | undefined): Promise<ComponentStatus> {
    if (component === 'kafka' && settings?.attached) return this.clusterStatus(settings.attached);
    const files = this.layout.files(component);
    const record: ProcessRecord | undefined = readProcessRecord(files);
    const address = settings ? this.addressOf(component, settings) : undefined;
    if (!record) return { name: component, state: 'stopped', address };
    if (!isRunning(record)) return { name: component, state: 'dead', pid: record.pid, address, detail: this.lastWords(component) ?? `see ${files.logFile}` };
    const base = { name: component, pid: record.pid, address, uptimeS: uptimeSeconds(record) };
    if (isProcessor(component)) {
      const s = readStatusFile<ProcessorStatus>(this.layout.processorStatusFile(component));
      const detail = s ? `${s.state.toLowerCase()}; scored ${s.scored}, anomalies ${s.anomalies}, skipped ${s.skipped}` : 'starting';
      return { ...base, state: s?.state === 'RUNNING' ? 'running' : 'starting', detail, counters: s && { scored: s.scored, anomalies: s.anomalies, skipped: s.skipped } };
    }
    if (component === 'mqtt-endpoint') {
      const s = readStatusFile<EndpointStatus>(this.layout.endpointStatusFile);
      const refused = s ? s.refusedUnmapped + s.refusedOversize + s.refusedProtocol : 0;
      // Older status files have no auth counters.
      const denied = s ? (s.refusedAuth ?? 0) + (s.refusedAcl ?? 0) : 0;
      const detail = s
        ? `${s.degraded ? `${s.degraded}; ` : ''}${s.connections} connections; produced ${s.produced}, refused ${refused}${denied > 0 ? `, denied ${s.refusedAuth} logins and ${s.refusedAcl} by the ACL` : ''}`
        : 'starting';
      const state = s?.state !== 'RUNNING' ? 'starting' : s.degraded ? 'unhealthy' : 'running';
      return { ...base, state, detail, counters: s && { connections: s.connections, produced: s.produced, refused } };
    }
    return { ...base, state: 'running', detail: `log ${this.layout.kafkaServerLog}` };
  }

  /** The user's cluster: edge-ml runs no process of it, so status asks the cluster itself. */
  private async clusterStatus(attached: AttachedCluster): Promise<ComponentStatus> {
    const base = { name: 'kafka', address: attached.bootstrap };
    try {
      const cluster = await inspectCluster(this.attachedTarget(attached));
      return { ...base, state: 'running', detail: `attached cluster ${cluster.clusterId}: ${cluster.brokers} broker(s) reachable${attached.kafkaConfigFile ? `, config ${attached.kafkaConfigFile}` : ''}` };
    } catch (err) {
      return { ...base, state: 'unhealthy', detail: `attached cluster not reachable: ${errorMessage(err)}` };
    }
  }

  private addressOf(component: ComponentName, settings: LocalSettings): string | undefined {
    const e = this.endpointsOf(settings);
    if (component === 'mqtt-endpoint') return e.mqttsUrl && e.mqttsUrl !== e.mqttUrl ? `${e.mqttUrl}, ${e.mqttsUrl}` : e.mqttUrl;
    return component === 'kafka' ? e.bootstrapServers : undefined;
  }
}

/** Start order (`down` stops in reverse): the broker unless attached, the processors, the endpoint. */
function componentsOf(settings: LocalSettings): ComponentName[] {
  return [...(settings.attached ? [] : ['kafka' as const]), ...processorNames(settings.processors), ...(settings.mqttEndpoint ? ['mqtt-endpoint' as const] : [])];
}

/**
 * The scenario's topics plus the processor's sink topics, which ksqlDB would create for its
 * streams (with the source's partition count); the local broker does not auto-create topics.
 */
function topicsOf(scenario: Scenario, partitions?: number): TopicSpec[] {
  const topics = scenario.kafka.topics.map((t) => ({ name: t.name, partitions: partitions ?? t.partitions }));
  const source = topics.find((t) => t.name === scenario.streams.source)!;
  const sinks = [scenario.streams.scores, scenario.streams.anomalies].map((name) => ({ name, partitions: source.partitions }));
  return [...topics, ...sinks.filter((sink) => !topics.some((t) => t.name === sink.name))];
}

/**
 * Ready when a real MQTT 3.1.1 client gets a CONNACK: "bad user name or password" (4) or "not
 * authorized" (5) from an endpoint that wants users counts too. The probe dials our own process, so
 * it does not check the certificate.
 */
async function waitForMqtt(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(url, { protocolVersion: 4, connectTimeout: 2000, reconnectPeriod: 0, clientId: `edge-ml-ready-${process.pid}`, rejectUnauthorized: false });
      await client.endAsync();
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 4 || code === 5) return;
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
