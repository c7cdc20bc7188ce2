/**
 * npm run bench:generator [-- a b c]: figures for issue 3, printed as one JSON document.
 *  (a) throughput of `edge-ml generate --cars 100 --rate 0` as a ratio of a bare mqtt.js publish
 *      loop (100 connections, QoS 1, same payload, same in-flight window), taking turns against
 *      the same Mosquitto (target >= 0.95);
 *  (b) 10,000 cars at 1 msg/s for 60 s: acked rate, p99 publish-to-ack, peak RSS;
 *  (c) 50,000 cars at 0.1 msg/s, each its own MQTT connection, over several 127.0.0.x source
 *      addresses: connected, peak RSS (sharded over processes and brokers to fit the fd limit).
 * Loopback only; every process it starts runs under a raised open-files limit and is killed at
 * the end or after a time bound. A benchmark, not a test: the figures depend on the machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { CarSource } from '../src/generator/car-source.js';
import { FAULT_KINDS } from '../src/generator/faults.js';
import { formatPayload } from '../src/generator/payload.js';
import { startMosquitto, type Mosquitto } from '../test/support/mosquitto.js';

const CLI = fileURLToPath(new URL('../src/cli-main.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
/** Open files per process: as many as the hard limit allows (raising it needs CAP_SYS_RESOURCE). */
const FD_LIMIT = Math.min(200_000, Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 200_000);
const IN_FLIGHT = 32; // the generator's default --max-in-flight
const THROUGHPUT_S = 15;
const THROUGHPUT_ROUNDS = 3;

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  /** User + system CPU seconds, as of the last sample (every 250 ms). */
  cpuS: number;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (100 on Linux). */
const CLOCK_TICKS = 100;

/** Runs node with a raised fd limit, sampling its peak RSS (VmHWM) and CPU time, killed after `limitS`. */
function runNode(args: readonly string[], limitS: number): Promise<ChildRun> {
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EDGE_ML_HOME: '/nonexistent-edge-ml-home', NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  let peakRssKb = 0;
  let cpuTicks = 0;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const sampler = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
      // Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited between samples
    }
  }, 250);
  const killer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, peakRssMb: Math.round(peakRssKb / 1024), cpuS: cpuTicks / CLOCK_TICKS });
    }),
  );
}

function summaryOf(run: ChildRun): Record<string, unknown> {
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`generate exited ${run.code} without a summary:\n${run.stderr}`);
  }
}

async function generate(broker: Mosquitto, flags: readonly string[], limitS: number): Promise<{ summary: Record<string, unknown>; peakRssMb: number; cpuS: number }> {
  const run = await runNode([CLI, 'generate', '--broker', broker.url, '--json', ...flags], limitS);
  return { summary: summaryOf(run), peakRssMb: run.peakRssMb, cpuS: run.cpuS };
}

/** A typical payload of the generator, as generate hands it to mqtt.js: a string. */
function samplePayload(): string {
  const window = new CarSource(1, { seed: 1, anomalyRate: 0, anomalyKinds: FAULT_KINDS }).next();
  return formatPayload(window.eventId, window.readings);
}

/** How the bare loop hands mqtt.js its messages. */
const BARE_STYLES = {
  // What generate pays in mqtt.js per message and no more: a string payload, as generate's
  // (mqtt.js deep-copies a Buffer payload into its store on every publish), and a no-op logger,
  // as generate's connections have (car-connection.ts). The baseline the ratio is taken against.
  alike: { payload: (text: string): string | Buffer => text, log: (): void => {} },
  // The loop as the issue first measured it: a Buffer payload and mqtt.js's default logger.
  firstMeasured: { payload: (text: string): string | Buffer => Buffer.from(text), log: undefined },
};
type BareStyle = keyof typeof BARE_STYLES;

