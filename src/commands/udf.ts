import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { locateUdfJar } from '../udf/jars.js';
import { commandContext, withExamples } from './context.js';
import { jarOption } from './jar-option.js';

export function registerUdf(program: Command): void {
  const udf = program.command('udf').description('the ANOMALY user-defined function');
  const deploy = udf
    .command('deploy')
    .description('put the UDF jar where the stream processor loads it and restart the processor (UDFs load only at start)')
    .addOption(jarOption('UDF jar to deploy'))
    .action(async (flags: { jar?: string }, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      const jar = locateUdfJar(flags.jar);
      await runtime.deployUdf(jar, ctx.scenario(), ctx.ui);
      ctx.ui.out(`deployed ${jar} to the ${runtime.name} runtime`);
      ctx.ui.json({ runtime: runtime.name, jar });
    });
  withExamples(deploy, ['edge-ml udf deploy', 'edge-ml udf deploy --jar udf-jar/target/edge-ml-anomaly-udf.jar']);
}
