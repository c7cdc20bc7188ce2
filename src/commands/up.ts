import type { Command } from 'commander';
import { renderStatus } from '../ui/status-view.js';
import { commandContext, withExamples } from './context.js';
import { addPlatformOptions, addScaleOptions, platformRequest, type PlatformFlags, type ScaleFlags } from './platform-options.js';

export function registerUp(program: Command): void {
  const up = addScaleOptions(
    addPlatformOptions(
      program
        .command('up')
        .description(
          'start the platform: Kafka, the MQTT endpoint and the stream processor with the ANOMALY UDF, and wait until ready.\n' +
            'With --bootstrap-server (and --kafka-config for TLS/SASL): attach to your own cluster instead; no broker is started,\n' +
            'the MQTT endpoint and the processors run here, and `down` never touches the cluster.',
        ),
    ),
  ).action(async (flags: PlatformFlags & ScaleFlags, command: Command) => {
    const ctx = commandContext(command);
    // A broken scenario is a usage error before the runtime is even chosen (a docker probe).
    const { runtime, upOptions } = await platformRequest(flags, ctx.scenario(), ctx.options);
    const status = await runtime.up(upOptions, ctx.ui);
    ctx.ui.out(renderStatus(ctx.ui, status));
    ctx.ui.out('\nNext: edge-ml generate --cars 100   then   edge-ml tail anomalies');
    ctx.ui.json(status);
  });
  withExamples(up, [
    'edge-ml up',
    'edge-ml up --runtime local --mqtt-port 11883',
    'edge-ml up --runtime docker --timeout 600',
    "edge-ml up --runtime docker --mqtt endpoint   # this project's MQTT endpoint instead of the Confluent MQTT Proxy",
    'edge-ml up --bootstrap-server pkc-xxxxx.europe-west1.gcp.confluent.cloud:9092 --kafka-config ccloud.properties',
    'edge-ml up --bootstrap-server k1:9093,k2:9093,k3:9093 --kafka-config client.properties --processors 2',
    'edge-ml up --bootstrap-server k1:9093 --kafka-config client.properties --no-mqtt-endpoint   # another machine: processors only',
  ]);
}
