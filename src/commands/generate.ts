import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { EdgeMlError, UsageError, errorMessage } from '../errors.js';
import { invalidSourceAddresses, parseBrokerUrl } from '../generator/broker-address.js';
import type { MqttClientSettings, QoS } from '../generator/car-connection.js';
import { datasetFormatOf, writeDataset } from '../generator/dataset.js';
import { parseFaultKinds, type FaultKind } from '../generator/faults.js';
import { parseShard, shardCarIds, type Shard } from '../generator/fleet.js';
import { LabelWriter } from '../generator/label-writer.js';
import { PublishRun, type PublishPlan } from '../generator/publish-run.js';
import { carTopic } from '../scenario/scenario.js';
import { readPlatform } from '../state/state-dir.js';
import { RunStatusLine, formatRunSummary } from '../ui/run-status.js';
import { commandContext, integerIn, numberIn, oneOf, withExamples, type CommandContext } from './context.js';
import { addMqttClientOptions, fleetSize, mqttClientOf, type MqttClientFlags } from './mqtt-options.js';

interface GenerateFlags extends MqttClientFlags {
  cars?: number;
  rate?: number;
  duration?: number;
  count?: number;
  qos?: '0' | '1' | '2';
  broker?: string;
  clientPrefix: string;
  ramp: number;
  connections?: number;
  sourceAddress?: string;
  shard?: Shard;
  maxInFlight: number;
  wait: boolean;
  seed: number;
  anomalyRate?: number;
  anomalyKinds: string;
  output?: string;
  labels?: string;
}

const DEFAULT_BROKER = 'mqtt://localhost:1883';

export function registerGenerate(program: Command): void {
  const generate = addMqttClientOptions(program.command('generate'), 'every car')
    .description('simulate cars publishing engine-temperature windows over MQTT, with labelled injected faults')
    .option('--cars <n>', "number of cars in the fleet (default: the scenario's)", integerIn(1))
    .option('--rate <r>', "messages per second per car, 0 = as fast as the broker acks (default: the scenario's)", numberIn(0))
    .option('--duration <s>', 'send for this many seconds (default: until --count, else Ctrl-C)', numberIn(0.001))
    .option('--count <m>', 'messages per car', integerIn(1))
    .option('--qos <0|1|2>', "MQTT QoS (default: the scenario's)", oneOf(['0', '1', '2'] as const))
    .option('--broker <url>', `MQTT broker, mqtt://host:port or mqtts:// (default: the running platform's, else ${DEFAULT_BROKER})`)
    .option('--client-prefix <text>', 'MQTT client id prefix: a car is <prefix><id>', 'edge-ml-car-')
    .option('--ramp <s>', 'spread the connects over this many seconds', numberIn(0), 0)
    .option('--connections <k>', 'carry the cars over K MQTT connections instead of one each', integerIn(1))
    .option('--source-address <a,b,..>', 'local IP addresses to connect from, round-robin (past ~28k connections per address)')
    .option('--shard <i/n>', 'simulate only the cars of machine i of n', parseShardArgument)
    .option('--max-in-flight <n>', 'unacknowledged messages allowed per connection', integerIn(1, 65535), 32)
    .option('--wait', 'wait for the broker to come up instead of failing', false)
    .option('--seed <n>', 'random seed: same seed, same payloads', integerIn(0, 2 ** 32 - 1), 1)
    .option('--anomaly-rate <f>', "fraction of messages carrying an injected fault (default: the scenario's)", numberIn(0, 1))
    .option('--anomaly-kinds <list>', 'comma-separated fault kinds: spike,shift,flatline,noise or all', 'all')
    .option('--labels <file>', 'write {carId, eventId, kind} JSON lines for every injected fault')
    .option('--output <file>', 'write labelled windows to FILE.csv or FILE.jsonl instead of publishing (no broker needed)')
    .action(async (flags: GenerateFlags, command: Command) => {
      const ctx = commandContext(command);
      const scenario = ctx.scenario();
      const kinds = parseFaultKinds(flags.anomalyKinds);
      if (typeof kinds === 'string') throw new UsageError(`--anomaly-kinds: ${kinds}`);
      const client = mqttClientOf(flags);
      const cars = fleetSize(client, flags.cars, scenario.generator.cars);
      const carIds = shardCarIds(cars, flags.shard);
      if (carIds.length === 0) throw new UsageError(`--shard ${flags.shard!.index}/${flags.shard!.count} of ${cars} cars has no cars`, 'use fewer shards than cars');
      if (flags.duration !== undefined && flags.count !== undefined) throw new UsageError('give --duration or --count, not both');
      const source = { seed: flags.seed, anomalyRate: flags.anomalyRate ?? scenario.generator.anomalyRate, anomalyKinds: kinds };
      if (flags.output) return writeWindows(ctx, flags, flags.output, carIds, source);
      await publish(ctx, publishPlan(ctx, flags, client, carIds, source), flags.labels);
    });
  withExamples(generate, [
    'edge-ml generate --cars 1000 --duration 60',
    'edge-ml generate --cars 50 --count 20 --labels labels.jsonl --json',
    'edge-ml generate --cars 100000 --rate 0.1 --connections 20000 --source-address 127.0.0.2,127.0.0.3',
    'edge-ml generate --cars 10000 --shard 2/4 --broker mqtt://edge-gw:1883',
    'edge-ml generate --broker mqtts://edge-gw:8883 --cafile ca.pem --credentials cars.txt',
    'edge-ml generate --output train.csv --cars 200 --count 50 --anomaly-rate 0',
  ]);
}

