import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { EdgeMlError, errorMessage } from '../../errors.js';
import type { Scenario } from '../../scenario/scenario.js';
import { clearPlatform, readPlatform, writePlatform } from '../../state/state-dir.js';
import { locateJar, locateUdfJar, PROCESSOR_JAR_NAME, PROCESSOR_MAIN_CLASS, UDF_JAR_NAME } from '../../udf/jars.js';
import { assertPortsFree, type WantedPort } from '../ports.js';
import type { ComponentStatus, Endpoints, PlatformStatus, Ports, Reporter, Runtime, UpOptions } from '../types.js';
import { brokerJavaArgs } from './kafka-broker.js';
import { createTopics, waitForKafka } from './kafka-admin.js';
import { writeBrokerConfig, writeBrokerLog4jConfig } from './kafka-config.js';
import { KAFKA_VERSION, resolveKafkaClasspath } from './kafka-jars.js';
import { formatStorage } from './kafka-storage.js';
import { COMPONENTS, LocalLayout, type ComponentName } from './layout.js';
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

/** What `up` chose, kept so that status and down know the ports without flags. */
interface LocalSettings {
  ports: Ports;
  controllerPort: number;
  scenarioFile: string;
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
}

const STOP_GRACE_MS: Record<ComponentName, number> = { 'mqtt-endpoint': 10_000, processor: 15_000, kafka: 20_000 };
const PROCESSOR_JVM_OPTIONS = ['-Xmx768m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError'];
const ENDPOINT_MAIN = fileURLToPath(new URL('./mqtt-endpoint-main.js', import.meta.url));

