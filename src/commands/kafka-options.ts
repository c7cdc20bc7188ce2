import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { loadKafkaClientConfig, PLAINTEXT_CLIENT_CONFIG, type KafkaClientConfig } from '../kafka/client-config.js';
import { bootstrapProblem } from '../kafka/kafka-client.js';

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

function bootstrapServers(text: string): string {
  const problem = bootstrapProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text;
}