/** The baseline: `connections` clients each keeping IN_FLIGHT QoS 1 publishes of a fixed payload. */
async function bareLoop(url: string, connections: number, seconds: number, style: BareStyle): Promise<void> {
  const { payload: asPayload, log } = BARE_STYLES[style];
  const payload = asPayload(samplePayload());
  const clients = await Promise.all(
    Array.from({ length: connections }, (_, k) => mqtt.connectAsync(url, { clientId: `bench-bare-${k}`, protocolVersion: 4, reconnectPeriod: 0, log })),
  );
  let acked = 0;
  let running = true;
  const started = performance.now();
  clients.forEach((client, k) => {
    const topic = `car/${k + 1}/engine/temperature`;
    const publish = (): void => {
      client.publish(topic, payload, { qos: 1 }, (err) => {
        if (!err) acked += 1;
        if (running) publish();
      });
    };
    for (let i = 0; i < IN_FLIGHT; i++) publish();
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsedS = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  process.stdout.write(`${JSON.stringify({ acked, rate: Math.round(acked / elapsedS) })}\n`);
}

const QUIET = ['log_type error', 'connection_messages false', 'max_connections -1', 'persistence false'];

interface ThroughputRun {
  ackedPerS: number;
  /** CPU time per acknowledged message, in microseconds: less sensitive to a busy machine than rates. */
  cpuUsPerAck: number;
}

function throughputRun(acked: number, rate: number, cpuS: number): ThroughputRun {
  return { ackedPerS: rate, cpuUsPerAck: Math.round((cpuS * 1e7) / acked) / 10 };
}

async function bareLoopRun(broker: Mosquitto, style: BareStyle): Promise<ThroughputRun> {
  const run = await runNode([SELF, 'bare-loop', broker.url, '100', String(THROUGHPUT_S), style], THROUGHPUT_S + 60);
  const { acked, rate } = summaryOf(run) as { acked: number; rate: number };
  return throughputRun(acked, rate, run.cpuS);
}

async function generateRun(broker: Mosquitto): Promise<ThroughputRun> {
  const { summary, cpuS } = await generate(broker, ['--cars', '100', '--rate', '0', '--duration', String(THROUGHPUT_S), '--qos', '1'], THROUGHPUT_S + 60);
  return throughputRun(summary.acked as number, summary.rate as number, cpuS);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;

/** Generate against a bare loop's runs: acked/s summed over the runs, and CPU per ack the other way round. */
function ratios(gen: ThroughputRun[], bare: ThroughputRun[]): { ratio: number; cpuRatio: number } {
  return {
    ratio: ratio(sum(gen.map((r) => r.ackedPerS)), sum(bare.map((r) => r.ackedPerS))),
    // As the acked/s ratio would be were each alone on a CPU.
    cpuRatio: ratio(sum(bare.map((r) => r.cpuUsPerAck)), sum(gen.map((r) => r.cpuUsPerAck))),
  };
}

async function throughputRatio(): Promise<Record<string, unknown>> {
  const broker = await startMosquitto({ config: QUIET, fdLimit: FD_LIMIT });
  const steps = [(): Promise<ThroughputRun> => bareLoopRun(broker, 'alike'), (): Promise<ThroughputRun> => generateRun(broker), (): Promise<ThroughputRun> => bareLoopRun(broker, 'firstMeasured')];
  const runs: ThroughputRun[][] = steps.map(() => []);
  try {
    // Taking turns, each round starting one further on, so a load that drifts on a shared machine
    // falls on all alike.
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (let k = 0; k < steps.length; k++) {
        const step = (round + k) % steps.length;
        runs[step]!.push(await steps[step]!());
      }
    }
    const [alike, gen, firstMeasured] = runs as [ThroughputRun[], ThroughputRun[], ThroughputRun[]];
    const meanRate = (r: ThroughputRun[]): number => Math.round(sum(r.map((x) => x.ackedPerS)) / r.length);
    return {
      bareLoopAckedPerS: meanRate(alike),
      generateAckedPerS: meanRate(gen),
      ...ratios(gen, alike),
      target: '>= 0.95',
      alike: `100 connections, QoS 1, ${IN_FLIGHT} in flight each, the same ${samplePayload().length}-byte string payload, no-op mqtt.js logger`,
      vsBareLoopAsFirstMeasured: { bareLoopAckedPerS: meanRate(firstMeasured), ...ratios(gen, firstMeasured), differs: 'Buffer payload, default logger' },
      runs: { bareLoop: alike, generate: gen, bareLoopAsFirstMeasured: firstMeasured },
    };
  } finally {
    await broker.stop();
  }
}

async function tenThousandCars(): Promise<Record<string, unknown>> {
  const broker = await startMosquitto({ config: QUIET, fdLimit: FD_LIMIT });
  try {
    const { summary, peakRssMb } = await generate(broker, ['--cars', '10000', '--rate', '1', '--duration', '60'], 240);
    const latency = summary.latencyMs as { p99: number };
    return {
      ackedPerS: summary.rate,
      p99Ms: latency.p99,
      peakRssMb,
      targets: { ackedPerS: '>= 9500', p99Ms: '<= 250', peakRssMb: '<= 1536' },
      met: (summary.rate as number) >= 9500 && latency.p99 <= 250 && peakRssMb <= 1536,
      generate: summary,
    };
  } finally {
    await broker.stop();
  }
}

/** Open files a process needs besides one per connection: stdio, epoll, listeners, its own files. */
const FD_HEADROOM = 1000;
const FLEET_CARS = 50_000;
// ~28k ephemeral ports per source address towards one broker port; every shard spreads its
// connections over all four, round-robin.
const SOURCE_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

/** The fleet's connections established at the brokers right now, as the kernel counts them (ss). */
function establishedAt(ports: readonly number[]): number {
  const brokerEnds = ports.map((p) => `src 127.0.0.1:${p}`).join(' or ');
  const carEnds = SOURCE_ADDRESSES.map((a) => `dst ${a}`).join(' or ');
  const lines = execFileSync('ss', ['-Htn', 'state', 'established', `( ${brokerEnds} ) and ( ${carEnds} )`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return lines.split('\n').filter(Boolean).length;
}

/**
 * Every car its own MQTT connection, so the generator and the broker each hold an open file per
 * car, and neither may hold more than the hard limit (FD_LIMIT; raising it needs
 * CAP_SYS_RESOURCE). So the fleet runs as the fewest shards that fit: n `generate --shard i/n`
 * processes at once, each against a Mosquitto of its own. Connected cars and peak RSS are summed
 * over the shards; the kernel's count of established connections at the brokers, sampled while
 * they run, shows the cars were connected at the same time.
 */
async function fiftyThousandCars(): Promise<Record<string, unknown>> {
  const connectionsPerProcess = FD_LIMIT - FD_HEADROOM;
  const shards = Math.ceil(FLEET_CARS / connectionsPerProcess);
  const brokers = await Promise.all(Array.from({ length: shards }, () => startMosquitto({ config: QUIET, fdLimit: FD_LIMIT })));
  let peakEstablished = 0;
  const sampler = setInterval(() => {
    peakEstablished = Math.max(peakEstablished, establishedAt(brokers.map((b) => b.port)));
  }, 2000);
  try {
    const runs = await Promise.all(
      brokers.map((broker, i) =>
        generate(
          broker,
          ['--cars', String(FLEET_CARS), '--shard', `${i + 1}/${shards}`, '--rate', '0.1', '--duration', '30', '--source-address', SOURCE_ADDRESSES.join(','), '--qos', '1'],
          400,
        ),
      ),
    );
    const connected = sum(runs.map((r) => r.summary.connected as number));
    const peakRssMb = sum(runs.map((r) => r.peakRssMb));
    return {
      connected,
      allConnected: connected === FLEET_CARS,
      peakEstablishedAtBrokers: peakEstablished,
      reconnects: sum(runs.map((r) => r.summary.reconnects as number)),
      peakRssMb,
      targets: { connected: FLEET_CARS, peakRssMb: '<= 4096 (sum of the shards\' peaks)' },
      layout: {
        shards,
        why: `one MQTT connection per car costs an open file in the generator and in the broker; the hard limit is ${FD_LIMIT} per process here, so ${FLEET_CARS} cars run as ${shards} generate --shard i/${shards} processes of at most ${connectionsPerProcess} connections, each with its own Mosquitto`,
        fdLimit: FD_LIMIT,
        sourceAddresses: SOURCE_ADDRESSES,
      },
      shards: runs.map((r) => ({ peakRssMb: r.peakRssMb, generate: r.summary })),
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(brokers.map((b) => b.stop()));
  }
}

const PARTS: Record<string, () => Promise<Record<string, unknown>>> = { a: throughputRatio, b: tenThousandCars, c: fiftyThousandCars };

async function main(args: string[]): Promise<void> {
  if (args[0] === 'bare-loop') return bareLoop(args[1]!, Number(args[2]), Number(args[3]), args[4] as BareStyle);
  const selected = args.length > 0 ? args : Object.keys(PARTS);
  const unknown = selected.filter((p) => !PARTS[p]);
  if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}: choose from ${Object.keys(PARTS).join(' ')}`);
  const results: Record<string, unknown> = {
    conditions: { cpus: cpus().length, node: process.version, loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100) },
  };
  for (const part of selected) {
    process.stderr.write(`bench:generator part ${part} ...\n`);
    results[part] = await PARTS[part]!();
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main(process.argv.slice(2));
