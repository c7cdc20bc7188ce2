/**
 * npm run bench:generator [-- a b c]: figures for issue 3, printed as one JSON document.
 *  (a) throughput of `edge-ml generate --cars 100 --rate 0` as a ratio of a bare mqtt.js publish
 *      loop (100 connections, QoS 1, same payload size, same in-flight window), one after the
 *      other against the same Mosquitto (target >= 0.85);
 *  (b) 10,000 cars at 1 msg/s for 60 s: acked rate, p99 publish-to-ack, peak RSS;
 *  (c) 50,000 cars at 0.1 msg/s over several 127.0.0.x source addresses: connected, peak RSS.
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

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
}

/** Runs node with a raised fd limit, sampling its peak RSS (VmHWM), killed after `limitS`. */
function runNode(args: readonly string[], limitS: number): Promise<ChildRun> {
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EDGE_ML_HOME: '/nonexistent-edge-ml-home', NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  let peakRssKb = 0;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const sampler = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
    } catch {
      // exited between samples
    }
  }, 250);
  const killer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, peakRssMb: Math.round(peakRssKb / 1024) });
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

async function generate(broker: Mosquitto, flags: readonly string[], limitS: number): Promise<{ summary: Record<string, unknown>; peakRssMb: number }> {
  const run = await runNode([CLI, 'generate', '--broker', broker.url, '--json', ...flags], limitS);
  return { summary: summaryOf(run), peakRssMb: run.peakRssMb };
}

/** A typical payload of the generator, for the bare loop to send. */
function samplePayload(): string {
  const window = new CarSource(1, { seed: 1, anomalyRate: 0, anomalyKinds: FAULT_KINDS }).next();
  return formatPayload(window.eventId, window.readings);
}

/** The baseline: `connections` clients each keeping IN_FLIGHT QoS 1 publishes of a fixed payload. */
async function bareLoop(url: string, connections: number, seconds: number): Promise<void> {
  const payload = Buffer.from(samplePayload());
  const clients = await Promise.all(
    Array.from({ length: connections }, (_, k) => mqtt.connectAsync(url, { clientId: `bench-bare-${k}`, protocolVersion: 4, reconnectPeriod: 0 })),
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

async function throughputRatio(): Promise<Record<string, unknown>> {
  const broker = await startMosquitto({ config: QUIET, fdLimit: FD_LIMIT });
  try {
    const bare = summaryOf(await runNode([SELF, 'bare-loop', broker.url, '100', String(THROUGHPUT_S)], THROUGHPUT_S + 60));
    const { summary } = await generate(broker, ['--cars', '100', '--rate', '0', '--duration', String(THROUGHPUT_S), '--qos', '1'], THROUGHPUT_S + 60);
    return {
      bareLoopAckedPerS: bare.rate,
      generateAckedPerS: summary.rate,
      ratio: Math.round(((summary.rate as number) / (bare.rate as number)) * 1000) / 1000,
      target: '>= 0.85',
      payloadBytes: samplePayload().length,
      generate: summary,
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

async function fiftyThousandCars(): Promise<Record<string, unknown>> {
  const broker = await startMosquitto({ config: QUIET, fdLimit: FD_LIMIT });
  // ~28k ephemeral ports per source address towards one broker port: four addresses leave room.
  const sources = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  const cars = 50_000;
  // One connection per car needs 50k open files in both the broker and the generator; where the
  // hard limit is lower, cars share connections (--connections) and the figures say so.
  const connections = Math.min(cars, FD_LIMIT - 2000);
  try {
    const { summary, peakRssMb } = await generate(
      broker,
      ['--cars', String(cars), '--connections', String(connections), '--rate', '0.1', '--duration', '30', '--source-address', sources.join(','), '--qos', '1'],
      300,
    );
    return {
      connected: summary.connected,
      allConnected: summary.connected === cars,
      connections,
      fdLimit: FD_LIMIT,
      peakRssMb,
      targets: { connected: cars, peakRssMb: '<= 4096' },
      sourceAddresses: sources,
      generate: summary,
    };
  } finally {
    await broker.stop();
  }
}

const PARTS: Record<string, () => Promise<Record<string, unknown>>> = { a: throughputRatio, b: tenThousandCars, c: fiftyThousandCars };

async function main(args: string[]): Promise<void> {
  if (args[0] === 'bare-loop') return bareLoop(args[1]!, Number(args[2]), Number(args[3]));
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