/**
 * The embedded runtime: a real Kafka broker (KRaft), the Kafka Streams processor running the
 * ANOMALY UDF, and the MQTT endpoint, each a detached process with a pid file and a log file in
 * the state dir, so the CLI can exit while the platform keeps running.
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
    const settings = this.settingsFor(options);
    const toStart = COMPONENTS.filter((c) => !isRunning(readProcessRecord(this.layout.files(c))));
    await assertPortsFree(this.portsOf(settings).filter((p) => toStart.includes(p.component)));
    for (const dir of [this.layout.run, this.layout.logs, this.layout.data, this.layout.udfDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(this.layout.settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

    const deadline = Date.now() + options.timeoutS * 1000;
    const remainingMs = (): number => Math.max(1000, deadline - Date.now());
    const endpoints = this.endpointsOf(settings);
    const classpath = await resolveKafkaClasspath(this.layout.cache, reporter);
    this.installJars(options.udfJar);

    if (toStart.includes('kafka')) {
      await reporter.step(`starting Kafka ${KAFKA_VERSION} (KRaft) on ${endpoints.bootstrapServers}`, async () => {
        await this.startKafka(classpath, settings);
        await this.waitReady('kafka', remainingMs(), () => waitForKafka(endpoints.bootstrapServers, remainingMs()));
      });
    }
    const topics = topicsOf(options.scenario);
    await reporter.step(`creating topics ${topics.map((t) => t.name).join(', ')}`, () => createTopics(endpoints.bootstrapServers, topics));
    if (toStart.includes('processor')) {
      await reporter.step(`starting the Kafka Streams processor with the ANOMALY UDF (threshold ${options.scenario.model.threshold})`, async () => {
        await this.startProcessor(classpath, options.scenario, endpoints);
        await this.waitReady('processor', remainingMs(), () => this.waitProcessorRunning(remainingMs()));
      });
    }
    if (toStart.includes('mqtt-endpoint')) {
      await reporter.step(`starting the MQTT endpoint on ${endpoints.mqttUrl} (${options.scenario.mqtt.topicRegexList})`, async () => {
        await this.startEndpoint(options.scenario, settings, endpoints);
        await this.waitReady('mqtt-endpoint', remainingMs(), () => waitForMqtt(endpoints.mqttUrl, remainingMs()));
      });
    }
    writePlatform(this.stateDir, { runtime: 'local', scenarioFile: options.scenario.file, startedAt: new Date().toISOString(), endpoints });
    return this.status();
  }

  async down(options: { volumes: boolean }, reporter: Reporter): Promise<void> {
    for (const component of [...COMPONENTS].reverse()) {
      const files = this.layout.files(component);
      const record = readProcessRecord(files);
      if (record && isRunning(record)) {
        await reporter.step(`stopping ${component} (pid ${record.pid})`, () => stopProcess(record, STOP_GRACE_MS[component]));
      }
      removeProcessRecord(files);
    }
    // Whatever a lost pid file hid: no process of this state dir survives `down`.
    const strays = await killProcessesMentioning(this.layout.root);
    if (strays.length > 0) reporter.warn(`stopped ${strays.length} stray process(es) of ${this.layout.root}: pid ${strays.join(', ')}`);
    if (options.volumes) {
      rmSync(this.layout.data, { recursive: true, force: true });
      rmSync(this.layout.run, { recursive: true, force: true });
    }
    const platform = readPlatform(this.stateDir);
    if (platform?.runtime === 'local') clearPlatform(this.stateDir);
  }

  async status(): Promise<PlatformStatus> {
    const settings = this.readSettings();
    const components = COMPONENTS.map((c) => this.componentStatus(c, settings));
    const processor = readStatusFile<ProcessorStatus>(this.layout.processorStatusFile);
    const running = components.every((c) => c.state === 'running');
    const scenario = settings ? readPlatform(this.stateDir)?.scenarioFile : undefined;
    return {
      runtime: 'local',
      running,
      endpoints: settings ? this.endpointsOf(settings) : undefined,
      components,
      processing: processor && scenario
        ? { engine: 'Kafka Streams', version: KAFKA_VERSION, streams: this.streamNames(), queries: [`scored ${processor.scored}, anomalies ${processor.anomalies}, skipped ${processor.skipped}`] }
        : undefined,
    };
  }

  async deployUdf(jarPath: string, scenario: Scenario, reporter: Reporter): Promise<void> {
    mkdirSync(this.layout.udfDir, { recursive: true });
    copyFileSync(jarPath, join(this.layout.udfDir, UDF_JAR_NAME));
    const files = this.layout.files('processor');
    const record = readProcessRecord(files);
    if (!record || !isRunning(record)) {
      reporter.info('the processor is not running; the jar is used at the next `edge-ml up`');
      return;
    }
    const settings = this.readSettings()!;
    // UDFs load once, at start: restart the processor to pick the new jar up.
    await reporter.step('restarting the processor with the new UDF jar', async () => {
      await stopProcess(record, STOP_GRACE_MS.processor);
      const classpath = await resolveKafkaClasspath(this.layout.cache, reporter);
      await this.startProcessor(classpath, scenario, this.endpointsOf(settings));
      await this.waitReady('processor', 120_000, () => this.waitProcessorRunning(120_000));
    });
  }

  async applyKsql(): Promise<string[]> {
    throw new EdgeMlError(
      "the local runtime has no ksqlDB: it runs the scenario's statements as a Kafka Streams topology (the same UDF, topics and JSON records)",
      'use --runtime docker to run KSQL on ksqlDB, or `edge-ml tail scores|anomalies` to read the streams',
    );
  }

  private settingsFor(options: UpOptions): LocalSettings {
    return { ports: options.ports, controllerPort: options.ports.kafka + 1, scenarioFile: options.scenario.file };
  }

  private readSettings(): LocalSettings | undefined {
    if (!existsSync(this.layout.settingsFile)) return undefined;
    return JSON.parse(readFileSync(this.layout.settingsFile, 'utf8')) as LocalSettings;
  }

  private endpointsOf(settings: LocalSettings): Endpoints {
    const { host, kafka, mqtt: mqttPort } = settings.ports;
    return { bootstrapServers: `${host}:${kafka}`, mqttUrl: `mqtt://${host}:${mqttPort}` };
  }

  private portsOf(settings: LocalSettings): (WantedPort & { component: ComponentName })[] {
    const host = settings.ports.host;
    return [
      { component: 'kafka', name: 'Kafka', host, port: settings.ports.kafka },
      { component: 'kafka', name: 'Kafka controller', host, port: settings.controllerPort },
      { component: 'mqtt-endpoint', name: 'MQTT', host, port: settings.ports.mqtt },
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

  private async startProcessor(kafkaClasspath: string[], scenario: Scenario, endpoints: Endpoints): Promise<void> {
    const l = this.layout;
    rmSync(l.processorStatusFile, { force: true });
    writeBrokerLog4jConfig(l.processorLog4jFile, l.processorStreamsLog);
    const classpath = [join(l.udfDir, PROCESSOR_JAR_NAME), join(l.udfDir, UDF_JAR_NAME), ...kafkaClasspath].join(delimiter);
    await startDetached(l.files('processor'), 'java', [
      ...PROCESSOR_JVM_OPTIONS,
      `-Dlog4j.configuration=file:${l.processorLog4jFile}`,
      '-cp',
      classpath,
      PROCESSOR_MAIN_CLASS,
      '--bootstrap-servers', endpoints.bootstrapServers,
      '--source-topic', scenario.streams.source,
      '--scores-topic', scenario.streams.scores,
      '--anomalies-topic', scenario.streams.anomalies,
      '--threshold', String(scenario.model.threshold),
      '--car-id-pattern', scenario.streams.carIdPattern,
      '--state-dir', l.streamsStateDir,
      '--status-file', l.processorStatusFile,
    ]);
  }

  private async startEndpoint(scenario: Scenario, settings: LocalSettings, endpoints: Endpoints): Promise<void> {
    const l = this.layout;
    rmSync(l.endpointStatusFile, { force: true });
    const config: MqttEndpointProcessConfig = {
      host: settings.ports.host,
      port: settings.ports.mqtt,
      bootstrapServers: endpoints.bootstrapServers,
      topicRegexList: scenario.mqtt.topicRegexList,
      maxMessageBytes: scenario.mqtt.maxMessageBytes,
      statusFile: l.endpointStatusFile,
    };
    writeFileSync(l.endpointConfigFile, `${JSON.stringify(config, null, 2)}\n`);
    await startDetached(l.files('mqtt-endpoint'), process.execPath, [ENDPOINT_MAIN, l.endpointConfigFile]);
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

  private async waitProcessorRunning(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = readStatusFile<ProcessorStatus>(this.layout.processorStatusFile);
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

  private componentStatus(component: ComponentName, settings: LocalSettings | undefined): ComponentStatus {
    const files = this.layout.files(component);
    const record: ProcessRecord | undefined = readProcessRecord(files);
    const address = settings ? this.addressOf(component, settings) : undefined;
    if (!record) return { name: component, state: 'stopped', address };
    if (!isRunning(record)) return { name: component, state: 'dead', pid: record.pid, address, detail: this.lastWords(component) ?? `see ${files.logFile}` };
    const base = { name: component, pid: record.pid, address, uptimeS: uptimeSeconds(record) };
    if (component === 'processor') {
      const s = readStatusFile<ProcessorStatus>(this.layout.processorStatusFile);
      const detail = s ? `${s.state.toLowerCase()}; scored ${s.scored}, anomalies ${s.anomalies}, skipped ${s.skipped}` : 'starting';
      return { ...base, state: s?.state === 'RUNNING' ? 'running' : 'starting', detail };
    }
    if (component === 'mqtt-endpoint') {
      const s = readStatusFile<EndpointStatus>(this.layout.endpointStatusFile);
      const refused = s ? s.refusedUnmapped + s.refusedOversize + s.refusedProtocol : 0;
      const detail = s ? `${s.connections} connections; produced ${s.produced}, refused ${refused}` : 'starting';
      return { ...base, state: s?.state === 'RUNNING' ? 'running' : 'starting', detail };
    }
    return { ...base, state: 'running', detail: `log ${this.layout.kafkaServerLog}` };
  }

  private addressOf(component: ComponentName, settings: LocalSettings): string | undefined {
    const e = this.endpointsOf(settings);
    return component === 'kafka' ? e.bootstrapServers : component === 'mqtt-endpoint' ? e.mqttUrl : undefined;
  }
}

/**
 * The scenario's topics plus the processor's sink topics, which ksqlDB would create for its
 * streams (with the source's partition count); the local broker does not auto-create topics.
 */
function topicsOf(scenario: Scenario): { name: string; partitions: number }[] {
  const source = scenario.kafka.topics.find((t) => t.name === scenario.streams.source)!;
  const sinks = [scenario.streams.scores, scenario.streams.anomalies].map((name) => ({ name, partitions: source.partitions }));
  return [...scenario.kafka.topics, ...sinks.filter((sink) => !scenario.kafka.topics.some((t) => t.name === sink.name))];
}

/** Ready when a real MQTT 3.1.1 client can connect. */
async function waitForMqtt(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(url, { protocolVersion: 4, connectTimeout: 2000, reconnectPeriod: 0, clientId: `edge-ml-ready-${process.pid}` });
      await client.endAsync();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
