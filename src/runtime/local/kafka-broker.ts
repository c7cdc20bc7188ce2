import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { EdgeMlError } from '../../errors.js';
import { javaMissing } from './kafka-java.js';

/** A small bounded heap; the serial collector starts fastest and suits one small broker. */
const BROKER_JVM_OPTIONS: readonly string[] = ['-Xmx512m', '-Xms256m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];

export interface BrokerLaunch {
  classpath: readonly string[];
  /** server.properties (writeBrokerConfig). */
  configFile: string;
  /** reload4j properties (writeBrokerLog4jConfig). */
  log4jConfigFile: string;
  /** The JVM's own stdout and stderr are appended here (crashes, JVM errors). */
  outFile: string;
}

/**
 * Starts the broker as a detached process that outlives the caller, and returns its pid once the
 * JVM process exists (not when Kafka is ready: see waitForKafka). The caller keeps the pid.
 */
export async function spawnBroker(launch: BrokerLaunch): Promise<number> {
  mkdirSync(dirname(launch.outFile), { recursive: true });
  const out = openSync(launch.outFile, 'a');
  try {
    const args = [
      ...BROKER_JVM_OPTIONS,
      `-Dlog4j.configuration=file:${launch.log4jConfigFile}`,
      '-cp',
      launch.classpath.join(delimiter),
      'kafka.Kafka',
      launch.configFile,
    ];
    const child = spawn('java', args, { detached: true, stdio: ['ignore', out, out] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? javaMissing() : new EdgeMlError(`starting the Kafka broker failed: ${err.message}`)));
    });
    child.unref();
    return child.pid!;
  } finally {
    closeSync(out);
  }
}
