/**
 * Process entry of the local runtime's MQTT endpoint: `node mqtt-endpoint-main.js <config.json>`.
 * Logs to stdout (the supervisor points it at a log file) and keeps a status file current.
 */
import { readFileSync } from 'node:fs';
import { loadKafkaClientConfig } from '../../kafka/client-config.js';
import { parseTopicRegexList } from '../../scenario/scenario.js';
import { startMqttEndpoint } from './mqtt-endpoint.js';
import { writeStatusFile } from './status-file.js';

export interface MqttEndpointProcessConfig {
  host: string;
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

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as MqttEndpointProcessConfig;
const mappings = parseTopicRegexList(config.topicRegexList);
if (typeof mappings === 'string') {
  log(`invalid topic.regex.list: ${mappings}`);
  process.exit(1);
}

const startedAt = new Date().toISOString();
try {
  const kafkaConfig = config.kafkaConfigFile ? loadKafkaClientConfig(config.kafkaConfigFile, process.env, config.kafkaConfigBaseDir) : undefined;
  const endpoint = await startMqttEndpoint({ ...config, kafkaConfig, topicMappings: mappings, log });
  const writeStatus = (state: string): void => writeStatusFile(config.statusFile, { state, startedAt, updatedAt: new Date().toISOString(), ...endpoint.stats() });
  writeStatus('RUNNING');
  log(`MQTT endpoint listening on ${config.host}:${config.port}, producing to ${config.bootstrapServers} (${config.topicRegexList}), holding up to ${endpoint.stats().bufferBytes} bytes for Kafka`);
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
