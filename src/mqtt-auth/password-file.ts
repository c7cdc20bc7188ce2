/**
 * Mosquitto's password_file, as `mosquitto_passwd` writes it: one `user:hash` a line, where hash is
 * `$6$<salt>$<sha512(password + salt)>` (Mosquitto 1.x, `-H sha512`) or
 * `$7$<iterations>$<salt>$<PBKDF2-HMAC-SHA512>` (Mosquitto 2's default), salt and hash in base64.
 * Users keep the tool they know; the file holds no password, and neither does anything here.
 */
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { UsageError, errorMessage } from '../errors.js';

type Hash = { kind: 'sha512'; salt: Buffer; hash: Buffer } | { kind: 'pbkdf2'; iterations: number; salt: Buffer; hash: Buffer };

const HASH_BYTES = 64;
/** Mosquitto accepts 12-byte salts (its older files) and 64-byte ones. */
const SALT_BYTES = [12, 64];
/** Checked for an unknown user too, so a refusal takes as long whether or not the user exists. */
const DECOY: Hash = { kind: 'pbkdf2', iterations: 101, salt: Buffer.alloc(12), hash: Buffer.alloc(HASH_BYTES) };

export class PasswordFile {
  private constructor(private readonly users: ReadonlyMap<string, Hash>) {}

  /** Reads and checks the file; a bad line is a usage error naming file:line. */
  static load(file: string): PasswordFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the MQTT password file ${file}: ${errorMessage(err)}`, 'make it with: mosquitto_passwd -c FILE USER');
    }
    const users = new Map<string, Hash>();
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const hash = colon > 0 ? parseHash(line.slice(colon + 1).trim()) : 'not a user:hash line';
      if (typeof hash === 'string') throw new UsageError(`${file}:${i + 1}: ${hash}`, 'make the file with mosquitto_passwd (-H sha512-pbkdf2 or -H sha512)');
      users.set(line.slice(0, colon), hash);
    });
    return new PasswordFile(users);
  }

  /** True when the user is in the file and the password is theirs; compared in constant time. */
  async verify(username: string, password: Buffer): Promise<boolean> {
    const entry = this.users.get(username);
    const matches = await matchesHash(entry ?? DECOY, password);
    return entry !== undefined && matches;
  }
}

function parseHash(text: string): Hash | string {
  const fields = text.split('$');
  const pbkdf2 = fields.length === 5 && fields[1] === '7';
  // Plain-text passwords (before mosquitto_passwd -U) and argon2id are not accepted.
  if (fields[0] !== '' || !(pbkdf2 || (fields.length === 4 && fields[1] === '6'))) return 'not a $6$ (sha512) or $7$ (sha512-pbkdf2) hash';
  const salt = Buffer.from(fields.at(-2)!, 'base64');
  const hash = Buffer.from(fields.at(-1)!, 'base64');
  if (!SALT_BYTES.includes(salt.length) || hash.length !== HASH_BYTES) return `a $${fields[1]}$ hash needs a base64 salt of ${SALT_BYTES.join(' or ')} bytes and a ${HASH_BYTES}-byte hash`;
  if (!pbkdf2) return { kind: 'sha512', salt, hash };
  const iterations = Number(fields[2]);
  if (!Number.isInteger(iterations) || iterations < 1) return `'${fields[2]}' is not an iteration count`;
  return { kind: 'pbkdf2', iterations, salt, hash };
}

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 runs off the event loop: a file with many iterations must not stall every other client. */
async function matchesHash(entry: Hash, password: Buffer): Promise<boolean> {
  const computed = entry.kind === 'sha512'
    ? createHash('sha512').update(password).update(entry.salt).digest()
    : await pbkdf2Async(password, entry.salt, entry.iterations, HASH_BYTES, 'sha512');
  return timingSafeEqual(computed, entry.hash);
}
