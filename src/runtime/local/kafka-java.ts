import { EdgeMlError } from '../../errors.js';

/** JVM options for Kafka's short-lived tools (the storage formatter): start fast rather than run fast. */
export const JAVA_TOOL_OPTIONS: readonly string[] = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

export function javaMissing(): EdgeMlError {
  return new EdgeMlError('java is not on PATH; the local runtime runs Apache Kafka on a JVM', 'install a JDK or JRE 17 (e.g. apt-get install openjdk-17-jre-headless), or use --runtime docker');
}
