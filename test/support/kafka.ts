import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBroker } from '../../src/runtime/local/kafka-broker.js';
import { writeBrokerConfig, writeBrokerLog4jConfig } from '../../src/runtime/local/kafka-config.js';
import { resolveKafkaClasspath } from '../../src/runtime/local/kafka-jars.js';
import { waitForKafka } from '../../src/runtime/local/kafka-admin.js';
import { formatStorage } from '../../src/runtime/local/kafka-storage.js';
import type { Reporter } from '../../src/runtime/types.js';
import { freePort } from './ports.js';

/** Where a test broker lives: its files and ports. Give the same placement to start it again. */
export interface BrokerPlacement {
  dir: string;
  kafkaPort: number;
  controllerPort: number;
}

export interface TestKafka {
  bootstrap: string;
  pid: number;
  /** Its files (config, data, logs) are in placement.dir. */
  placement: BrokerPlacement;
  /** SIGTERM, then SIGKILL after a bound; resolves when the process is gone. Removes its files unless kept. */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/** Jars are resolved once per machine for all test runs, not once per test. */
export function testJarCache(): string {
  return process.env.EDGE_ML_TEST_CACHE || join(homedir(), '.cache', 'edge-ml-test');
}

const quietReporter: Reporter = {
  step: (title, work) => {
    process.stderr.write(`# ${title}\n`);
    return work();
  },
  info: () => undefined,
  warn: (message) => process.stderr.write(`# warning: ${message}\n`),
};

/**
 * A real single-node Kafka in a temp dir on free ports, or again in an earlier placement (its data
 * kept, not formatted again). Always pair with stop() in an after hook.
 */
export async function startTestKafka(earlier?: BrokerPlacement): Promise<TestKafka> {
  const classpath = await resolveKafkaClasspath(testJarCache(), quietReporter);
  const placement = earlier ?? { dir: mkdtempSync(join(tmpdir(), 'edge-ml-kafka-')), kafkaPort: await freePort(), controllerPort: await freePort() };
  const { dir, kafkaPort, controllerPort } = placement;
  const configFile = join(dir, 'server.properties');
  const log4jConfigFile = join(dir, 'log4j.properties');
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'kafka.log');
  writeBrokerConfig(configFile, { host: '127.0.0.1', kafkaPort, controllerPort, dataDir });
  writeBrokerLog4jConfig(log4jConfigFile, logFile);
  await formatStorage(classpath, configFile, dataDir);
  const pid = await spawnBroker({ classpath, configFile, log4jConfigFile, outFile: join(dir, 'kafka.out') });
  const bootstrap = `127.0.0.1:${kafkaPort}`;
  const stop = async (options: { keepFiles?: boolean } = {}): Promise<void> => {
    await stopProcess(pid, 15_000);
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForKafka(bootstrap, 60_000, { alive: () => processAlive(pid), logFile });
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { bootstrap, pid, placement, stop };
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) STATE ..."; Z is a zombie.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function stopProcess(pid: number, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) {
    signal('SIGKILL');
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}
