import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { renderStatus } from '../ui/status-view.js';
import { commandContext, withExamples } from './context.js';
import { addPlatformOptions, upOptionsFrom, type PlatformFlags } from './platform-options.js';

export function registerUp(program: Command): void {
  const up = addPlatformOptions(
    program
      .command('up')
      .description('start the platform: Kafka, the MQTT endpoint and the stream processor with the ANOMALY UDF, and wait until ready'),
  ).action(async (flags: PlatformFlags, command: Command) => {
    const ctx = commandContext(command);
    // A broken scenario is a usage error before the runtime is even chosen (a docker probe).
    const options = upOptionsFrom(flags, ctx.scenario());
    const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
    const status = await runtime.up(options, ctx.ui);
    ctx.ui.out(renderStatus(ctx.ui, status));
    ctx.ui.out('\nNext: edge-ml generate --cars 100   then   edge-ml tail anomalies');
    ctx.ui.json(status);
  });
  withExamples(up, ['edge-ml up', 'edge-ml up --runtime local --mqtt-port 11883', 'edge-ml up --runtime docker --timeout 600']);
}
