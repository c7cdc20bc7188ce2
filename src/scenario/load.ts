import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import { DOCKER_MQTT, parseTopicRegexList, type Scenario } from './scenario.js';

/** scenarios/ of this package: where `--scenario <name>` looks. */
export const SCENARIOS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../scenarios');

export function resolveScenarioPath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml') || nameOrPath.includes('/')) {
    return resolve(nameOrPath);
  }
  return join(SCENARIOS_DIR, `${nameOrPath}.yaml`);
}

export function loadScenario(nameOrPath: string): Scenario {
  const file = resolveScenarioPath(nameOrPath);
  if (!existsSync(file)) {
    throw new UsageError(`scenario '${nameOrPath}' not found (looked for ${file})`, `give a scenario name from ${SCENARIOS_DIR} or a path to a .yaml file`);
  }
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Reads typed fields from a YAML document and collects every problem with its line and column. */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly file: string) {}

  private where(node: Node | null | undefined): string {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return `${displayPath(this.file)}:${line}:${col}`;
  }

  /** The nearest existing ancestor, so a missing field is reported where it should have been. */
  private nearest(path: readonly (string | number)[]): Node | undefined {
    for (let i = path.length; i >= 0; i--) {
      const node = i === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, i), true);
      if (node && typeof node === 'object') return node as Node;
    }
    return undefined;
  }

  private value(path: readonly (string | number)[], kind: string, required: boolean): { value: unknown; node?: Node } | undefined {
    const node = this.doc.getIn(path, true) as Node | undefined;
    if (node === undefined || node === null) {
      if (required) this.problems.push(`${this.where(this.nearest(path))}: missing field '${path.join('.')}' (${kind})`);
      return undefined;
    }
    return { value: this.doc.getIn(path), node };
  }

  private bad(path: readonly (string | number)[], node: Node | undefined, expected: string, value: unknown): void {
    this.problems.push(`${this.where(node)}: field '${path.join('.')}' must be ${expected}, got ${JSON.stringify(value)}`);
  }

  string(path: readonly (string | number)[], fallback?: string): string {
    const found = this.value(path, 'a string', fallback === undefined);
    if (!found) return fallback ?? '';
    if (typeof found.value !== 'string' || found.value.trim() === '') {
      this.bad(path, found.node, 'a non-empty string', found.value);
      return fallback ?? '';
    }
    return found.value;
  }

  number(path: readonly (string | number)[], opts: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean }, fallback?: number): number {
    const expected = `${opts.integer ? 'an integer' : 'a number'} ${opts.exclusiveMin ? '>' : '>='} ${opts.min}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`;
    const found = this.value(path, expected, fallback === undefined);
    if (!found) return fallback ?? 0;
    const v = found.value;
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.exclusiveMin ? v > opts.min : v >= opts.min) &&
      (opts.max === undefined || v <= opts.max) && (!opts.integer || Number.isInteger(v));
    if (!ok) {
      this.bad(path, found.node, expected, v);
      return fallback ?? 0;
    }
    return v as number;
  }

  choice<T extends string>(path: readonly (string | number)[], choices: readonly T[], fallback: T): T {
    const expected = `one of ${choices.join(', ')}`;
    const found = this.value(path, expected, false);
    if (!found) return fallback;
    if (!(choices as readonly unknown[]).includes(found.value)) {
      this.bad(path, found.node, expected, found.value);
      return fallback;
    }
    return found.value as T;
  }

  list(path: readonly (string | number)[]): number {
    const found = this.value(path, 'a list', true);
    if (!found) return 0;
    if (!isSeq(found.node) || found.node.items.length === 0) {
      this.bad(path, found.node, 'a non-empty list', found.value);
      return 0;
    }
    return found.node.items.length;
  }

  check(path: readonly (string | number)[], message: string | undefined): void {
    if (message) this.problems.push(`${this.where(this.doc.getIn(path, true) as Node)}: field '${path.join('.')}' ${message}`);
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const [line, col] = first.linePos?.[0] ? [first.linePos[0].line, first.linePos[0].col] : [1, 1];
    throw new UsageError(
      `${displayPath(file)}:${line}:${col}: the scenario is not valid YAML: ${first.message.split('\n')[0]}`,
      'fix the YAML syntax at that line (indentation, quotes, colons)',
    );
  }
  if (!isMap(doc.contents)) {
    throw new UsageError(`${displayPath(file)}:1:1: the scenario must be a YAML mapping of sections (kafka, mqtt, streams, ...)`, 'start from scenarios/connected-cars.yaml');
  }
  const r = new FieldReader(doc, lines, file);

  const topicCount = r.list(['kafka', 'topics']);
  const topics = Array.from({ length: topicCount }, (_, i) => ({
    name: r.string(['kafka', 'topics', i, 'name']),
    partitions: r.number(['kafka', 'topics', i, 'partitions'], { min: 1, max: 10000, integer: true }, 1),
  }));

  const topicRegexList = r.string(['mqtt', 'topicRegexList']);
  const mappings = topicRegexList ? parseTopicRegexList(topicRegexList) : [];
  if (typeof mappings === 'string') r.check(['mqtt', 'topicRegexList'], mappings);
  const topicTemplate = r.string(['mqtt', 'topicTemplate']);
  if (topicTemplate && !topicTemplate.includes('{car}')) r.check(['mqtt', 'topicTemplate'], "must contain the placeholder {car}");

  const carIdPattern = r.string(['streams', 'carIdPattern']);
  if (carIdPattern) {
    try {
      new RegExp(carIdPattern);
      // The pattern is pasted into KSQL as a string literal.
      if (carIdPattern.includes("'")) r.check(['streams', 'carIdPattern'], 'must not contain a single quote');
    } catch (err) {
      r.check(['streams', 'carIdPattern'], `is not a valid regex: ${(err as Error).message}`);
    }
  }

  const scenario: Omit<Scenario, 'ksql'> & { ksql: { file: string; text: string } } = {
    name: r.string(['name']),
    description: r.string(['description'], ''),
    file,
    kafka: { topics },
    mqtt: {
      topicTemplate,
      topicRegexList,
      topicMappings: typeof mappings === 'string' ? [] : mappings,
      maxMessageBytes: r.number(['mqtt', 'maxMessageBytes'], { min: 1024, max: 256 * 1024 * 1024, integer: true }, 65536),
      docker: r.choice(['mqtt', 'docker'], DOCKER_MQTT, 'proxy'),
    },
    streams: {
      source: r.string(['streams', 'source']),
      scores: r.string(['streams', 'scores']),
      anomalies: r.string(['streams', 'anomalies']),
      carIdPattern,
    },
    ksql: { file: resolve(dirname(file), r.string(['ksql', 'file'])), text: '' },
    model: { threshold: r.number(['model', 'threshold'], { min: 0, exclusiveMin: true }) },
    generator: {
      cars: r.number(['generator', 'cars'], { min: 1, integer: true }, 10),
      rate: r.number(['generator', 'rate'], { min: 0 }, 1),
      anomalyRate: r.number(['generator', 'anomalyRate'], { min: 0, max: 1 }, 0.05),
      qos: r.number(['generator', 'qos'], { min: 0, max: 2, integer: true }, 1) as 0 | 1 | 2,
    },
    smoke: {
      cars: r.number(['smoke', 'cars'], { min: 1, integer: true }, 200),
      messages: r.number(['smoke', 'messages'], { min: 1, integer: true }, 5),
      minRecall: r.number(['smoke', 'minRecall'], { min: 0, max: 1 }, 0.9),
      minPrecision: r.number(['smoke', 'minPrecision'], { min: 0, max: 1 }, 0.9),
    },
  };
  if (scenario.streams.source && !topics.some((t) => t.name === scenario.streams.source)) {
    r.check(['streams', 'source'], `names topic '${scenario.streams.source}', which kafka.topics does not list`);
  }

  if (r.problems.length > 0) {
    throw new UsageError(`invalid scenario:\n  ${r.problems.join('\n  ')}`, 'fix the fields named above; scenarios/connected-cars.yaml shows every field');
  }
  if (!existsSync(scenario.ksql.file)) {
    throw new UsageError(`${displayPath(file)}: ksql.file ${displayPath(scenario.ksql.file)} does not exist`, 'point ksql.file at the KSQL statements, relative to the scenario file');
  }
  scenario.ksql.text = fillPlaceholders(readFileSync(scenario.ksql.file, 'utf8'), scenario);
  return scenario;
}

function fillPlaceholders(sql: string, s: Omit<Scenario, 'ksql'>): string {
  const values: Record<string, string> = {
    sourceTopic: s.streams.source,
    scoresStream: s.streams.scores,
    anomaliesStream: s.streams.anomalies,
    carIdPattern: s.streams.carIdPattern,
    threshold: String(s.model.threshold),
  };
  return sql.replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new UsageError(`${displayPath(s.file)}: the KSQL file uses unknown placeholder ${whole}`, `use one of ${Object.keys(values).map((k) => `\${${k}}`).join(', ')}`);
    return value;
  });
}
