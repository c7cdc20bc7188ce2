/**
 * A real secured Kafka cluster for tests: 3 combined broker+controller KRaft nodes from the cached
 * Kafka jars, each with a SASL_SSL listener for clients (PLAIN and SCRAM-SHA-512 over TLS, with a
 * CA and broker certificates made by pki.ts for this run). The brokers replicate and the KRaft quorum
 * talks over PLAINTEXT listeners on 127.0.0.1 (the config's PLAINTEXT and CONTROLLER ones): only
 * clients see TLS and SASL, which is what the tests are about, and the cluster starts faster.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SASLOptions } from 'kafkajs';
import { createKafka } from '../../src/kafka/kafka-client.js';
import type { KafkaClientConfig } from '../../src/kafka/client-config.js';
import { brokerJavaArgs } from '../../src/runtime/local/kafka-broker.js';
import { writeBrokerConfig, writeBrokerLog4jConfig } from '../../src/runtime/local/kafka-config.js';
import { resolveKafkaClasspath } from '../../src/runtime/local/kafka-jars.js';
import { formatStorage, newClusterId } from '../../src/runtime/local/kafka-storage.js';
import { isRunning, lastLogLine, signalGroup, startDetached, stopProcess, type ProcessRecord } from '../../src/runtime/local/supervisor.js';
import { quietReporter, testJarCache } from './kafka.js';
import { issueCertificate, makeCa } from './pki.js';
import { freePort } from './ports.js';

export interface SecureClusterUser {
  username: string;
  password: string;
}

export interface SecureCluster {
  /** The 3 SASL_SSL listeners, '127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3'. */
  bootstrap: string;
  /** PEM CA that signed the broker certificates (SAN IP:127.0.0.1 and DNS:localhost). */
  caFile: string;
  /** A PLAIN user (listener.name.client.plain.sasl.jaas.config). */
  plain: SecureClusterUser;
  /** A SCRAM-SHA-512 user (in the KRaft metadata since the storage format). */
  scram: SecureClusterUser;
  /** Temp dir holding certs, configs, data, logs; removed by stop(). */
  dir: string;
  /** pid is the current process's: restartBroker changes it. */
  brokers: { id: number; pid: number; bootstrap: string; logFile: string }[];
  /**
   * Writes a Java-style client properties file (bootstrap.servers, SASL_SSL, sasl.mechanism,
   * sasl.jaas.config with PlainLoginModule or ScramLoginModule, ssl.truststore.type=PEM and
   * ssl.truststore.location) into dir/clients and returns its path; overrides replace or add keys.
   */
  javaClientConfig(user: 'plain' | 'scram', overrides?: Record<string, string>): string;
  /**
   * Writes a librdkafka-style file (bootstrap.servers, security.protocol, sasl.mechanisms,
   * sasl.username, sasl.password, ssl.ca.location), as `kcat -F` reads it; overrides as above.
   */
  librdkafkaClientConfig(user: 'plain' | 'scram', overrides?: Record<string, string>): string;
  /** SIGKILL, resolves once the process is gone and the others no longer list it (fenced). */
  killBroker(id: number): Promise<void>;
  /** Starts it again on the same dirs and ports; resolves when every broker reports 3 brokers. */
  restartBroker(id: number): Promise<void>;
  /** Stops every process it started (SIGTERM, SIGKILL after a grace) and removes dir; idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const NODE_IDS = [1, 2, 3] as const;
/** The SASL_SSL listener's name; its settings are listener.name.client.*. */
const CLIENT_LISTENER = 'CLIENT';
/**
 * Brokers stopped together finish in well under a second, but the last KRaft voter then waits 5 s
 * for the others to acknowledge its resignation (they are gone): the data is thrown away, so it
 * gets less.
 */
const STOP_GRACE_MS = 2_000;

interface Node {
  id: number;
  dir: string;
  clientPort: number;
  configFile: string;
  log4jConfigFile: string;
  logFile: string;
  outFile: string;
  pidFile: string;
  process?: ProcessRecord;
}

