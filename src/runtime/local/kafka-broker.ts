import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { EdgeMlError } from '../../errors.js';
import { javaMissing } from './kafka-java.js';

/**
 * A small bounded heap; the serial collector suits one small broker. C1 only (TieredStopAtLevel=1):
 * measured on 2 busy cores, the broker was ready in about 4 s instead of 8.5 s, and ingesting 200,000
 * car messages took it less CPU, not more (its hot paths are I/O and native code; C2's compiler
 * threads cost more than they gain).
 */
const BROKER_JVM_OPTIONS: readonly string[] = ['-Xmx512m', '-Xms256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];

export interface BrokerCommand {
  classpath: readonly string[];
  /** server.properties (writeBrokerConfig). */
  configFile: string;
  /** reload4j properties (writeBrokerLog4jConfig). */
  log4jConfigFile: string;
}

/** The arguments of `java` that run the broker, for callers that spawn it themselves. */
export function brokerJavaArgs(command: BrokerCommand): string[] {
  return [...BROKER_JVM_OPTIONS, `-Dlog4j.configuration=file:${command.log4jConfigFile}`, '-cp', command.classpath.join(delimiter), 'kafka.Kafka', command.configFile];
}

export interface BrokerLaunch extends BrokerCommand {
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
    const child = spawn('java', brokerJavaArgs(launch), { detached: true, stdio: ['ignore', out, out] });
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
