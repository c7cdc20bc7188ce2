import type { Command } from 'commander';
import { runSmoke, type SmokeReport } from '../pipeline/smoke.js';
import type { Ui } from '../ui/ui.js';
import { commandContext, integerIn, numberIn, withExamples } from './context.js';
import { addMqttClientOptions, fleetSize, mqttClientOf, type MqttClientFlags } from './mqtt-options.js';
import { addPlatformOptions, platformRequest, type PlatformFlags } from './platform-options.js';

interface SmokeFlags extends PlatformFlags, MqttClientFlags {
  cars?: number;
  messages?: number;
  minRecall?: number;
  minPrecision?: number;
  seed: number;
  scoreTimeout: number;
  keep: boolean;
}

export function registerSmoke(program: Command): void {
  const smoke = addPlatformOptions(
    addMqttClientOptions(program.command('smoke'), "the smoke's cars")
      .description(
        'the CI smoke run: up, publish labelled cars, read every event back, check nothing was lost and detection meets the minimums, down.\n' +
          'Exit 0 only when every check passes.',
      )
      .option('--cars <n>', "cars to simulate (default: the scenario's smoke.cars)", integerIn(1))
      .option('--messages <m>', "messages per car (default: the scenario's smoke.messages)", integerIn(1))
      // Above 1 is allowed on purpose: a check that must fail (a pipeline's own self-test).
      .option('--min-recall <x>', "fail below this recall (default: the scenario's smoke.minRecall)", numberIn(0))
      .option('--min-precision <y>', "fail below this precision (default: the scenario's smoke.minPrecision)", numberIn(0))
      .option('--seed <n>', 'generator seed: the same seed publishes the same windows', integerIn(0, 2 ** 32 - 1), 42)
      .option('--score-timeout <seconds>', 'how long to wait for the last events to be scored', integerIn(1), 180)
      .option('--keep', 'leave the platform running afterwards', false),
  ).action(async (flags: SmokeFlags, command: Command) => {
    const ctx = commandContext(command);
    const scenario = ctx.scenario();
    const client = mqttClientOf(flags);
    const cars = fleetSize(client, flags.cars, scenario.smoke.cars);
    const { runtime, upOptions } = await platformRequest(flags, scenario, ctx.options);
    const report = await runSmoke(
      runtime,
      upOptions,
      {
        cars,
        messages: flags.messages ?? scenario.smoke.messages,
        minRecall: flags.minRecall ?? scenario.smoke.minRecall,
        minPrecision: flags.minPrecision ?? scenario.smoke.minPrecision,
        seed: flags.seed,
        scoreTimeoutS: flags.scoreTimeout,
        keep: flags.keep,
        client,
      },
      ctx.ui,
    );
    printReport(ctx.ui, report, runtime.name);
    ctx.ui.json(report);
    if (!report.passed) process.exitCode = 1;
  });
  withExamples(smoke, ['edge-ml smoke', 'edge-ml smoke --runtime local --cars 200 --json', 'edge-ml smoke --keep --min-recall 0.95 --min-precision 0.95']);
}

function printReport(ui: Ui, report: SmokeReport, runtime: string): void {
  const { c } = ui;
  ui.out('');
  for (const check of report.checks) ui.out(`${check.passed ? c.green('PASS') : c.red('FAIL')}  ${check.name.padEnd(12)} ${check.detail}`);
  const kinds = Object.entries(report.perKind).map(([kind, recall]) => `${kind} ${recall ?? '-'}`).join(', ');
  ui.out(`\nrecall ${report.recall}, precision ${report.precision} at threshold ${report.threshold} (per kind: ${kinds})`);
  ui.out(`${report.passed ? c.green('smoke passed') : c.red(`smoke failed: ${report.checks.filter((x) => !x.passed).map((x) => x.name).join(', ')}`)} in ${report.durationS} s on the ${runtime} runtime${report.keptRunning ? '; the platform is still running (edge-ml down stops it)' : ''}`);
}
