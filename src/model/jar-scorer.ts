import { spawn } from 'node:child_process';
import { EdgeMlError } from '../errors.js';
import { locateUdfJar } from '../udf/jars.js';

/** The UDF jar's shell entry point: payload lines on stdin, one score (or `null`) per line on stdout. */
export const SCORE_MAIN_CLASS = 'dev.edgeml.udf.ScoreCli';

/**
 * Scores payloads in the seed format with the real ANOMALY UDF, in one `java` process: the same
 * class and model ksqlDB and the local processor run. null where the UDF returns NULL.
 */
export async function scorePayloads(payloads: readonly string[], jar = locateUdfJar()): Promise<(number | null)[]> {
  const lines = await runScoreCli(jar, payloads.map((p) => `${p.replace(/[\r\n]+/g, ' ')}\n`).join(''));
  if (lines.length !== payloads.length) {
    throw new EdgeMlError(`the scorer printed ${lines.length} scores for ${payloads.length} payloads`, `check ${jar} with: java -cp ${jar} ${SCORE_MAIN_CLASS}`);
  }
  return lines.map((line) => (line === 'null' ? null : Number(line)));
}

function runScoreCli(jar: string, input: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', jar, SCORE_MAIN_CLASS], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new EdgeMlError('no `java` on PATH: scoring runs the UDF jar in a JVM', 'install a Java 11+ runtime (e.g. `apt-get install openjdk-17-jre-headless`) and try again')
          : new EdgeMlError(`cannot start java: ${err.message}`),
      );
    });
    child.on('close', (code) => {
      if (code !== 0) {
        const detail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join(' | ');
        reject(new EdgeMlError(`the scorer (${jar}) exited with code ${code}${detail ? `: ${detail}` : ''}`, 'rebuild the jar with `mvn -B -f udf-jar/pom.xml package`'));
        return;
      }
      const text = Buffer.concat(stdout).toString('utf8');
      resolve(text === '' ? [] : text.replace(/\n$/, '').split('\n'));
    });
    // A scorer that dies early closes stdin; the exit code above says why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
