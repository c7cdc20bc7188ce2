import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { applyScript } from '../ksql/apply.js';
import { chooseRuntime } from '../runtime/index.js';
import { commandContext, withExamples } from './context.js';
import { addKsqlConnectionOptions, KSQL_CONNECTION_EXAMPLES, ksqlConnection } from './ksql-connection.js';

export function registerKsql(program: Command): void {
  const ksql = addKsqlConnectionOptions(
    program.command('ksql').description("run KSQL statements on ksqlDB: the docker runtime's, or any ksqlDB with --ksql-url (with credentials and TLS where it needs them)"),
  );
  withExamples(ksql, ['edge-ml ksql run "SHOW STREAMS;"', ...KSQL_CONNECTION_EXAMPLES]);

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
  withExamples(apply, ['edge-ml ksql apply', 'edge-ml ksql apply my-streams.sql', 'edge-ml ksql --ksql-url http://ksqldb.example:8088 apply', KSQL_CONNECTION_EXAMPLES[1]!]);

  const run = ksql
    .command('run <statement>')
    .description('run one KSQL statement and print the server\'s answer')
    .action(async (statement: string, _flags: unknown, command: Command) => {
      const ctx = commandContext(command);
      const results = await runScript(command, statement);
      for (const line of results) ctx.ui.out(line);
      ctx.ui.json({ results });
    });
  withExamples(run, ['edge-ml ksql run "SHOW STREAMS;"', 'edge-ml ksql run "DESCRIBE FUNCTION ANOMALY;"', KSQL_CONNECTION_EXAMPLES[0]!]);
}

/** On the ksqlDB given by --ksql-url, else on the running platform's. */
async function runScript(command: Command, script: string): Promise<string[]> {
  const ctx = commandContext(command);
  const connection = ksqlConnection(command);
  if (connection) {
    // Allowed (a proxy may add TLS on the same machine), but basic auth over plain http is readable on the way.
    if (connection.credentials && connection.url.startsWith('http:')) ctx.ui.warn(`the ksqlDB API key and secret go unencrypted over ${connection.url}; use https:// unless TLS is added on this machine`);
    return applyScript(connection.url, script, ctx.ui, connection);
  }
  const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
  return runtime.applyKsql(script, ctx.ui);
}
