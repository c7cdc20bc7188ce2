import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeMlError, UsageError } from '../errors.js';
import { applyScript } from '../ksql/apply.js';
import { KsqlClient } from '../ksql/client.js';
import { checkAnomalyFunction, formatStatementResult, statementWarnings } from '../ksql/format.js';
import type { QueriesEntity, StreamsEntity } from '../ksql/types.js';
import { carTopic, kafkaTopicFor, type DockerMqtt, type Scenario } from '../scenario/scenario.js';
import { clearPlatform, readPlatform, writePlatform } from '../state/state-dir.js';
import { locateUdfJar, UDF_JAR_NAME } from '../udf/jars.js';
import { assertDockerReady, compose, composeLogTail, composePs, createTopics, dockerEngineAnswers } from './docker-cli.js';
import {
  componentStatuses,
  composeEnvironment,
  composeServices,
  extensionDir,
  hostEndpoints,
  KSQLDB,
  logsCommand,
  mqttService,
  portsOf,
  requestedMqtt,
  type ComposeProject,
  type ComposeService,
} from './docker-compose.js';
import { probeMqttKey } from './docker-probe.js';
import { assertPortsFree } from './ports.js';
import { DEFAULT_PORTS, type ComponentStatus, type DownOptions, type PlatformStatus, type Reporter, type Runtime, type UpOptions } from './types.js';

/**
 * Confluent Platform in Docker (compose/docker-compose.yml): Kafka in KRaft mode, ksqlDB with the
 * ANOMALY UDF in its extension dir, and the MQTT Proxy, driven through `docker compose`; or, with
 * --mqtt endpoint (compose/mqtt-endpoint.yml), this project's MQTT endpoint instead of the proxy.
 */
