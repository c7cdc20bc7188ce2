import type { Command } from 'commander';
import { runDemo, type DemoSummary } from '../pipeline/demo.js';
import type { Ui } from '../ui/ui.js';
import { commandContext, integerIn, numberIn, withExamples } from './context.js';
import { addMqttClientOptions, fleetSize, mqttClientOf, type MqttClientFlags } from './mqtt-options.js';
import { addPlatformOptions, platformRequest, type PlatformFlags } from './platform-options.js';

interface DemoFlags extends PlatformFlags, MqttClientFlags {
  cars?: number;
  rate?: number;
  duration: number;
  seed: number;
}

export function registerDemo(program: Command): void {
  const demo = addPlatformOptions(
    addMqttClientOptions(program.command('demo'), "the demo's cars")
      .description(
        'the connected-cars tutorial as narrated steps: start the platform, show the UDF and the KSQL, put cars on the road,\n' +
          'follow the anomalies live, then sum up detection against the injected faults. The platform keeps running.',
      )
      .option('--cars <n>', 'cars to simulate (default: 20, or one per --credentials user)', integerIn(1))
      .option('--rate <r>', "windows per second per car (default: the scenario's)", numberIn(0.01))
      .option('--duration <seconds>', 'how long the cars drive', integerIn(1), 60)
      .option('--seed <n>', 'generator seed', integerIn(0, 2 ** 32 - 1), 1),
  ).action(async (flags: DemoFlags, command: Command) => {
    const ctx = commandContext(command);
    const scenario = ctx.scenario();
    const client = mqttClientOf(flags);
    const cars = fleetSize(client, flags.cars, 20);
    const { runtime, upOptions } = await platformRequest(flags, scenario, ctx.options);
    const interrupted = new AbortController();
    const onInterrupt = (): void => {
      // A second Ctrl-C does not wait for the summary.
      if (interrupted.signal.aborted) process.exit(130);
      interrupted.abort();
    };
    process.on('SIGINT', onInterrupt);
    try {
      const summary = await runDemo(
        runtime,
        upOptions,
        { cars, rate: flags.rate ?? scenario.generator.rate, durationS: flags.duration, seed: flags.seed, signal: interrupted.signal, client },
        ctx.ui,
      );
      printSummary(ctx.ui, summary, runtime.name);
      ctx.ui.json(summary);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  });
  withExamples(demo, ['edge-ml demo', 'edge-ml demo --duration 20 --cars 50', 'edge-ml demo --runtime docker']);
}

function printSummary(ui: Ui, s: DemoSummary, runtime: string): void {
  const { c } = ui;
  const q = s.quality;
  ui.out(`\n${c.bold('Summary')}`);
  ui.out(`${s.cars} cars sent ${s.events} windows; ${s.faultsInjected} carried an injected fault; ${s.anomaliesFlagged} were flagged as anomalies.`);
  ui.out(`Detection against the labels: recall ${q.recall}, precision ${q.precision} at threshold ${q.threshold}.`);
  ui.out(`\nThe ${runtime} platform is still running. Explore it:`);
  ui.out('  edge-ml tail anomalies          follow the anomalies (add --json for machines)');
  ui.out('  edge-ml generate --cars 100     more cars');
  ui.out('  edge-ml status                  what runs where');
  ui.out('  edge-ml down                    stop everything');
}
