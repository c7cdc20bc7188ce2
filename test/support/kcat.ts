import { execa } from 'execa';

export interface TopicRecord {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
}

/**
 * Every record of a topic, read from the beginning to its current end by kcat (a real Kafka peer);
 * configFile: librdkafka properties (TLS, SASL) for `kcat -F`.
 */
export async function readTopicWithKcat(bootstrap: string, topic: string, configFile?: string): Promise<TopicRecord[]> {
  const config = configFile ? ['-F', configFile] : [];
  const { stdout } = await execa('kcat', [...config, '-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], { timeout: 60_000 });
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => {
      const r = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null };
      return { partition: r.partition, offset: r.offset, key: r.key, payload: r.payload };
    });
}

/** The highest offset read per partition, to tell later records from earlier ones. */
export function endOffsets(records: readonly TopicRecord[]): Map<number, number> {
  const ends = new Map<number, number>();
  for (const r of records) ends.set(r.partition, Math.max(ends.get(r.partition) ?? -1, r.offset));
  return ends;
}
