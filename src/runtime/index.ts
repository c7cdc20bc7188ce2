import { execa } from 'execa';
import { readPlatform } from '../state/state-dir.js';
import { DockerRuntime } from './docker.js';
import { LocalRuntime } from './local/local-runtime.js';
import type { Runtime, RuntimeName } from './types.js';

export function createRuntime(name: RuntimeName, stateDir: string): Runtime {
  return name === 'docker' ? new DockerRuntime(stateDir) : new LocalRuntime(stateDir);
}

/** True when a Docker engine answers within a few seconds (the client alone is not enough). */
export async function dockerEngineAnswers(timeoutMs = 4000): Promise<boolean> {
  try {
    await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: timeoutMs, stdin: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The runtime a command uses: the one asked for; else the one already running (from the state
 * dir); else docker when an engine answers, else the embedded local runtime.
 */
export async function chooseRuntime(requested: RuntimeName | undefined, stateDir: string): Promise<Runtime> {
  const name = requested ?? readPlatform(stateDir)?.runtime ?? ((await dockerEngineAnswers()) ? 'docker' : 'local');
  return createRuntime(name, stateDir);
}
