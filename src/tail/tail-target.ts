import type { Scenario } from '../scenario/scenario.js';

/**
 * How a topic's records are shown: `score` for the scored streams (JSON values with CARID, EVENTID,
 * ANOMALY_VAL), `sensor` for the raw MQTT records (key = MQTT topic, value = seed payload), `plain`
 * for any other topic.
 */
export type RecordShape = 'score' | 'sensor' | 'plain';

export interface TailTarget {
  topic: string;
  shape: RecordShape;
}

export const TAIL_ALIASES = ['anomalies', 'scores', 'sensors'] as const;

/** An alias from the scenario (anomalies, scores, sensors) or a topic name taken as it is. */
export function resolveTailTarget(word: string, scenario: Scenario): TailTarget {
  const { source, scores, anomalies } = scenario.streams;
  const topic = word === 'anomalies' ? anomalies : word === 'scores' ? scores : word === 'sensors' ? source : word;
  const shape: RecordShape = topic === scores || topic === anomalies ? 'score' : topic === source ? 'sensor' : 'plain';
  return { topic, shape };
}
