import { InvalidArgumentError, type Command } from 'commander';
import { EdgeMlError, UsageError } from '../errors.js';
import { loadKafkaClientConfig, PLAINTEXT_CLIENT_CONFIG, type KafkaClientConfig } from '../kafka/client-config.js';
import { bootstrapProblem, type KafkaTarget } from '../kafka/kafka-client.js';
import { readPlatform } from '../state/state-dir.js';

/**
 * The Kafka connection flags of every command that talks to Kafka:
 *   --bootstrap-server <host:port[,...]>   (added only where the command has none of its own)
 *   --kafka-config <file>                  a client properties file, Java or librdkafka style
 *   --command-config <file>                the same, under the Apache Kafka tools' name
 * Use:
 *   addKafkaOptions(command, 'default: the running platform\'s');
 *   command.action((flags: KafkaFlags & ...) => { const { bootstrap, config } = kafkaConnection(flags); ... });
 * then createKafka({ clientId, bootstrap, config }) and, for the Java processor, config.javaProperties.
 */

/** What commander parses into the command's options. */
export interface KafkaFlags {
  bootstrapServer?: string;
  kafkaConfig?: string;
  commandConfig?: string;
}

export interface KafkaConnection {
  /** --bootstrap-server, else the file's bootstrap.servers, else undefined (the caller's default). */
  bootstrap?: string;
  /** From the file; PLAINTEXT_CLIENT_CONFIG without one. */
  config: KafkaClientConfig;
}

/** Adds the flags; `bootstrapDefault` says in --help what happens without --bootstrap-server. */
export function addKafkaOptions(command: Command, bootstrapDefault: string): Command {
  if (!command.options.some((o) => o.long === '--bootstrap-server')) {
    command.option('--bootstrap-server <host:port>', `Kafka to connect to, host:port[,host:port...] (default: the --kafka-config file's bootstrap.servers, else ${bootstrapDefault})`, bootstrapServers);
  }
  return command
    .option('--kafka-config <file>', 'Kafka client properties (security.protocol, SASL, TLS), Java or librdkafka style; ${VAR} is taken from the environment')
    .option('--command-config <file>', 'the same as --kafka-config (the Apache Kafka tools\' name)');
}

/** The bootstrap and client config the flags give; a bad file, or two different files, is a UsageError (exit 2). */
export function kafkaConnection(flags: KafkaFlags, env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  const { kafkaConfig, commandConfig } = flags;
  if (kafkaConfig !== undefined && commandConfig !== undefined && kafkaConfig !== commandConfig) {
    throw new UsageError(`--kafka-config ${kafkaConfig} and --command-config ${commandConfig} name different files`, 'they are the same option: give one of them');
  }
  const file = kafkaConfig ?? commandConfig;
  const config = file === undefined ? PLAINTEXT_CLIENT_CONFIG : loadKafkaClientConfig(file, env);
  return { bootstrap: flags.bootstrapServer ?? config.bootstrap, config };
}

/**
 * The cluster a reading command talks to: the flags', else the running platform's (an attached
 * platform's config file read again: the state dir keeps its path only).
 */
export function kafkaTargetOf(flags: KafkaFlags, stateDir: string, env: NodeJS.ProcessEnv = process.env): KafkaTarget {
  const given = kafkaConnection(flags, env);
  if (given.bootstrap) return { bootstrap: given.bootstrap, config: given.config };
  const platform = readPlatform(stateDir)?.endpoints;
  if (!platform) throw new EdgeMlError('no running platform found; run edge-ml up or give --bootstrap-server', `the state dir ${stateDir} records no platform`);
  const config = given.config.file || !platform.kafkaConfigFile ? given.config : loadKafkaClientConfig(platform.kafkaConfigFile, env, platform.kafkaConfigBaseDir);
  return { bootstrap: platform.bootstrapServers, config };
}

/** `up`, `smoke`, `demo`: a bootstrap server means attached mode, on the cluster it names. */
export function attachTargetOf(flags: KafkaFlags, env: NodeJS.ProcessEnv = process.env): KafkaTarget | undefined {
  const { bootstrap, config } = kafkaConnection(flags, env);
  if (bootstrap) return { bootstrap, config };
  if (config.file) throw new UsageError(`${config.file} has no bootstrap.servers and no --bootstrap-server was given`, 'add --bootstrap-server host:port (your cluster), or bootstrap.servers to the file');
  return undefined;
}

function bootstrapServers(text: string): string {
  const problem = bootstrapProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text;
}
