import type { Command } from 'commander';
import { LabelsFile } from '../dashboard/labels.js';
import { openInBrowser } from '../dashboard/open-url.js';
import { startDashboard, type Dashboard, type DashboardOptions } from '../dashboard/server.js';
import type { KafkaTarget } from '../kafka/kafka-client.js';
import { readPlatform } from '../state/state-dir.js';
import { commandContext, integerIn, withExamples, type CommandContext } from './context.js';
import { addKafkaOptions, kafkaConnection, kafkaTargetOf, type KafkaFlags } from './kafka-options.js';
import { ipAddress } from './platform-options.js';

interface DashboardFlags extends KafkaFlags {
  port: number;
  host: string;
  open: boolean;
  labels?: string;
}

export const DEFAULT_DASHBOARD_PORT = 8080;
/** Exit codes of an interrupted dashboard, as tail's. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function registerDashboard(program: Command): void {
  const dashboard = program
    .command('dashboard')
    .description('serve a web page with the running platform live: stages, fleet, charts, anomalies and why each was flagged')
    .option('--port <port>', 'port to serve on', integerIn(1, 65535), DEFAULT_DASHBOARD_PORT)
    .option('--host <address>', 'IP address to serve on', ipAddress, '127.0.0.1')
    .option('--open', 'open the page in the desktop browser (xdg-open or open, where there is one)', false)
    .option('--labels <file>', 'labels written by edge-ml generate --labels: detection (recall, precision) is shown live');
  addKafkaOptions(dashboard, "the running platform's")
    .addHelpText('after', '\nWithout a running platform the page is served with every stage down, and comes alive when edge-ml up is run. Ctrl-C stops (exit 130).\n')
    .action(async (flags: DashboardFlags, command: Command) => {
      const ctx = commandContext(command);
      const running = await serveDashboard(ctx, flags, { host: flags.host, port: flags.port, labels: flags.labels ? new LabelsFile(flags.labels) : undefined });
      const signal = await untilSignal();
      await running.close();
      process.exitCode = SIGNAL_EXIT[signal] ?? 1;
    });
  withExamples(dashboard, ['edge-ml dashboard --open', 'edge-ml generate --cars 100 --labels labels.jsonl & edge-ml dashboard --labels labels.jsonl', 'edge-ml dashboard --host 0.0.0.0 --port 9000']);
}

/**
 * Starts the dashboard for the platform of the state dir (or the cluster the flags name) and
 * prints its URL first; demo --dashboard uses it too.
 */
export async function serveDashboard(
  ctx: CommandContext,
  flags: KafkaFlags & { open?: boolean },
  where: Pick<DashboardOptions, 'host' | 'port' | 'labels'>,
): Promise<Dashboard> {
  const scenario = ctx.scenario();
  const stateDir = ctx.options.stateDir;
  // A bad --kafka-config is a usage error now, not a retry loop later.
  const given = kafkaConnection(flags);
  for (const warning of given.config.warnings ?? []) ctx.ui.warn(warning);
  // Asked again on every reconnect: a platform started (or restarted elsewhere) later is found.
  const target = (): KafkaTarget | undefined => (given.bootstrap || readPlatform(stateDir) ? kafkaTargetOf(flags, stateDir) : undefined);
  const dashboard = await startDashboard({ ...where, scenario, stateDir, target });
  if (ctx.options.json) ctx.ui.json({ url: dashboard.url });
  else ctx.ui.out(dashboard.url);
  ctx.ui.info(ctx.ui.c.dim(`dashboard for ${target()?.bootstrap ?? 'the platform, once edge-ml up has run'} at ${dashboard.url} (Ctrl-C to stop)`));
  if (flags.open) openInBrowser(dashboard.url);
  return dashboard;
}

/** Resolves with the name of the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (name: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(name);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
