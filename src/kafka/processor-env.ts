import type { KafkaClientConfig } from './client-config.js';

/** The variable the processor (ProcessorConfig.java) reads its client properties from. */
export const CLIENT_PROPERTIES_ENV = 'EDGE_ML_KAFKA_CLIENT_PROPERTIES';

/**
 * The processor's environment: the client properties as java.util.Properties text. They hold
 * secrets, so they travel in the environment of the child only, never in argv (`ps` shows it) or
 * a file in the state dir.
 */
export function processorEnvironment(config: KafkaClientConfig | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env[CLIENT_PROPERTIES_ENV];
  const entries = Object.entries(config?.javaProperties ?? {});
  if (entries.length > 0) env[CLIENT_PROPERTIES_ENV] = entries.map(([key, value]) => `${escape(key, true)}=${escape(value, false)}`).join('\n');
  return env;
}

/** java.util.Properties escaping: backslashes, line breaks, and in keys the separators. */
function escape(text: string, isKey: boolean): string {
  let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (isKey) out = out.replace(/([=: #!])/g, '\\$1');
  else out = out.replace(/^([ #!])/, '\\$1');
  return out;
}
