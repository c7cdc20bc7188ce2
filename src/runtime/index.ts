import { readPlatform } from '../state/state-dir.js';
import { DockerRuntime } from './docker.js';
import { dockerEngineAnswers } from './docker-cli.js';
import { LocalRuntime } from './local/local-runtime.js';
import type { Runtime, RuntimeName } from './types.js';

export function createRuntime(name: RuntimeName, stateDir: string): Runtime {
  return name === 'docker' ? new DockerRuntime(stateDir) : new LocalRuntime(stateDir);
}

/**
 * The runtime a command uses: the one asked for; else the one already running (from the state
 * dir); else docker when an engine answers, else the embedded local runtime.
 */
export async function chooseRuntime(requested: RuntimeName | undefined, stateDir: string): Promise<Runtime> {
  const name = requested ?? readPlatform(stateDir)?.runtime ?? ((await dockerEngineAnswers()) ? 'docker' : 'local');
  return createRuntime(name, stateDir);
}
