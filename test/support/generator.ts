import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { parsePayload } from '../../src/generator/payload.js';

const CLI = fileURLToPath(new URL('../../src/cli-main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Collected output so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/** Starts the built CLI with its own empty state dir (so no running platform is found). */
export function startCli(args: readonly string[]): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, EDGE_ML_HOME: mkdtempSync(join(tmpdir(), 'edge-ml-home-')), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: Date.now() - started })),
  );
  return { child, stdout: () => stdout, done };
}

export function runCli(args: readonly string[]): Promise<CliResult> {
  return startCli(args).done;
}

/**
 * A QoS 1 subscriber to every car's topic that records payloads by car and eventId. With a
 * persistent session (clean false) the broker keeps its messages while it is disconnected.
 */
export class CarSubscriber {
  /** Every delivery, duplicates included. */
  received = 0;
  readonly payloads = new Map<string, Map<number, string>>();
  readonly problems: string[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.received += 1;
      const carId = /^car\/([^/]+)\/engine\/temperature$/.exec(topic)?.[1];
      const text = payload.toString();
      const parsed = parsePayload(text);
      if (!carId || typeof parsed === 'string') {
        this.problems.push(`${topic}: ${typeof parsed === 'string' ? parsed : 'unexpected topic'}`);
        return;
      }
      let byEvent = this.payloads.get(carId);
      if (!byEvent) this.payloads.set(carId, (byEvent = new Map()));
      byEvent.set(parsed.eventId, text);
    });
  }

  static async connect(url: string, options: { clientId: string; persistent?: boolean }): Promise<CarSubscriber> {
    const client = await mqtt.connectAsync(url, {
      clientId: options.clientId,
      clean: !options.persistent,
      protocolVersion: 4,
      reconnectPeriod: 200,
    });
    client.on('error', () => {}); // reconnects on its own across a broker restart
    await client.subscribeAsync('car/+/engine/temperature', { qos: 1 });
    return new CarSubscriber(client);
  }

  /** Distinct (car, eventId) pairs received. */
  get distinct(): number {
    let n = 0;
    for (const byEvent of this.payloads.values()) n += byEvent.size;
    return n;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
