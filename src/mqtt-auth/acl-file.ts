/**
 * Mosquitto's acl_file: `topic [read|write|readwrite|deny] TOPIC` lines apply to anonymous clients
 * until the first `user NAME`, then to that user; `pattern [..] TOPIC` lines apply to every client,
 * with %u the user name and %c the client id; `#` starts a comment; the access defaults to
 * readwrite. As in Mosquitto 2, a matching deny wins, then any entry granting the access.
 */
import { readFileSync } from 'node:fs';
import { UsageError, errorMessage } from '../errors.js';

export type Access = 'read' | 'write';
type Grant = Access | 'readwrite' | 'deny';
interface Entry {
  grant: Grant;
  /** Topic filter levels; for patterns, with %u and %c still in them. */
  levels: string[];
}
export interface AclClient {
  username?: string;
  clientId: string;
}

const GRANTS: readonly Grant[] = ['read', 'write', 'readwrite', 'deny'];

export class AclFile {
  private constructor(
    private readonly anonymous: Entry[],
    private readonly users: ReadonlyMap<string, Entry[]>,
    private readonly patterns: Entry[],
  ) {}

  /** Reads and checks the file; a bad line is a usage error naming file:line. */
  static load(file: string): AclFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the MQTT ACL file ${file}: ${errorMessage(err)}`);
    }
    const anonymous: Entry[] = [];
    const users = new Map<string, Entry[]>();
    const patterns: Entry[] = [];
    let current = anonymous;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fail = (reason: string): never => {
        throw new UsageError(`${file}:${i + 1}: ${reason}`, "lines are 'user NAME', 'topic [read|write|readwrite|deny] TOPIC' or 'pattern [...] TOPIC'");
      };
      const [keyword, ...rest] = line.split(/\s+/);
      if (keyword === 'user') {
        // Mosquitto takes the rest of the line: a user name may hold spaces.
        const name = line.slice(4).trim();
        if (!name) fail("'user' without a name");
        current = users.get(name) ?? [];
        users.set(name, current);
        return;
      }
      if (keyword !== 'topic' && keyword !== 'pattern') fail(`unknown keyword '${keyword}'`);
      const grant = GRANTS.find((g) => g === rest[0]);
      const topic = (grant ? rest.slice(1) : rest).join(' ');
      if (!topic) fail(`'${keyword}' without a topic`);
      const levels = topic.split('/');
      if (levels.some((level, k) => (level.includes('#') && (level !== '#' || k !== levels.length - 1)) || (level.includes('+') && level !== '+'))) {
        fail(`'${topic}' is not a valid MQTT topic filter`);
      }
      (keyword === 'pattern' ? patterns : current).push({ grant: grant ?? 'readwrite', levels });
    });
    return new AclFile(anonymous, users, patterns);
  }

  /**
   * Whether the client may publish to (write) or subscribe to (read) `topic`, a topic name or, for
   * a subscription, a filter: a filter is allowed when an entry's filter covers all it can match.
   */
  allows(client: AclClient, topic: string, access: Access): boolean {
    const own = client.username === undefined ? this.anonymous : (this.users.get(client.username) ?? []);
    const matching = [
      ...own,
      ...this.patterns.flatMap((p) => {
        const levels = substitute(p.levels, client);
        return levels ? [{ grant: p.grant, levels }] : [];
      }),
    ].filter((e) => covers(e.levels, topic.split('/')));
    if (matching.some((e) => e.grant === 'deny')) return false;
    return matching.some((e) => e.grant === access || e.grant === 'readwrite');
  }
}

/**
 * A pattern's levels with %u and %c filled in; undefined (the pattern grants nothing) when the
 * value is missing or holds /, + or #, which would widen the topic to other clients' (as Mosquitto
 * refuses such names in patterns).
 */
function substitute(levels: readonly string[], client: AclClient): string[] | undefined {
  const unsafe = (value: string | undefined): boolean => value === undefined || value === '' || /[/+#]/.test(value);
  const text = levels.join('/');
  if ((text.includes('%u') && unsafe(client.username)) || (text.includes('%c') && unsafe(client.clientId))) return undefined;
  return levels.map((level) => level.replaceAll('%u', client.username ?? '').replaceAll('%c', client.clientId));
}

/** MQTT wildcard matching, of a topic or of a filter (whose + is covered only by +, whose # only by #). */
function covers(filter: readonly string[], topic: readonly string[]): boolean {
  // Wildcards at the first level do not match $SYS and other $ topics.
  if (topic[0]?.startsWith('$') && (filter[0] === '+' || filter[0] === '#')) return false;
  for (let k = 0; k < filter.length; k++) {
    if (filter[k] === '#') return true;
    if (k >= topic.length) return false;
    if (filter[k] === '+' ? topic[k] === '#' : filter[k] !== topic[k]) return false;
  }
  return filter.length === topic.length;
}
