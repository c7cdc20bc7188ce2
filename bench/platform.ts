/**
 * What the benches that run the local platform share: the reporter on stderr, free ports for it,
 * CPU per message from /proc, and kcat counting a topic's records.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { KafkaTarget } from '../src/kafka/kafka-client.js';
import type { ComponentStatus, Reporter } from '../src/runtime/types.js';

/** Steps and notes on stderr: stdout is kept for the one JSON document. */
export const reporter: Reporter = {
  step: async (title, work) => {
    process.stderr.write(`- ${title}\n`);
    return work();
  },
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
};

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/**
 * CPU microseconds each platform process, each helper process and this process (named `self`)
 * spend per message, from now to the call of the function returned.
 */
export function cpuMeter(components: ComponentStatus[], helpers: { name: string; pid: number }[], self = 'cars (bench)'): (messages: number) => Record<string, number> {
  const pids = [...components.filter((c) => c.pid !== undefined).map((c) => ({ name: c.name, pid: c.pid! })), ...helpers];
  const before = pids.map((p) => cpuSeconds(p.pid));
  const mineBefore = process.cpuUsage();
  return (messages) => {
    const perMessage = (s: number): number => Math.round((s * 1e6) / messages);
    const used: Record<string, number> = {};
    pids.forEach((p, i) => (used[p.name] = perMessage(cpuSeconds(p.pid) - before[i]!)));
    const mine = process.cpuUsage(mineBefore);
    used[self] = perMessage((mine.user + mine.system) / 1e6);
    return used;
  };
}

/**
 * Counts the records kcat (librdkafka: a real Kafka peer that costs this machine far less CPU than a
 * Node consumer) reads committed from `topic`, starting at each partition's end. `ready` resolves
 * once kcat is positioned at the end of all `partitions`, so nothing published after it is missed.
 */
export function kcatCounter(kafkaTarget: KafkaTarget, kcatConfig: string | undefined, topic: string, partitions: number, onCount: (count: number) => void): { kcat: ChildProcess; ready: Promise<void> } {
  const kcat = spawn('kcat', [...(kcatConfig ? ['-F', kcatConfig] : []), '-C', '-b', kafkaTarget.bootstrap, '-t', topic, '-o', 'end', '-X', 'isolation.level=read_committed', '-u', '-f', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let count = 0;
  kcat.stdout!.on('data', (chunk: Buffer) => onCount((count += chunk.length)));
  const ready = new Promise<void>((resolve, reject) => {
    const atEnd = new Set<string>();
    // kcat reports every partition's end each time it catches up, all run long: read each line
    // once, keep only the last one for an error, and keep draining so kcat never blocks on it.
    let partial = '';
    let lastLine = '';
    kcat.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const end = /Reached end of topic \S+ \[(\d+)\]/.exec(line);
        if (end) atEnd.add(end[1]!);
        else if (line.trim()) lastLine = line.trim();
      }
      if (atEnd.size >= partitions) resolve();
    });
    kcat.once('exit', (code) => reject(new Error(`kcat exited (${code}) before reaching the end of ${topic}: ${lastLine || partial}`)));
    kcat.once('error', reject);
  });
  return { kcat, ready };
}