/** Brokers of every cluster this process started and has not stopped: killed at exit, pass or fail. */
const running = new Set<ProcessRecord>();
/** Their dirs, removed at exit after the kill. */
const dirs = new Set<string>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // The brokers run in their own process groups (detached): nothing else would end them.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.kill(process.pid, signal); // the default action now that this handler is gone
    });
  }
}

function killAllNow(): void {
  for (const record of running) signalGroup(record.pid, 'SIGKILL');
  running.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a broker still closing a file: best effort at exit
    }
  }
  dirs.clear();
}

/**
 * Starts the cluster and resolves once every broker answers an authenticated metadata request on
 * its SASL_SSL listener with 3 brokers; fails at once, with the broker's last log line, if a broker
 * exits meanwhile. Always pair with stop() in an after hook.
 */
export async function startSecureCluster(options: { timeoutMs?: number } = {}): Promise<SecureCluster> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  hookExit();
  const classpath = await resolveKafkaClasspath(testJarCache(), quietReporter);
  const dir = mkdtempSync(join(tmpdir(), 'edge-ml-secure-kafka-'));
  dirs.add(dir);
  const plain: SecureClusterUser = { username: 'edge-plain', password: secret() };
  const scram: SecureClusterUser = { username: 'edge-scram', password: secret() };
  const nodes: Node[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      nodes.map(async (node) => {
        if (!node.process) return;
        await stopProcess(node.process, STOP_GRACE_MS);
        await reaped(node.process.pid);
        running.delete(node.process);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };

  try {
    const { caFile, keystores } = await makeCertificates(join(dir, 'tls'), NODE_IDS);
    const ports = await freePorts(NODE_IDS.length * 3);
    const voters = NODE_IDS.map((id, i) => `${id}@${HOST}:${ports[i * 3 + 1]}`).join(',');
    for (const [i, id] of NODE_IDS.entries()) {
      const nodeDir = join(dir, `node-${id}`);
      const node: Node = {
        id,
        dir: nodeDir,
        clientPort: ports[i * 3 + 2]!,
        configFile: join(nodeDir, 'server.properties'),
        log4jConfigFile: join(nodeDir, 'log4j.properties'),
        logFile: join(nodeDir, 'server.log'),
        outFile: join(nodeDir, 'kafka.out'),
        pidFile: join(nodeDir, 'kafka.pid'),
      };
      writeBrokerConfig(node.configFile, {
        host: HOST,
        kafkaPort: ports[i * 3]!,
        controllerPort: ports[i * 3 + 1]!,
        dataDir: join(nodeDir, 'data'),
        nodeId: id,
        controllerQuorumVoters: voters,
        extraListeners: [{ name: CLIENT_LISTENER, port: node.clientPort, protocol: 'SASL_SSL' }],
        properties: clusterProperties(keystores.get(id)!, plain),
      });
      writeBrokerLog4jConfig(node.log4jConfigFile, node.logFile);
      nodes.push(node);
    }
    const clusterId = newClusterId();
    const scramUsers = [{ mechanism: 'SCRAM-SHA-512' as const, name: scram.username, password: scram.password }];
    await Promise.all(nodes.map((node) => formatStorage(classpath, node.configFile, join(node.dir, 'data'), { clusterId, scramUsers })));
    for (const node of nodes) await startNode(node, classpath);

    const clientConfig = kafkajsConfig(caFile, 'scram-sha-512', scram);
    const waitReady = (deadline: number): Promise<void> => waitForBrokers(nodes, clientConfig, deadline);
    await waitReady(started + timeoutMs);
    const liveNodes = (): Node[] => nodes.filter((node) => node.process && isRunning(node.process));
    process.stderr.write(`# secured 3-broker cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})\n`);

    const brokers = nodes.map((node) => ({ id: node.id, pid: node.process!.pid, bootstrap: `${HOST}:${node.clientPort}`, logFile: node.logFile }));
    const nodeById = (id: number): Node => {
      const node = nodes.find((n) => n.id === id);
      if (!node) throw new Error(`no broker ${id} in this cluster (ids ${NODE_IDS.join(', ')})`);
      return node;
    };
    const bootstrap = brokers.map((b) => b.bootstrap).join(',');
    const users = { plain, scram };
    let configs = 0;
    const writeClientFile = (name: string, lines: Record<string, string>): string => {
      const file = join(dir, 'clients', `${name}-${++configs}.properties`);
      mkdirSync(join(dir, 'clients'), { recursive: true });
      writeFileSync(file, `${Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n')}\n`, { mode: 0o600 });
      return file;
    };

    return {
      bootstrap,
      caFile,
      plain,
      scram,
      dir,
      brokers,
      javaClientConfig(user, overrides = {}) {
        const { username, password } = users[user];
        const module = user === 'plain' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
        return writeClientFile(`java-${user}`, {
          'bootstrap.servers': bootstrap,
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': user === 'plain' ? 'PLAIN' : 'SCRAM-SHA-512',
          'sasl.jaas.config': `${module} required username="${username}" password="${password}";`,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': caFile,
          ...overrides,
        });
      },
      librdkafkaClientConfig(user, overrides = {}) {
        const { username, password } = users[user];
        return writeClientFile(`librdkafka-${user}`, {
          'bootstrap.servers': bootstrap,
          'security.protocol': 'SASL_SSL',
          'sasl.mechanisms': user === 'plain' ? 'PLAIN' : 'SCRAM-SHA-512',
          'sasl.username': username,
          'sasl.password': password,
          'ssl.ca.location': caFile,
          ...overrides,
        });
      },
      async killBroker(id) {
        const node = nodeById(id);
        const record = node.process;
        if (!record || !isRunning(record)) return;
        signalGroup(record.pid, 'SIGKILL');
        for (let i = 0; i < 100 && isRunning(record); i++) await sleep(100);
        if (isRunning(record)) throw new Error(`broker ${id} (pid ${record.pid}) still runs after SIGKILL`);
        await reaped(record.pid);
        running.delete(record);
        // Until its session times out the controller still counts the dead broker; a restart inside
        // that window would see 3 brokers at once, then 2 while the new incarnation catches up.
        await waitForBrokers(liveNodes(), clientConfig, Date.now() + timeoutMs);
      },
      async restartBroker(id) {
        const node = nodeById(id);
        if (stopped) throw new Error('the cluster was stopped');
        if (node.process && isRunning(node.process)) throw new Error(`broker ${id} is still running: killBroker(${id}) first`);
        await startNode(node, classpath);
        brokers.find((b) => b.id === id)!.pid = node.process!.pid;
        await waitReady(Date.now() + timeoutMs);
      },
      stop,
    };
  } catch (err) {
    const logs = nodes.map((node) => brokerLogTail(node)).filter(Boolean).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}${logs ? `\n${logs}` : ''}`, { cause: err });
  }
}

/** What makes a node one of 3 replicas, and its SASL_SSL listener (PEM keystore, PLAIN and SCRAM). */
function clusterProperties(keystore: string, plain: SecureClusterUser): Record<string, string | number | boolean> {
  const listener = `listener.name.${CLIENT_LISTENER.toLowerCase()}`;
  return {
    'default.replication.factor': 3,
    'min.insync.replicas': 2,
    'offsets.topic.replication.factor': 3,
    'transaction.state.log.replication.factor': 3,
    'transaction.state.log.min.isr': 2,
    // 50 partitions x 3 replicas each, made on a group's or a transaction's first use: fewer start faster.
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.num.partitions': 6,
    // A killed broker is fenced (and leaves every ISR) after 6 s instead of 9 s.
    'broker.heartbeat.interval.ms': 1000,
    'broker.session.timeout.ms': 6000,
    [`${listener}.sasl.enabled.mechanisms`]: 'PLAIN,SCRAM-SHA-512',
    [`${listener}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required user_${plain.username}="${plain.password}";`,
    [`${listener}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    [`${listener}.ssl.keystore.type`]: 'PEM',
    [`${listener}.ssl.keystore.location`]: keystore,
  };
}

