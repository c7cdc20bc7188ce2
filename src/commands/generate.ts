import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { datasetFormatOf, writeDataset } from '../generator/dataset.js';
import { parseFaultKinds } from '../generator/faults.js';
import { commandContext, integerIn, numberIn, withExamples } from './context.js';

interface GenerateFlags {
  cars?: number;
  count?: number;
  seed: number;
  anomalyRate?: number;
  anomalyKinds: string;
  output?: string;
}

// INTERIM: only --output works so far; publishing over MQTT is issue 3's work.
export function registerGenerate(program: Command): void {
  const generate = program
    .command('generate')
    .description('simulate cars: smooth engine-temperature windows with labelled injected faults')
    .option('--cars <n>', 'number of cars (default: the scenario\'s)', integerIn(1))
    .option('--count <m>', 'messages per car', integerIn(1))
    .option('--seed <n>', 'random seed: same seed, same payloads', integerIn(0, 2 ** 32 - 1), 1)
    .option('--anomaly-rate <f>', 'fraction of messages carrying an injected fault (default: the scenario\'s)', numberIn(0, 1))
    .option('--anomaly-kinds <list>', 'comma-separated fault kinds: spike,shift,flatline,noise or all', 'all')
    .option('--output <file>', 'write labelled windows to FILE.csv or FILE.jsonl instead of publishing (no broker needed)')
    .action(async (flags: GenerateFlags, command: Command) => {
      const ctx = commandContext(command);
      const scenario = ctx.scenario();
      const kinds = parseFaultKinds(flags.anomalyKinds);
      if (typeof kinds === 'string') throw new UsageError(`--anomaly-kinds: ${kinds}`);
      if (!flags.output) throw new UsageError('publishing over MQTT is not available yet: give --output FILE.csv|.jsonl');
      const format = datasetFormatOf(flags.output);
      if (!format) throw new UsageError(`--output ${flags.output}: the file name must end in .csv or .jsonl`);
      const cars = flags.cars ?? scenario.generator.cars;
      const summary = await writeDataset(flags.output, format, {
        seed: flags.seed,
        anomalyRate: flags.anomalyRate ?? scenario.generator.anomalyRate,
        anomalyKinds: kinds,
        carIds: Array.from({ length: cars }, (_, i) => i + 1),
        count: flags.count ?? 1,
      });
      ctx.ui.out(`wrote ${summary.windows} windows (${summary.anomalies} with injected faults) to ${flags.output}`);
      ctx.ui.json({ output: flags.output, ...summary });
    });
  withExamples(generate, ['edge-ml generate --output train.csv --cars 200 --count 50 --anomaly-rate 0']);
}
