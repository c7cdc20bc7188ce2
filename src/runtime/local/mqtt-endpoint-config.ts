/**
 * Where mqtt-endpoint-main.ts gets its configuration: the JSON file named on its command line (the
 * local runtime writes one), or else the environment (the docker runtime's container): every field
 * `fooBar` of the JSON is the variable MQTT_ENDPOINT_FOO_BAR. One contract, two carriers.
 */
import { readFileSync } from 'node:fs';
import type { MqttEndpointProcessConfig } from './mqtt-endpoint-main.js';

/** Every field of the JSON config and how its variable is read; a field added there must be added here. */
const FIELDS: Record<keyof MqttEndpointProcessConfig, { kind: 'string' | 'integer' | 'boolean' | 'json'; required: boolean }> = {
  host: { kind: 'string', required: true },
  port: { kind: 'integer', required: true },
  bootstrapServers: { kind: 'string', required: true },
  kafkaConfigFile: { kind: 'string', required: false },
  kafkaConfigBaseDir: { kind: 'string', required: false },
  topicRegexList: { kind: 'string', required: true },
  maxMessageBytes: { kind: 'integer', required: true },
  statusFile: { kind: 'string', required: true },
  bufferBytes: { kind: 'integer', required: false },
  // TLS, users and ACL: file paths (mounted into the container), never their contents.
  tls: { kind: 'json', required: false },
  passwordFile: { kind: 'string', required: false },
  allowAnonymous: { kind: 'boolean', required: false },
  aclFile: { kind: 'string', required: false },
};

export const ENV_PREFIX = 'MQTT_ENDPOINT_';

/**
 * Node's options for the endpoint process, wherever it runs (the local runtime's spawn, the
 * container's CMD). A young generation of 16 MB semi-spaces, as Node 20 and 22 size it: Node 24's V8
 * sizes it from the machine's memory (64 MB semi-spaces on 24 GiB), and in the Kafka outage test the
 * endpoint's peak RSS went from 229 MB (Node 22) to 338 MB (Node 24) with the same 34 MB held.
 */
export const ENDPOINT_NODE_OPTIONS = ['--max-semi-space-size=16'];

/** The variable of a config field: `maxMessageBytes` -> MQTT_ENDPOINT_MAX_MESSAGE_BYTES. */
export function envName(field: string): string {
  return ENV_PREFIX + field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** The config from the JSON file when one is named, else from the environment; a problem is thrown naming the file or variable. */
export function loadEndpointConfig(file: string | undefined, env: NodeJS.ProcessEnv): MqttEndpointProcessConfig {
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as MqttEndpointProcessConfig;
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [field, { kind, required }] of Object.entries(FIELDS)) {
    const name = envName(field);
    const text = env[name]?.trim();
    if (!text) {
      if (required) problems.push(`${name} is not set`);
      continue;
    }
    const value = parseValue(kind, text);
    if (value === undefined) problems.push(`${name} must be ${DESCRIPTIONS[kind]}, got '${text}'`);
    else config[field] = value;
  }
  if (problems.length > 0) throw new Error(`no config file given, and the environment does not configure the endpoint: ${problems.join('; ')}`);
  return config as unknown as MqttEndpointProcessConfig;
}

const DESCRIPTIONS = { string: 'text', integer: 'a whole number', boolean: 'true or false', json: 'JSON' } as const;

function parseValue(kind: keyof typeof DESCRIPTIONS, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'integer') return /^\d+$/.test(text) ? Number(text) : undefined;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
