import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerJavaArgs } from '../../src/runtime/local/kafka-broker.js';
import { writeBrokerConfig, writeBrokerLog4jConfig } from '../../src/runtime/local/kafka-config.js';
import { resolveKafkaClasspath } from '../../src/runtime/local/kafka-jars.js';
import { waitForKafka } from '../../src/kafka/admin.js';
import { formatStorage } from '../../src/runtime/local/kafka-storage.js';
import { isRunning, startDetached, stopProcess, type ProcessRecord } from '../../src/runtime/local/supervisor.js';
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
  /** The broker process, as the local runtime's supervisor knows it (isRunning, stopProcess). */
  process: ProcessRecord;
  /** Its files (config, data, logs) are in placement.dir. */
  placement: BrokerPlacement;
  /** SIGTERM, then SIGKILL after a bound; resolves when the process is gone. Removes its files unless kept. */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/** Jars are resolved once per machine for all test runs, not once per test. */
export function testJarCache(): string {
  return process.env.EDGE_ML_TEST_CACHE || join(homedir(), '.cache', 'edge-ml-test');
}

/** Steps and warnings as TAP comments on stderr, for test support that starts Kafka. */
export const quietReporter: Reporter = {
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
  const broker = await startDetached({ pidFile: join(dir, 'kafka.pid'), logFile: join(dir, 'kafka.out') }, 'java', brokerJavaArgs({ classpath, configFile, log4jConfigFile }));
  const bootstrap = `127.0.0.1:${kafkaPort}`;
  const stop = async (options: { keepFiles?: boolean } = {}): Promise<void> => {
    await stopProcess(broker, 15_000);
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForKafka({ bootstrap }, 60_000, { alive: () => isRunning(broker), logFile });
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { bootstrap, process: broker, placement, stop };
}
