import { execa, ExecaError } from 'execa';
import { EdgeMlError } from '../errors.js';
import { composeArgs, logsCommand, parseComposePs, type ComposeContainer, type ComposeProject } from './docker-compose.js';

const WAY_OUT = 'start Docker (with the compose v2 plugin), or run the embedded platform instead: edge-ml up --runtime local';

/**
 * Fails fast (within timeoutMs) unless a Docker engine and `docker compose` v2 both answer:
 * the client binary alone, or Debian's docker-compose v1, is not enough.
 */
export async function assertDockerReady(timeoutMs = 4000): Promise<{ engine: string; compose: string }> {
  const [engine, compose] = await Promise.all([
    docker(['info', '--format', '{{.ServerVersion}}'], timeoutMs),
    docker(['compose', 'version', '--short'], timeoutMs),
  ]);
  if (engine.missing) throw new EdgeMlError('Docker is not installed (no `docker` command on the PATH), so no Docker engine answers', WAY_OUT);
  if (!engine.ok) throw new EdgeMlError(`no Docker engine answers${engine.why ? ` (docker info: ${engine.why})` : ''}`, WAY_OUT);
  if (!compose.ok) throw new EdgeMlError(`the Docker engine answers but \`docker compose\` (v2) does not${compose.why ? ` (${compose.why})` : ''}`, WAY_OUT);
  return { engine: engine.stdout, compose: compose.stdout };
}

/** True when a Docker engine answers; for commands that must work without one (down, status). */
export async function dockerEngineAnswers(timeoutMs = 4000): Promise<boolean> {
  return (await docker(['info', '--format', '{{.ServerVersion}}'], timeoutMs)).ok;
}

interface DockerAnswer {
  ok: boolean;
  missing: boolean;
  stdout: string;
  why?: string;
}

async function docker(args: string[], timeoutMs: number): Promise<DockerAnswer> {
  try {
    const { stdout } = await execa('docker', args, { timeout: timeoutMs, stdin: 'ignore' });
    return { ok: true, missing: false, stdout: stdout.trim() };
  } catch (err) {
    const e = err as ExecaError;
    const missing = (e as { code?: string }).code === 'ENOENT';
    const why = e.timedOut ? `no answer within ${timeoutMs / 1000} s` : lastLine(String(e.stderr ?? '')) || e.shortMessage;
    return { ok: false, missing, stdout: '', why };
  }
}

/** Runs `docker compose -p edge-ml -f compose/docker-compose.yml [-f override] <args>` with the EDGE_ML_* environment. */
export async function compose(args: string[], project: ComposeProject, timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execa('docker', composeArgs(project.mqtt, ...args), { env: project.env, timeout: timeoutMs, stdin: 'ignore' });
    return stdout;
  } catch (err) {
    const e = err as ExecaError;
    const detail = e.timedOut ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : tail(String(e.stderr ?? ''), 8) || e.shortMessage;
    throw new EdgeMlError(`docker compose ${args.join(' ')} failed: ${detail}`, `see \`${logsCommand(project.mqtt)}\`, or raise --timeout`);
  }
}

export async function composePs(project: ComposeProject): Promise<ComposeContainer[]> {
  return parseComposePs(await compose(['ps', '--all', '--format', 'json'], project, 15_000));
}

/**
 * Creates the scenario's topics inside the broker container (replication 1: one broker), so no
 * client on the host is needed; existing topics are left alone. Returns the topics it created.
 */
export async function createTopics(project: ComposeProject, topics: readonly { name: string; partitions: number }[], timeoutMs: number): Promise<string[]> {
  const created: string[] = [];
  for (const topic of topics) {
    const output = await compose(
      ['exec', '-T', 'broker', 'kafka-topics', '--bootstrap-server', 'broker:29092', '--create', '--if-not-exists', '--topic', topic.name, '--partitions', String(topic.partitions), '--replication-factor', '1'],
      project,
      timeoutMs,
    );
    if (/Created topic/i.test(output)) created.push(topic.name);
  }
  return created;
}

/** The last lines a service logged, for error messages; empty when they cannot be read. */
export async function composeLogTail(service: string, project: ComposeProject, lines = 15): Promise<string> {
  try {
    return await compose(['logs', '--no-color', '--tail', String(lines), service], project, 10_000);
  } catch {
    return '';
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