function parseShardArgument(text: string): Shard {
  const shard = parseShard(text);
  if (typeof shard === 'string') throw new InvalidArgumentError(shard);
  return shard;
}

async function writeWindows(
  ctx: CommandContext,
  flags: GenerateFlags,
  output: string,
  carIds: number[],
  source: { seed: number; anomalyRate: number; anomalyKinds: FaultKind[] },
): Promise<void> {
  const format = datasetFormatOf(output);
  if (!format) throw new UsageError(`--output ${output}: the file name must end in .csv or .jsonl`);
  if (flags.duration !== undefined) throw new UsageError('--output writes --count windows per car; --duration applies to publishing');
  if (flags.labels) throw new UsageError('--output files carry their labels; --labels applies to publishing');
  const summary = await writeDataset(output, format, { ...source, carIds, count: flags.count ?? 1 });
  ctx.ui.out(`wrote ${summary.windows} windows (${summary.anomalies} with injected faults) to ${output}`);
  ctx.ui.json({ output, ...summary });
}

/** Checks the publishing flags against each other once; the run trusts the plan. */
function publishPlan(
  ctx: CommandContext,
  flags: GenerateFlags,
  client: MqttClientSettings,
  carIds: number[],
  source: PublishPlan['source'],
): Omit<PublishPlan, 'labels'> {
  const scenario = ctx.scenario();
  const platform = readPlatform(ctx.options.stateDir)?.endpoints;
  const brokerText = flags.broker ?? (client.ca && platform?.mqttsUrl) ?? platform?.mqttUrl ?? DEFAULT_BROKER;
  const broker = parseBrokerUrl(brokerText);
  if (typeof broker === 'string') throw new UsageError(`--broker: ${broker}`);
  if (client.ca && !broker.tls) throw new UsageError(`--cafile is for an mqtts:// broker, got ${broker.url}`, 'give --broker mqtts://HOST:8883');
  if (client.credentials && flags.connections !== undefined) throw new UsageError('--credentials gives each car a login of its own, so a connection of its own', 'drop --connections');
  const connections = flags.connections ?? carIds.length;
  if (connections > carIds.length) {
    throw new UsageError(`--connections ${connections} is more than the ${carIds.length} cars simulated here`, 'each connection carries at least one car');
  }
  const sourceAddresses = (flags.sourceAddress ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const invalid = invalidSourceAddresses(sourceAddresses);
  if (invalid.length > 0) throw new UsageError(`--source-address: ${invalid.map((a) => `'${a}'`).join(', ')} is not an IP address`);
  if (flags.labels) {
    try {
      writeFileSync(flags.labels, '');
    } catch (err) {
      throw new UsageError(`--labels ${flags.labels}: ${errorMessage(err)}`);
    }
  }
  return {
    broker: { ...broker, ca: client.ca },
    login: client.login,
    credentials: client.credentials,
    carIds,
    // With --credentials a car is known by its user name, so an ACL pattern car/%u/# fits its topic.
    topicOf: (carId) => carTopic(scenario, client.credentials?.[carId - 1]!.username ?? carId),
    clientPrefix: flags.clientPrefix,
    source,
    rate: flags.rate ?? scenario.generator.rate,
    count: flags.count,
    durationS: flags.duration,
    qos: (flags.qos === undefined ? scenario.generator.qos : Number(flags.qos)) as QoS,
    connections,
    rampS: flags.ramp,
    sourceAddresses,
    maxInFlight: flags.maxInFlight,
    wait: flags.wait,
  };
}

async function publish(ctx: CommandContext, plan: Omit<PublishPlan, 'labels'>, labelsFile: string | undefined): Promise<void> {
  const labels = labelsFile ? new LabelWriter(labelsFile) : undefined;
  const run = new PublishRun({ ...plan, labels }, ctx.ui);
  const status = new RunStatusLine(() => run.stats.snapshot(), ctx.ui.interactive);
  const onInterrupt = (): void => {
    if (!run.interrupted) ctx.ui.info('\nstopping: waiting for in-flight acks (Ctrl-C again to stop now)');
    run.stop();
  };
  process.on('SIGINT', onInterrupt);
  ctx.ui.info(
    `publishing ${plan.carIds.length} cars over ${plan.connections} connections to ${plan.broker.url} ` +
      `(QoS ${plan.qos}, ${plan.rate === 0 ? 'unpaced' : `${plan.rate} msg/s per car`}${plan.count ? `, ${plan.count} per car` : ''}` +
      `${plan.durationS ? `, ${plan.durationS} s` : ''})`,
  );
  status.start();
  try {
    const summary = await run.run();
    status.stop();
    await labels?.close().catch((err: unknown) => {
      throw new EdgeMlError(`could not write --labels ${labelsFile}: ${errorMessage(err)}`);
    });
    ctx.ui.out(formatRunSummary(summary));
    ctx.ui.json(summary);
    if (run.interrupted) process.exitCode = 130;
  } finally {
    status.stop();
    process.off('SIGINT', onInterrupt);
  }
}
