import type { Command } from 'commander';
import { runDemo, type DemoSummary } from '../pipeline/demo.js';
import { liveLabels } from '../dashboard/labels.js';
import type { Ui } from '../ui/ui.js';
import { DEFAULT_DASHBOARD_PORT, serveDashboard, untilSignal } from './dashboard.js';
import { commandContext, integerIn, numberIn, withExamples } from './context.js';
import { addMqttClientOptions, fleetSize, mqttClientOf, type MqttClientFlags } from './mqtt-options.js';
import { addPlatformOptions, platformRequest, type PlatformFlags } from './platform-options.js';

interface DemoFlags extends PlatformFlags, MqttClientFlags {
  cars?: number;
  rate?: number;
  duration: number;
  seed: number;
  dashboard: boolean;
  dashboardPort: number;
}

/** How long the cars wait for the dashboard's consumer. */
const DASHBOARD_READY_MS = 30_000;

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
      .option('--seed <n>', 'generator seed', integerIn(0, 2 ** 32 - 1), 1)
      .option('--dashboard', 'serve the dashboard too (on --host), its URL printed first; it shows the demo\'s detection live and serves on after the summary until Ctrl-C', false)
      .option('--dashboard-port <port>', 'the dashboard\'s port', integerIn(1, 65535), DEFAULT_DASHBOARD_PORT),
  ).action(async (flags: DemoFlags, command: Command) => {
    const ctx = commandContext(command);
    const scenario = ctx.scenario();
    const client = mqttClientOf(flags);
    const cars = fleetSize(client, flags.cars, 20);
    const { runtime, upOptions } = await platformRequest(flags, scenario, ctx.options);
    // Before the platform starts: the page shows it coming up.
    const dashboard = flags.dashboard ? await serveDashboard(ctx, flags, { host: flags.host, port: flags.dashboardPort }) : undefined;
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
        {
          cars,
          rate: flags.rate ?? scenario.generator.rate,
          durationS: flags.duration,
          seed: flags.seed,
          signal: interrupted.signal,
          client,
          beforeCars: async (faults, carNames) => {
            if (!dashboard) return;
            dashboard.useLabels(liveLabels(faults, carNames));
            // The page should see every car from its first window: its consumer reads from the topics' ends.
            if (!(await dashboard.untilLive(DASHBOARD_READY_MS))) ctx.ui.warn(`the dashboard is not reading Kafka yet after ${DASHBOARD_READY_MS / 1000} s; the cars start anyway`);
          },
        },
        ctx.ui,
      );
      printSummary(ctx.ui, summary, runtime.name);
      ctx.ui.json(summary);
      if (dashboard && !interrupted.signal.aborted) {
        process.off('SIGINT', onInterrupt);
        ctx.ui.info(`The dashboard serves on at ${dashboard.url} (Ctrl-C to stop).`);
        process.exitCode = (await untilSignal()) === 'SIGINT' ? 130 : 143;
      }
    } finally {
      process.off('SIGINT', onInterrupt);
      await dashboard?.close();
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