async function startNode(node: Node, classpath: string[]): Promise<void> {
  const args = brokerJavaArgs({ classpath, configFile: node.configFile, log4jConfigFile: node.log4jConfigFile, heap: { max: '384m', initial: '128m' } });
  node.process = await startDetached({ pidFile: node.pidFile, logFile: node.outFile }, 'java', args);
  running.add(node.process);
}

/** Until every node answers an authenticated metadata request on its own SASL_SSL listener with 3 brokers. */
/** Until each of nodes (all running) reports exactly nodes.length live brokers. */
async function waitForBrokers(nodes: readonly Node[], config: KafkaClientConfig, deadline: number): Promise<void> {
  let last = 'no answer yet';
  for (;;) {
    for (const node of nodes) {
      if (!node.process || !isRunning(node.process)) throw new Error(`broker ${node.id} exited while starting`); // the caller adds every broker's last log lines
    }
    const answers = await Promise.all(
      nodes.map(async (node) => {
        try {
          const count = await brokerCount(`${HOST}:${node.clientPort}`, config);
          return count === nodes.length ? undefined : `broker ${node.id} knows ${count} brokers`;
        } catch (err) {
          return `broker ${node.id}: ${(err as Error).message}`;
        }
      }),
    );
    const waiting = answers.filter(Boolean);
    if (waiting.length === 0) return;
    last = waiting.join('; ');
    if (Date.now() > deadline) throw new Error(`the secured cluster did not reach ${nodes.length} live brokers in time (${last})`);
    await sleep(250);
  }
}

