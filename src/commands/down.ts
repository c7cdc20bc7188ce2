import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { commandContext, withExamples } from './context.js';

export function registerDown(program: Command): void {
  const down = program
    .command('down')
    .description('stop everything edge-ml started; nothing running is not an error')
    .option('--volumes', 'also delete the local data (the embedded Kafka\'s logs, topics and offsets; the processors\' state)', false)
    .option('--delete-topics', "attached to your own cluster: also delete the scenario's topics there (never done otherwise)", false)
    .action(async (flags: { volumes: boolean; deleteTopics: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      await runtime.down({ volumes: flags.volumes, deleteTopics: flags.deleteTopics }, ctx.ui);
      ctx.ui.out(`stopped (${runtime.name} runtime)${flags.volumes ? ', local data deleted' : ''}${flags.deleteTopics ? ', topics deleted' : ''}`);
      ctx.ui.json({ runtime: runtime.name, stopped: true, volumesDeleted: flags.volumes, topicsDeleted: flags.deleteTopics });
    });
  withExamples(down, ['edge-ml down', 'edge-ml down --volumes', 'edge-ml down --delete-topics   # attached: the scenario\'s topics on your cluster too']);
}
