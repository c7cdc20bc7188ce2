import type { Command } from 'commander';
import { describeKafkaClientConfig, PLAINTEXT_CLIENT_CONFIG } from '../kafka/client-config.js';
import { tailTopic } from '../tail/tail-consumer.js';
import { recordJson, recordLine, type FormatContext } from '../tail/tail-record.js';
import { resolveTailTarget, TAIL_ALIASES } from '../tail/tail-target.js';
import { commandContext, integerIn, numberIn, withExamples } from './context.js';
import { addKafkaOptions, kafkaTargetOf, type KafkaFlags } from './kafka-options.js';

interface TailFlags extends KafkaFlags {
  fromBeginning: boolean;
  max?: number;
  timeout?: number;
  group?: string;
}

/** Exit codes of an interrupted tail, as shells report a process ended by the signal. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function registerTail(program: Command): void {
  const tail = program
    .command('tail')
    .description(`print records of a topic as they arrive: ${TAIL_ALIASES.join(', ')} (from the scenario) or any topic name`)
    .argument('[stream]', `${TAIL_ALIASES.join(' | ')} | TOPIC`, 'anomalies')
    .option('--from-beginning', 'start at the oldest record (with --group: only when the group has no committed offset)', false)
    .option('--max <n>', 'exit after N records', integerIn(1))
    .option('--timeout <s>', 'exit 0 after S seconds without a record', numberIn(0.1))
    .option('--group <id>', 'consumer group whose offsets are committed (default: none, nothing is committed)');
  addKafkaOptions(tail, 'the running platform\'s')
    .addHelpText('after', '\nWith --json: one JSON object per line; scores and anomalies as ksqlDB rows (MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL),\nsensors as MQTT_TOPIC, CARID, EVENTID, READINGS (+ INVALID). Ctrl-C stops (exit 130).\n')
    .action(async (stream: string, flags: TailFlags, command: Command) => {
      const ctx = commandContext(command);
      const scenario = ctx.scenario();
      const { bootstrap, config = PLAINTEXT_CLIENT_CONFIG } = kafkaTargetOf(flags, ctx.options.stateDir);
      for (const warning of config.warnings ?? []) ctx.ui.warn(warning);
      const target = resolveTailTarget(stream, scenario);
      const format: FormatContext = { shape: target.shape, scenario, c: ctx.ui.c };

      const interrupt = new AbortController();
      let signalName: string | undefined;
      const onSignal = (name: NodeJS.Signals): void => {
        signalName = name;
        interrupt.abort();
      };
      // A reader that went away (`| head`) ends the tail like Ctrl-C, without an EPIPE crash.
      const onStdoutError = (): void => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      process.stdout.on('error', onStdoutError);
      const security = config.file ? `, ${describeKafkaClientConfig(config)}` : '';
      if (ctx.ui.interactive) ctx.ui.info(ctx.ui.c.dim(`reading ${target.topic} on ${bootstrap}${security} (Ctrl-C to stop)`));
      try {
        const result = await tailTopic(
          { bootstrap, config, topic: target.topic, fromBeginning: flags.fromBeginning, max: flags.max, idleTimeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000, groupId: flags.group, signal: interrupt.signal },
          (record) => (ctx.options.json ? ctx.ui.json(recordJson(record, format)) : ctx.ui.out(recordLine(record, format))),
        );
        ctx.ui.debug(`${result.records} records (${result.end})`);
        if (signalName) process.exitCode = SIGNAL_EXIT[signalName] ?? 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.stdout.off('error', onStdoutError);
      }
    });
  withExamples(tail, [
    'edge-ml tail',
    'edge-ml tail scores --from-beginning --max 10 --json | jq .ANOMALY_VAL',
    'edge-ml tail sensors --timeout 15',
    'edge-ml tail ANOMALYDETECTION --bootstrap-server 127.0.0.1:9092 --group dashboard',
    'edge-ml tail scores --kafka-config ccloud.properties',
  ]);
}
