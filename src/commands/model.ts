import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { evaluateScores, labelledPayloads } from '../model/evaluate.js';
import { scorePayloads } from '../model/jar-scorer.js';
import { locateUdfJar } from '../udf/jars.js';
import { commandContext, integerIn, withExamples } from './context.js';
import { jarOption } from './jar-option.js';

interface EvalFlags {
  windows: number;
  seed: number;
  jar?: string;
}

/** Seeds of udf-jar/train/train.sh (training, validation): evaluating on them measures nothing new. */
const TRAINING_SEEDS = [1001, 2002];
const DEFAULT_EVAL_SEED = 4242;

export function registerModel(program: Command): void {
  const model = program.command('model').description('the autoencoder behind ANOMALY: evaluate it, score payloads');

  const evaluate = model
    .command('eval')
    .description('score fresh labelled windows with the UDF jar: recall, precision and per-kind recall at the scenario threshold')
    .option('--windows <n>', 'windows to generate', integerIn(1, 1_000_000), 10_000)
    .option('--seed <n>', 'generator seed (unlike the training seeds)', integerIn(0, 2 ** 32 - 1), DEFAULT_EVAL_SEED)
    .addOption(jarOption('UDF jar to score with'))
    .action(async (flags: EvalFlags, command: Command) => {
      const ctx = commandContext(command);
      const scenario = ctx.scenario();
      const jar = locateUdfJar(flags.jar);
      if (TRAINING_SEEDS.includes(flags.seed)) ctx.ui.warn(`seed ${flags.seed} is one the model was trained or tuned on: pick another for an honest figure`);
      const windows = labelledPayloads({ windows: flags.windows, seed: flags.seed, cars: scenario.generator.cars, anomalyRate: scenario.generator.anomalyRate });
      const scores = await ctx.ui.step(`scoring ${windows.length} windows with ${jar}`, () => scorePayloads(windows.map((w) => w.payload), jar));
      const report = evaluateScores(windows, scores, scenario.model.threshold);
      ctx.ui.out(`windows    ${report.windows} (${report.anomalies} with injected faults, seed ${flags.seed})`);
      ctx.ui.out(`threshold  ${report.threshold}`);
      ctx.ui.out(`recall     ${report.recall}`);
      ctx.ui.out(`precision  ${report.precision}`);
      for (const [kind, recall] of Object.entries(report.perKind)) ctx.ui.out(`  ${kind.padEnd(9)}${recall ?? 'n/a'}`);
      if (report.unscored > 0) ctx.ui.warn(`${report.unscored} windows could not be scored`);
      ctx.ui.json({ recall: report.recall, precision: report.precision, threshold: report.threshold, perKind: report.perKind, windows: report.windows });
    });
  withExamples(evaluate, ['edge-ml model eval', 'edge-ml model eval --windows 10000 --seed 4242 --json']);

  const score = model
    .command('score')
    .description('read payloads `<eventId>,<v1># ... # <v210>` on stdin, print one score per line (null when it cannot be scored)')
    .addOption(jarOption('UDF jar to score with'))
    .action(async (flags: { jar?: string }) => {
      if (process.stdin.isTTY) throw new UsageError('model score reads payloads from stdin', 'pipe them in: edge-ml model score < payloads.txt');
      const payloads = readFileSync(0, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
      const scores = await scorePayloads(payloads, locateUdfJar(flags.jar));
      process.stdout.write(scores.map((s) => `${s ?? 'null'}\n`).join(''));
    });
  withExamples(score, ['echo "99999,2.10# 2.13# ... # 3.54" | edge-ml model score']);
}
