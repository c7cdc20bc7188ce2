import { delimiter } from 'node:path';

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
  /** -Xmx and -Xms in place of 512m and 256m (several brokers on one machine each take less). */
  heap?: { max: string; initial: string };
}

/** The arguments of `java` that run the broker (the supervisor starts it detached). */
export function brokerJavaArgs(command: BrokerCommand): string[] {
  const heap = command.heap ? [`-Xmx${command.heap.max}`, `-Xms${command.heap.initial}`] : [];
  const jvmOptions = command.heap ? BROKER_JVM_OPTIONS.filter((option) => !/^-Xm[xs]/.test(option)) : BROKER_JVM_OPTIONS;
  return [...heap, ...jvmOptions, `-Dlog4j.configuration=file:${command.log4jConfigFile}`, '-cp', command.classpath.join(delimiter), 'kafka.Kafka', command.configFile];
}
