import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { chooseRuntime } from '../runtime/index.js';
import { commandContext, withExamples } from './context.js';

export function registerKsql(program: Command): void {
  const ksql = program.command('ksql').description('run KSQL statements on ksqlDB (docker runtime)');

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
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      const results = await runtime.applyKsql(text, ctx.ui);
      for (const line of results) ctx.ui.out(line);
      ctx.ui.json({ applied: results });
    });
  withExamples(apply, ['edge-ml ksql apply', 'edge-ml ksql apply my-streams.sql']);

  const run = ksql
    .command('run <statement>')
    .description('run one KSQL statement and print the server\'s answer')
    .action(async (statement: string, _flags: unknown, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      const results = await runtime.applyKsql(statement, ctx.ui);
      for (const line of results) ctx.ui.out(line);
      ctx.ui.json({ results });
    });
  withExamples(run, ['edge-ml ksql run "SHOW STREAMS;"', 'edge-ml ksql run "DESCRIBE FUNCTION ANOMALY;"']);
}
