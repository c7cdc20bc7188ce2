import type { Command } from 'commander';
import { chooseRuntime } from '../runtime/index.js';
import { DEFAULT_PORTS } from '../runtime/types.js';
import { renderStatus } from '../ui/status-view.js';
import { commandContext, integerIn, withExamples } from './context.js';

export function registerUp(program: Command): void {
  const up = program
    .command('up')
    .description('start the platform: Kafka, the MQTT endpoint and the stream processor with the ANOMALY UDF, and wait until ready')
    .option('--timeout <seconds>', 'give up when not ready after this long', integerIn(1), 300)
    .option('--kafka-port <port>', 'Kafka bootstrap port on the host', integerIn(1, 65535), DEFAULT_PORTS.kafka)
    .option('--mqtt-port <port>', 'MQTT port on the host', integerIn(1, 65535), DEFAULT_PORTS.mqtt)
    .option('--ksql-port <port>', 'ksqlDB REST port on the host (docker runtime)', integerIn(1, 65535), DEFAULT_PORTS.ksql)
    .option('--host <address>', 'address the host ports bind to', DEFAULT_PORTS.host)
    .option('--jar <path>', 'UDF jar to deploy (default: udf-jar/target if built, else the committed udf-jar/dist jar)')
    .action(async (flags: { timeout: number; kafkaPort: number; mqttPort: number; ksqlPort: number; host: string; jar?: string }, command: Command) => {
      const ctx = commandContext(command);
      const runtime = await chooseRuntime(ctx.options.runtime, ctx.options.stateDir);
      const status = await runtime.up(
        {
          scenario: ctx.scenario(),
          ports: { kafka: flags.kafkaPort, mqtt: flags.mqttPort, ksql: flags.ksqlPort, host: flags.host },
          timeoutS: flags.timeout,
          udfJar: flags.jar,
        },
        ctx.ui,
      );
      ctx.ui.out(renderStatus(ctx.ui, status));
      ctx.ui.out('\nNext: edge-ml generate --cars 100   then   edge-ml tail anomalies');
      ctx.ui.json(status);
    });
  withExamples(up, ['edge-ml up', 'edge-ml up --runtime local --mqtt-port 11883', 'edge-ml up --runtime docker --timeout 600']);
}
