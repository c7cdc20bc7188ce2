import { readFileSync, existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { applyScript } from '../ksql/apply.js';
import { chooseRuntime } from '../runtime/index.js';
import { commandContext, withExamples } from './context.js';

export function registerKsql(program: Command): void {
  const ksql = program
    .command('ksql')
    .description("run KSQL statements on ksqlDB: the docker runtime's, or any ksqlDB with --ksql-url")
    .option('--ksql-url <url>', 'an existing ksqlDB server instead of the running platform (e.g. http://ksqldb:8088)', httpUrl);

  const apply = ksql
    .command('apply [file]')
    .description("apply a file of KSQL statements (default: the scenario's), in order, idempotently")
    .action(async (file: string | undefined, _flags: unknown, command: Command) => {
      const ctx = commandContext(command);
      let text: string;
      if (file) {
        if (!existsSync(file)) throw new UsageError(`KSQL file ${file} does not exist`, 'give the path of a .sql file');
        text = readFileSync(file, 'utf8');
      } else {
        text = ctx.scenario().ksql.text;
      }
      const results = await runScript(command, text);
      for (const line of results) ctx.ui.out(line);
      ctx.ui.json({ applied: results });
    });
  withExamples(apply, ['edge-ml ksql apply', 'edge-ml ksql apply my-streams.sql', 'edge-ml ksql --ksql-url http://ksqldb.example:8088 apply']);

  const run = ksql
    .command('run <statement>')
    .description('run one KSQL statement and print the server\'s answer')
    .action(async (statement: string, _flags: unknown, command: Command) => {
      const ctx = commandContext(command);
      const results = await runScript(command, statement);
      for (const line of results) ctx.ui.out(line);
      ctx.ui.json({ results });
    });
  withExamples(run, ['edge-ml ksql run "SHOW STREAMS;"', 'edge-ml ksql run "DESCRIBE FUNCTION ANOMALY;"']);
}

/** Checked when parsed: a typo used to pass until the first request and read as "cannot reach ksqlDB" (exit 1). */
function httpUrl(text: string): string {
  const protocol = URL.canParse(text) ? new URL(text).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidArgumentError(`expected an http:// or https:// URL such as http://localhost:8088, got '${text}'`);
  return text;
}

/** On the ksqlDB given by --ksql-url, else on the running platform's. */
async function runScript(command: Command, script: string): Promise<string[]> {
  const ctx = commandContext(command);
  const { ksqlUrl } = command.optsWithGlobals() as { ksqlUrl?: string };
  if (ksqlUrl) return applyScript(ksqlUrl, script, ctx.ui);
  const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
  return runtime.applyKsql(script, ctx.ui);
}
