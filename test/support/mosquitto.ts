import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface Mosquitto {
  url: string;
  port: number;
  /** Stops the broker (SIGTERM: it saves its persistence file) and removes its files. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same port with the same persistence file. */
  restart(): Promise<void>;
  /** Its log so far, for assertion messages. */
  log(): string;
}

export interface MosquittoOptions {
  /** Default: a free port. */
  port?: number;
  /** Extra mosquitto.conf lines. */
  config?: string[];
  /** Raise the open-files limit first (benchmarks with tens of thousands of connections). */
  fdLimit?: number;
}

/**
 * A real Debian Mosquitto on a free loopback port, with persistence on and unlimited queues, so a
 * persistent subscriber misses nothing across a restart. Call stop() in an after hook.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'edge-ml-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  const logFile = join(dir, 'mosquitto.log');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      // Started as root, mosquitto would switch to user mosquitto and could not write to dir.
      `user ${userInfo().username}`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
      'max_inflight_messages 0',
      `log_dest file ${logFile}`,
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = options.fdLimit
      ? spawn('sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$0" -c "$1"`, MOSQUITTO, configFile], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = started;
    await waitFor(`mosquitto on port ${port}`, async () => {
      if (started.exitCode !== null) throw new Error(`mosquitto exited (${started.exitCode}): ${stderr}`);
      return acceptsConnections(port);
    }, 10_000, 50).catch((err: Error) => {
      started.kill('SIGKILL');
      throw new Error(`${err.message}\n${stderr}`);
    });
  };

  const halt = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
