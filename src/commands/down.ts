import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { commandContext, withExamples } from './context.js';

export function registerDown(program: Command): void {
  const down = program
    .command('down')
    .description('stop everything edge-ml started; nothing running is not an error')
    .option('--volumes', 'also delete the data (Kafka logs, topics, offsets)', false)
    .action(async (flags: { volumes: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      await runtime.down({ volumes: flags.volumes }, ctx.ui);
      ctx.ui.out(`stopped (${runtime.name} runtime)${flags.volumes ? ', data deleted' : ''}`);
      ctx.ui.json({ runtime: runtime.name, stopped: true, volumesDeleted: flags.volumes });
    });
  withExamples(down, ['edge-ml down', 'edge-ml down --volumes']);
}
