import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { renderStatus } from '../ui/status-view.js';
import { commandContext, withExamples } from './context.js';

export function registerStatus(program: Command): void {
  const status = program
    .command('status')
    .description('show each component: state, health, pid, address, uptime, and the streams being processed')
    .action(async (_flags: unknown, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      const result = await runtime.status();
      ctx.ui.out(renderStatus(ctx.ui, result));
      ctx.ui.json(result);
    });
  withExamples(status, ['edge-ml status', 'edge-ml status --json | jq .components']);
}