export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  constructor(readonly stateDir: string) {}

  async up(options: UpOptions, reporter: Reporter): Promise<PlatformStatus> {
    if (options.attach || options.processors !== 1 || !options.mqttEndpoint || !options.processor) {
      throw new UsageError(
        'attaching to your own cluster (--bootstrap-server) and scaling out (--processors, --no-processor, --no-mqtt-endpoint) run on the local runtime',
        'use --runtime local (the docker runtime starts its own Kafka, ksqlDB and MQTT service)',
      );
    }
    const mqtt = requestedMqtt(options);
    const record = readPlatform(this.stateDir);
    const runningMqtt = record?.runtime === 'docker' ? (record.mqtt ?? 'proxy') : undefined;
    if (runningMqtt && runningMqtt !== mqtt) {
      throw new UsageError(
        `the docker platform is running with --mqtt ${runningMqtt}; it cannot switch to --mqtt ${mqtt} while running`,
        `edge-ml down first (Kafka's data stays unless --volumes), then up with --mqtt ${mqtt}; or keep --mqtt ${runningMqtt}`,
      );
    }
    const services = composeServices(mqtt);
    const deadline = Date.now() + options.timeoutS * 1000;
    const remaining = (): number => Math.max(1000, deadline - Date.now());
    // Bounded well under 5 s: a machine without Docker must hear about --runtime local at once.
    await reporter.step('Docker engine and docker compose answer', () => assertDockerReady(3000));

    const project: ComposeProject = { env: composeEnvironment(options.ports, this.stateDir, options.scenario.mqtt), mqtt };
    const before = await composePs(project);
    const runningBefore = new Set(before.filter((c) => c.State === 'running').map((c) => c.Service));
    // Our own running containers hold their ports: only the others must be free.
    await assertPortsFree(
      services.filter(({ service }) => !runningBefore.has(service)).map(({ title, port }) => ({ name: title, host: options.ports.host, port: options.ports[port] })),
    );

    const jar = locateUdfJar(options.udfJar);
    const jarChanged = await reporter.step(`place ${UDF_JAR_NAME} in ksqlDB's extension dir`, async () => placeJar(jar, this.stateDir));

    if (mqtt === 'endpoint') {
      await reporter.step('build the MQTT endpoint image (compose/Dockerfile)', () => compose(['build', mqttService(mqtt).service], project, remaining()));
    }
    await reporter.step('start the containers (the first run pulls the Confluent Platform 7.9 images)', () => compose(['up', '-d'], project, remaining()));
    // UDFs load only when ksqlDB starts: a jar placed under a running server needs a restart.
    if (jarChanged && runningBefore.has(KSQLDB.service)) {
      await reporter.step('restart ksqlDB to load the new UDF jar', () => compose(['restart', KSQLDB.service], project, remaining()));
    }
    for (const service of services) {
      await reporter.step(`${service.title} healthy`, () => waitHealthy(service, project, deadline));
    }

    // Recorded as soon as the containers run, so that status and down find them even if a later step fails.
    const endpoints = hostEndpoints(options.ports);
    writePlatform(this.stateDir, { runtime: 'docker', scenarioFile: options.scenario.file, startedAt: new Date().toISOString(), endpoints, mqtt });

    const created = await reporter.step('create the Kafka topics', () => createTopics(project, options.scenario.kafka.topics, remaining()));
    if (created.length > 0) reporter.info(`  created ${created.join(', ')}`);

    const ksql = new KsqlClient(endpoints.ksqlUrl, { notReadyTimeoutMs: remaining() });
    await reporter.step('ksqlDB has the ANOMALY function (DESCRIBE FUNCTION ANOMALY)', () => verifyAnomalyFunction(ksql, jar));
    const applied = await reporter.step("apply the scenario's KSQL", () => ksql.executeScript(options.scenario.ksql.text));
    for (const result of applied) {
      if (statementWarnings(result).length > 0) reporter.warn(formatStatementResult(result));
      else reporter.info(`  ${formatStatementResult(result)}`);
    }

    // This project's endpoint keys records by MQTT topic by construction; the proxy's key is inferred.
    if (mqtt === 'proxy') await this.checkMqttKeyOnce(options.scenario, endpoints, reporter);
    return this.status();
  }

  async down(options: DownOptions, reporter: Reporter): Promise<void> {
    if (options.deleteTopics) throw new UsageError('--delete-topics is for a local platform attached to your own cluster', "the docker runtime's topics go with its data: edge-ml down --volumes");
    const record = readPlatform(this.stateDir);
    if (!(await dockerEngineAnswers())) {
      // Without an engine no container of ours can be running: nothing to stop.
      if (record?.runtime === 'docker') clearPlatform(this.stateDir);
      reporter.info('no Docker engine answers: nothing to stop');
      return;
    }
    const project = this.recordedProject();
    // --remove-orphans: the other variant's MQTT service is ours too (the project is edge-ml's own).
    await reporter.step(options.volumes ? 'stop the containers and delete their data' : 'stop the containers', () =>
      compose(['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])], project, 120_000),
    );
    if (record?.runtime === 'docker') clearPlatform(this.stateDir);
  }

  async status(): Promise<PlatformStatus> {
    const endpoints = readPlatform(this.stateDir)?.endpoints;
    const project = this.recordedProject();
    if (!(await dockerEngineAnswers())) {
      return { runtime: 'docker', running: false, endpoints, components: composeServices(project.mqtt).map(({ component }) => ({ name: component, state: 'stopped', detail: 'no Docker engine answers' })) };
    }
    const components = componentStatuses(await composePs(project), project.mqtt);
    const running = components.every((c) => c.state === 'running');
    const ksqlUp = components.find((c) => c.name === KSQLDB.component)?.state === 'running';
    const ksqlUrl = endpoints?.ksqlUrl ?? hostEndpoints(DEFAULT_PORTS).ksqlUrl;
    return { runtime: 'docker', running, endpoints, components, processing: ksqlUp ? await processingOf(ksqlUrl) : undefined };
  }

  async deployUdf(jarPath: string, _scenario: Scenario, reporter: Reporter): Promise<void> {
    const changed = await reporter.step(`place ${UDF_JAR_NAME} in ksqlDB's extension dir`, async () => placeJar(jarPath, this.stateDir));
    if (!(await dockerEngineAnswers())) {
      reporter.info('no Docker engine answers: ksqlDB loads the jar when `edge-ml up --runtime docker` starts it');
      return;
    }
    const project = this.recordedProject();
    const ksqlRunning = (await composePs(project)).some((c) => c.Service === KSQLDB.service && c.State === 'running');
    if (!ksqlRunning) {
      reporter.info('ksqlDB is not running: it loads the jar when `edge-ml up` starts it');
      return;
    }
    if (!changed) reporter.info('the jar is unchanged; restarting ksqlDB anyway, as asked');
    const deadline = Date.now() + 300_000;
    await reporter.step('restart ksqlDB (UDFs load only at start)', () => compose(['restart', KSQLDB.service], project, 120_000));
    await reporter.step('ksqlDB server healthy', () => waitHealthy(KSQLDB, project, deadline));
    const ksql = new KsqlClient(this.ksqlUrl(), { notReadyTimeoutMs: 120_000 });
    await reporter.step('ksqlDB has the ANOMALY function (DESCRIBE FUNCTION ANOMALY)', () => verifyAnomalyFunction(ksql, jarPath));
  }

  async applyKsql(statements: string, reporter: Reporter): Promise<string[]> {
    return applyScript(this.ksqlUrl(), statements, reporter);
  }

  private ksqlUrl(): string {
    return readPlatform(this.stateDir)?.endpoints.ksqlUrl ?? hostEndpoints(DEFAULT_PORTS).ksqlUrl;
  }

  /** The compose project of the running platform (ports and MQTT service from the state dir), for ps, down and restart. */
  private recordedProject(): ComposeProject {
    const record = readPlatform(this.stateDir);
    const mqtt: DockerMqtt = record?.runtime === 'docker' ? (record.mqtt ?? 'proxy') : 'proxy';
    return { env: composeEnvironment(portsOf(record?.endpoints), this.stateDir), mqtt };
  }

  /** DESIGN.md: the proxy's record key is inferred, not documented; check it once per state dir. */
  private async checkMqttKeyOnce(scenario: Scenario, endpoints: { bootstrapServers: string; mqttUrl: string }, reporter: Reporter): Promise<void> {
    const marker = join(this.stateDir, 'docker', 'mqtt-key-check.json');
    if (existsSync(marker)) return;
    const mqttTopic = carTopic(scenario, 'edge-ml-probe');
    const kafkaTopic = kafkaTopicFor(scenario.mqtt.topicMappings, mqttTopic);
    if (!kafkaTopic) {
      reporter.warn(`the MQTT topic ${mqttTopic} maps to no Kafka topic under ${scenario.mqtt.topicRegexList}: cars' messages would be dropped`);
      return;
    }
    const result = await reporter.step('check that the MQTT Proxy keys records by MQTT topic', () =>
      probeMqttKey({ mqttUrl: endpoints.mqttUrl, mqttTopic, bootstrapServers: endpoints.bootstrapServers, kafkaTopic, timeoutMs: 20_000 }),
    );
    if (result.outcome === 'other-key') {
      reporter.warn(`the MQTT Proxy wrote the key ${JSON.stringify(result.key)}, not the MQTT topic ${mqttTopic}: CARID in the streams will not be the car`);
    } else if (result.outcome === 'not-seen') {
      reporter.warn(`could not check the MQTT Proxy's record key (${result.why}); will try again at the next up`);
      return;
    }
    writeFileSync(marker, `${JSON.stringify({ checkedAt: new Date().toISOString(), mqttTopic, ...result })}\n`);
  }
}

/**
 * Puts the jar into the extension dir; true when the content there changed. A running ksqlDB may
 * hold the old jar open and load classes from it lazily, so the old file is never written to: the
 * new one is copied beside it and renamed over it (atomic within a directory). The temporary name
 * does not end in .jar, so a ksqlDB starting meanwhile does not load a half-written copy.
 */
export function placeJar(jarPath: string, stateDir: string): boolean {
  const dir = extensionDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, UDF_JAR_NAME);
  if (existsSync(target) && sha256(target) === sha256(jarPath)) return false;
  const partial = `${target}.${process.pid}.partial`;
  try {
    copyFileSync(jarPath, partial);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return true;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Polls `docker compose ps` until the service is healthy; a dead container fails with its last log lines. */
async function waitHealthy(service: ComposeService, project: ComposeProject, deadline: number): Promise<void> {
  let last: ComponentStatus | undefined;
  while (Date.now() < deadline) {
    last = componentStatuses(await composePs(project), project.mqtt).find((c) => c.name === service.component);
    if (last?.state === 'running') return;
    if (last?.state === 'dead' || last?.state === 'unhealthy') break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const logs = await composeLogTail(service.service, project);
  throw new EdgeMlError(
    `${service.title} is not healthy${last ? ` (${last.detail ?? last.state})` : ''}${Date.now() >= deadline ? ' before the timeout' : ''}${logs ? `\n  last log lines:\n${indent(logs)}` : ''}`,
    `see ${logsCommand(project.mqtt, service.service)}; a slow first start (image pulls) may need a larger --timeout`,
  );
}

async function verifyAnomalyFunction(ksql: KsqlClient, jar: string): Promise<string> {
  let entities;
  try {
    entities = await ksql.execute('DESCRIBE FUNCTION ANOMALY;');
  } catch (err) {
    if (err instanceof EdgeMlError && /Can't find any functions/i.test(err.message)) {
      throw new EdgeMlError(`ksqlDB did not load the ANOMALY UDF from ${jar}`, 'check the jar (`edge-ml udf deploy --jar PATH`) and the ksqlDB log for UDF loading errors');
    }
    throw err;
  }
  const check = checkAnomalyFunction(entities[0]);
  if (!check.ok) throw new EdgeMlError(`the ANOMALY function ksqlDB loaded is not the scorer edge-ml expects: ${check.problem}`, 'deploy the edge-ml UDF jar: edge-ml udf deploy');
  return check.signature;
}

/** ksqlDB's version, streams and queries for status; a server that does not answer says so as its version. */
async function processingOf(ksqlUrl: string): Promise<PlatformStatus['processing']> {
  const ksql = new KsqlClient(ksqlUrl, { notReadyTimeoutMs: 0, requestTimeoutMs: 5000 });
  try {
    const info = await ksql.info();
    const [streams] = (await ksql.execute('SHOW STREAMS;')) as StreamsEntity[];
    const [queries] = (await ksql.execute('SHOW QUERIES;')) as QueriesEntity[];
    return {
      engine: 'ksqlDB',
      version: info.version,
      streams: (streams?.streams ?? []).map((s) => s.name).filter((name) => !name.startsWith('KSQL_PROCESSING_LOG')),
      queries: (queries?.queries ?? []).map((q) => `${q.id}${q.state ? ` (${q.state})` : ''}`),
    };
  } catch {
    return { engine: 'ksqlDB', version: 'not answering', streams: [], queries: [] };
  }
}

function indent(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
