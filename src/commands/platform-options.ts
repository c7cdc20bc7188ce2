import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import type { Scenario } from '../scenario/scenario.js';
import { DEFAULT_PORTS, type UpOptions } from '../runtime/types.js';
import { integerIn } from './context.js';
import { jarOption } from './jar-option.js';

/** The flags of every command that brings the platform up (up, smoke, demo). */
export interface PlatformFlags {
  timeout: number;
  kafkaPort: number;
  mqttPort: number;
  ksqlPort: number;
  host: string;
  jar?: string;
}

export function addPlatformOptions(command: Command): Command {
  return command
    .option('--timeout <seconds>', 'give up when the platform is not ready after this long', integerIn(1), 300)
    .option('--kafka-port <port>', 'Kafka bootstrap port on the host (the local runtime\'s controller takes the next one)', integerIn(1, 65534), DEFAULT_PORTS.kafka)
    .option('--mqtt-port <port>', 'MQTT port on the host', integerIn(1, 65535), DEFAULT_PORTS.mqtt)
    .option('--ksql-port <port>', 'ksqlDB REST port on the host (docker runtime)', integerIn(1, 65535), DEFAULT_PORTS.ksql)
    .option('--host <address>', 'IP address the host ports bind to', ipAddress, DEFAULT_PORTS.host)
    .addOption(jarOption('UDF jar to deploy'));
}

/** An IP literal: docker publishes ports only on one, and a typo must not read as "port in use". */
function ipAddress(text: string): string {
  if (isIP(text) === 0) throw new InvalidArgumentError(`expected an IP address such as 127.0.0.1 or 0.0.0.0, got '${text}'`);
  return text;
}

export function upOptionsFrom(flags: PlatformFlags, scenario: Scenario): UpOptions {
  return {
    scenario,
    ports: { kafka: flags.kafkaPort, mqtt: flags.mqttPort, ksql: flags.ksqlPort, host: flags.host },
    timeoutS: flags.timeout,
    udfJar: flags.jar,
  };
}
