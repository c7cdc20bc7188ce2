import { Command, CommanderError, Option } from 'commander';
import { EdgeMlError, errorMessage } from './errors.js';
import { parseRuntimeName } from './commands/context.js';
import { registerCommands } from './commands/index.js';
import { redactSecrets } from './secrets.js';

export function buildProgram(): Command {
  const program = new Command('edge-ml')
    .description(
      'Deep learning at the edge with MQTT, Kafka and ksqlDB: the connected-cars demo as scripted steps.\n' +
        'Cars publish sensor readings over MQTT, Kafka stores them, an autoencoder UDF scores them.',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .addOption(new Option('--runtime <name>', 'docker (Confluent Platform) or local (embedded); default: the running one, else docker when an engine answers, else local').argParser(parseRuntimeName))
    .option('--scenario <name|path>', 'scenario name in scenarios/ or a path to a .yaml file', 'connected-cars')
    .option('--state-dir <dir>', 'where the running platform is recorded (default: $EDGE_ML_HOME or ~/.edge-ml)')
    .option('--json', 'machine-readable output on stdout', false)
    .option('--verbose', 'more detail on stderr', false)
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .showSuggestionAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 usage error, 130 interrupted. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

/** The one place errors are printed; secrets read this run (passwords, keys) come out as ***. */
function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message. --help and --version exit 0; help shown because
    // a command with subcommands was given none (`edge-ml udf`) is a usage error like the rest.
    return err.exitCode === 0 ? 0 : 2;
  }
  const print = (text: string): boolean => process.stderr.write(redactSecrets(text));
  if (err instanceof EdgeMlError) {
    print(`edge-ml: ${err.message}\n`);
    if (err.hint) print(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  print(`edge-ml: unexpected error: ${errorMessage(err)}\n`);
  if (err instanceof Error && err.stack && process.env.EDGE_ML_DEBUG) print(`${err.stack}\n`);
  print('  hint: run again with EDGE_ML_DEBUG=1 for a stack trace, and report it if it repeats\n');
  return 1;
}
