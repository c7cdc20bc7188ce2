import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { EdgeMlError } from '../errors.js';

export interface WantedPort {
  /** What will listen there, e.g. "MQTT". */
  name: string;
  host: string;
  port: number;
}

/**
 * Fails before anything starts when a port is taken, naming the port and, where /proc tells,
 * the process holding it: a half-started platform is worse than a clear refusal.
 */
export async function assertPortsFree(wanted: readonly WantedPort[]): Promise<void> {
  const refused: string[] = [];
  for (const w of wanted) {
    const error = await listenError(w.host, w.port);
    if (error === undefined) continue;
    const where = `${w.name} port ${w.host}:${w.port}`;
    if (error === 'EADDRINUSE') {
      const holder = listeningProcess(w.port);
      refused.push(`${where} is in use${holder ? ` by ${holder}` : ''}`);
    } else {
      // An address not on this machine (EADDRNOTAVAIL) or a privileged port (EACCES) is not "in use".
      refused.push(`${where} cannot be listened on: ${error}`);
    }
  }
  if (refused.length > 0) {
    throw new EdgeMlError(refused.join('; '), 'stop the process holding it, or choose other ports or another --host (edge-ml up --help lists them)');
  }
}

/** Why nothing can listen on host:port (an error code such as EADDRINUSE), or undefined when it can. */
function listenError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function canListen(host: string, port: number): Promise<boolean> {
  return (await listenError(host, port)) === undefined;
}

/** "pid 123 (mosquitto -c ...)" for the process listening on a TCP port, when /proc can tell. */
export function listeningProcess(port: number): string | undefined {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT; state 0A is LISTEN; column 9 is the socket inode.
        if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return `pid ${pid} (${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd})`;
        }
      }
    }
  } catch {
    // /proc is Linux-only; the port number alone is still a useful message.
  }
  return undefined;
}
