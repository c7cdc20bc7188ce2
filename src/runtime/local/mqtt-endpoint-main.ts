/**
 * Process entry of the MQTT endpoint: `node mqtt-endpoint-main.js [config.json]`. The local runtime
 * names a JSON file; the docker runtime's container gives none and sets MQTT_ENDPOINT_* variables
 * instead (mqtt-endpoint-config.ts). Logs to stdout (the supervisor points it at a log file, Docker
 * keeps it) and keeps a status file current.
 */
import { readFileSync } from 'node:fs';
import { loadKafkaClientConfig } from '../../kafka/client-config.js';
import { AclFile } from '../../mqtt-auth/acl-file.js';
import { PasswordFile } from '../../mqtt-auth/password-file.js';
import { parseTopicRegexList } from '../../scenario/scenario.js';
import type { MqttSecurity } from '../types.js';
import { loadEndpointConfig } from './mqtt-endpoint-config.js';
import { startMqttEndpoint } from './mqtt-endpoint.js';
import { writeStatusFile } from './status-file.js';

/** Security files by path only: keys and password hashes are read here, never copied into the JSON. */
export interface MqttEndpointProcessConfig extends MqttSecurity {
  host: string;
  /** 0: no plain MQTT listener. */
  port: number;
  bootstrapServers: string;
  /** The attached cluster's --kafka-config, read here: its secrets stay out of this JSON file. */
  kafkaConfigFile?: string;
  kafkaConfigBaseDir?: string;
  topicRegexList: string;
  maxMessageBytes: number;
  /** Absent: the endpoint's default (DEFAULT_BUFFER_BYTES). */
  bufferBytes?: number;
  statusFile: string;
}

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

let config: MqttEndpointProcessConfig;
try {
  config = loadEndpointConfig(process.argv[2], process.env);
} catch (err) {
  log(`could not start: ${(err as Error).message}`);
  process.exit(1);
}
const mappings = parseTopicRegexList(config.topicRegexList);
if (typeof mappings === 'string') {
  log(`invalid topic.regex.list: ${mappings}`);
  process.exit(1);
}

const startedAt = new Date().toISOString();
try {
  const kafkaConfig = config.kafkaConfigFile ? loadKafkaClientConfig(config.kafkaConfigFile, process.env, config.kafkaConfigBaseDir) : undefined;
  const { tls } = config;
  const endpoint = await startMqttEndpoint({
    ...config,
    kafkaConfig,
    tls: tls && { port: tls.port, cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') },
    passwords: config.passwordFile ? PasswordFile.load(config.passwordFile) : undefined,
    acl: config.aclFile ? AclFile.load(config.aclFile) : undefined,
    topicMappings: mappings,
    log,
  });
  const writeStatus = (state: string): void => writeStatusFile(config.statusFile, { state, startedAt, updatedAt: new Date().toISOString(), ...endpoint.stats() });
  writeStatus('RUNNING');
  const listeners = [config.port > 0 ? `MQTT ${config.host}:${config.port}` : '', tls ? `MQTTS ${config.host}:${tls.port}` : ''].filter(Boolean).join(', ');
  const access = config.passwordFile ? `users of ${config.passwordFile}${config.allowAnonymous ? ' and anonymous clients' : ''}` : 'anonymous clients';
  log(
    `MQTT endpoint listening on ${listeners} for ${access}${config.aclFile ? ` under ${config.aclFile}` : ''}, producing to ${config.bootstrapServers} (${config.topicRegexList}), holding up to ${endpoint.stats().bufferBytes} bytes for Kafka`,
  );
  const timer = setInterval(() => writeStatus('RUNNING'), 2000);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: closing, after Kafka acknowledges what is in flight`);
    clearInterval(timer);
    await endpoint.close();
    writeStatus('STOPPED');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  log(`could not start: ${(err as Error).message}`);
  process.exit(1);
}