async function brokerCount(bootstrap: string, config: KafkaClientConfig): Promise<number> {
  const admin = createKafka({ clientId: 'edge-ml-test-ready', bootstrap, config, connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The cluster's connection for kafkajs (createKafka's config): TLS trusting caFile, SASL as the user. */
export function kafkajsConfig(caFile: string, mechanism: 'plain' | 'scram-sha-512', user: SecureClusterUser): KafkaClientConfig {
  const sasl = { mechanism, username: user.username, password: user.password } as SASLOptions;
  return { ssl: { ca: [readFileSync(caFile, 'utf8')] }, sasl, javaProperties: {} };
}

function brokerLogTail(node: Node): string {
  const out = lastLogLine(node.outFile);
  const log = lastLogLine(node.logFile);
  return [log && `broker ${node.id} log (${node.logFile}): ${log}`, out && `broker ${node.id} console (${node.outFile}): ${out}`].filter(Boolean).join('\n');
}

/**
 * A CA and, per broker, a certificate it signed for IP:127.0.0.1 and DNS:localhost (server and
 * client auth); each broker's PEM keystore holds its unencrypted PKCS#8 key, its certificate and
 * the CA's.
 */
async function makeCertificates(dir: string, ids: readonly number[]): Promise<{ caFile: string; keystores: Map<number, string> }> {
  const ca = await makeCa(dir, 'ca');
  const keystores = new Map<number, string>();
  await Promise.all(
    ids.map(async (id) => {
      const broker = await issueCertificate(ca, dir, `broker-${id}`, { altNames: 'IP:127.0.0.1,DNS:localhost', usage: 'both' });
      const keystore = join(dir, `broker-${id}.keystore.pem`);
      writeFileSync(keystore, broker.key + broker.cert + ca.cert, { mode: 0o600 });
      keystores.set(id, keystore);
    }),
  );
  return { caFile: ca.certFile, keystores };
}

/** `count` distinct free loopback ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Random, and made of characters every config syntax here takes as they are (hex). */
function secret(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Until the pid is gone from the process table: a broker is this process's child, and isRunning
 * counts an exited one as gone while it is still a zombie (pgrep and kill -0 still see it) until
 * Node's event loop collects it.
 */
async function reaped(pid: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
