import type { Command } from 'commander';
import type { Scenario } from '../scenario/scenario.js';
import { DEFAULT_PORTS, type UpOptions } from '../runtime/types.js';
import { integerIn } from './context.js';

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
    .option('--host <address>', 'address the host ports bind to', DEFAULT_PORTS.host)
    .option('--jar <path>', 'UDF jar to deploy (default: udf-jar/target if built, else the committed udf-jar/dist jar)');
}

export function upOptionsFrom(flags: PlatformFlags, scenario: Scenario): UpOptions {
  return {
    scenario,
    ports: { kafka: flags.kafkaPort, mqtt: flags.mqttPort, ksql: flags.ksqlPort, host: flags.host },
    timeoutS: flags.timeout,
    udfJar: flags.jar,
  };
}
