import { isIP } from 'node:net';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DOCKER_MQTT, type DockerMqtt, type Scenario } from '../scenario/scenario.js';
import { UsageError } from '../errors.js';
import type { KafkaTarget } from '../kafka/kafka-client.js';
import { chooseRuntime } from '../runtime/index.js';
import { DEFAULT_PORTS, type Runtime, type UpOptions } from '../runtime/types.js';
import type { GlobalOptions } from './context.js';
import { addKafkaOptions, attachTargetOf, type KafkaFlags } from './kafka-options.js';
import { integerIn, oneOf } from './context.js';
import { jarOption } from './jar-option.js';
import { addMqttServerOptions, mqttSecurityOf, wantsMqttSecurity, type MqttServerFlags } from './mqtt-options.js';

/** The flags of every command that brings the platform up (up, smoke, demo). */
export interface PlatformFlags extends KafkaFlags, MqttServerFlags {
  timeout: number;
  kafkaPort: number;
  ksqlPort: number;
  jar?: string;
  partitions?: number;
  replicationFactor?: number;
  mqtt?: DockerMqtt;
}

/** `up` only: what this machine runs of the pipeline. */
export interface ScaleFlags {
  processors: number;
  mqttEndpoint: boolean;
  processor: boolean;
  mqttBufferBytes?: number;
}

export function addPlatformOptions(command: Command): Command {
  return addMqttServerOptions(addKafkaOptions(command, 'none: the runtime starts its own broker'))
    .option('--timeout <seconds>', 'give up when the platform is not ready after this long', integerIn(1), 300)
    .option('--kafka-port <port>', 'Kafka bootstrap port on the host (the local runtime\'s controller takes the next one)', integerIn(1, 65534), DEFAULT_PORTS.kafka)
    .option('--mqtt-port <port>', 'MQTT port on the host; 0 = MQTTS only', integerIn(0, 65535), DEFAULT_PORTS.mqtt)
    .option('--ksql-port <port>', 'ksqlDB REST port on the host (docker runtime)', integerIn(1, 65535), DEFAULT_PORTS.ksql)
    .option('--host <address>', 'IP address the host ports bind to', ipAddress, DEFAULT_PORTS.host)
    .addOption(
      new Option(
        '--mqtt <service>',
        "docker runtime's MQTT service: proxy (the Confluent MQTT Proxy, as in the tutorial) or endpoint (this project's, built from compose/Dockerfile); default: the scenario's mqtt.docker, proxy",
      ).argParser(oneOf(DOCKER_MQTT)),
    )
    .addOption(jarOption('UDF jar to deploy'))
    .option('--partitions <n>', "with --bootstrap-server: partitions of the topics created (default: the scenario's)", integerIn(1, 100_000))
    .option('--replication-factor <n>', 'with --bootstrap-server: replicas of the topics created (default: min(3, brokers))', integerIn(1, 32));
}

export function addScaleOptions(command: Command): Command {
  return command
    .option('--processors <n>', 'processor instances on this machine; every instance on every machine shares the partitions', integerIn(1, 64), 1)
    .option('--no-mqtt-endpoint', 'run no MQTT endpoint here (this machine adds processors)')
    .option('--no-processor', 'run no processor here (this machine adds an MQTT endpoint)')
    .option('--mqtt-buffer-bytes <n>', 'bytes the MQTT endpoint holds while Kafka is slow or gone before it stops reading from devices (default: 64 MiB, or 1/16 of memory if less)', integerIn(1));
}

/** An IP literal: docker publishes ports only on one, and a typo must not read as "port in use". */
export function ipAddress(text: string): string {
  if (isIP(text) === 0) throw new InvalidArgumentError(`expected an IP address such as 127.0.0.1 or 0.0.0.0, got '${text}'`);
  return text;
}

/**
 * What the flags ask `up` for, and the runtime to run it on: --bootstrap-server means attached
 * mode, which the local runtime runs, so it is the default there.
 */
export async function platformRequest(flags: PlatformFlags & Partial<ScaleFlags>, scenario: Scenario, global: GlobalOptions): Promise<{ runtime: Runtime; upOptions: UpOptions }> {
  const upOptions = upOptionsFrom(flags, scenario, attachTargetOf(flags));
  const runtime = await chooseRuntime(global.runtime ?? (upOptions.attach ? 'local' : undefined), global.stateDir);
  if (runtime.name === 'docker' && (wantsMqttSecurity(upOptions.mqttSecurity) || upOptions.ports.mqtt === 0)) {
    throw new UsageError("the docker runtime's MQTT service takes no TLS, password or ACL file yet", 'run the secured MQTT endpoint on the local runtime: --runtime local');
  }
  // The local runtime always runs this project's endpoint: --mqtt endpoint asks for what it does, --mqtt proxy for what it cannot.
  if (runtime.name === 'local' && flags.mqtt === 'proxy') {
    throw new UsageError('--mqtt proxy: the Confluent MQTT Proxy runs only on the docker runtime', "use --runtime docker, or drop --mqtt (the local runtime runs this project's MQTT endpoint)");
  }
  return { runtime, upOptions };
}

function upOptionsFrom(flags: PlatformFlags & Partial<ScaleFlags>, scenario: Scenario, kafka: KafkaTarget | undefined): UpOptions {
  const scale = { processors: flags.processors ?? 1, mqttEndpoint: flags.mqttEndpoint ?? true, processor: flags.processor ?? true, mqttBufferBytes: flags.mqttBufferBytes };
  if (!kafka && (flags.partitions !== undefined || flags.replicationFactor !== undefined)) {
    throw new UsageError(`${flags.partitions !== undefined ? '--partitions' : '--replication-factor'} is for topics on your own cluster: give --bootstrap-server too`, "the embedded broker's topics follow the scenario");
  }
  if (!scale.mqttEndpoint && !scale.processor) throw new UsageError('--no-mqtt-endpoint with --no-processor leaves nothing to run', 'drop one of them');
  if (!scale.processor && scale.processors !== 1) throw new UsageError('--processors with --no-processor contradict each other', 'drop one of them');
  return {
    scenario,
    ports: { kafka: flags.kafkaPort, mqtt: flags.mqttPort, ksql: flags.ksqlPort, host: flags.host },
    timeoutS: flags.timeout,
    udfJar: flags.jar,
    mqtt: flags.mqtt,
    attach: kafka && { target: kafka, partitions: flags.partitions, replicationFactor: flags.replicationFactor },
    ...scale,
    mqttSecurity: mqttSecurityOf(flags, scale.mqttEndpoint),
  };
}
