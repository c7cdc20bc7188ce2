import type { KafkaTarget } from '../kafka/kafka-client.js';
import type { DockerMqtt, Scenario } from '../scenario/scenario.js';

export type RuntimeName = 'docker' | 'local';
export const RUNTIME_NAMES: readonly RuntimeName[] = ['docker', 'local'];

/** Where the running platform answers; written to the state dir so every command finds it. */
export interface Endpoints {
  bootstrapServers: string;
  /** The --kafka-config file of an attached cluster: its path only, never its contents. */
  kafkaConfigFile?: string;
  /** Where `up` ran: the config file's relative paths are taken from here. */
  kafkaConfigBaseDir?: string;
  /** Plain MQTT, or MQTTS when plain is off. */
  mqttUrl: string;
  /** The MQTTS listener, when there is one. */
  mqttsUrl?: string;
  /** Only the docker runtime runs ksqlDB. */
  ksqlUrl?: string;
}

export interface Ports {
  kafka: number;
  /** 0: no plain MQTT listener (MQTTS only). */
  mqtt: number;
  ksql: number;
  /** Address host ports bind to. */
  host: string;
}

export const DEFAULT_PORTS: Ports = { kafka: 9092, mqtt: 1883, ksql: 8088, host: '127.0.0.1' };

export interface ComponentStatus {
  name: string;
  /** running: up and healthy; starting: up, not healthy yet; dead: expected but gone; stopped: not started. */
  state: 'running' | 'starting' | 'unhealthy' | 'dead' | 'stopped';
  pid?: number;
  address?: string;
  uptimeS?: number;
  /** Health text, container status, or the last log line of a dead process. */
  detail?: string;
  /** Running totals where the component reports them (local runtime: produced, scored ...), for rates. */
  counters?: Record<string, number>;
}

export interface PlatformStatus {
  runtime: RuntimeName;
  running: boolean;
  endpoints?: Endpoints;
  components: ComponentStatus[];
  /** Streams and queries the stream processor runs (ksqlDB or the Streams app). */
  processing?: { engine: string; version?: string; streams: string[]; queries: string[] };
}

/** How a runtime reports progress without knowing about terminals or the CLI. */
export interface Reporter {
  step<T>(title: string, work: () => Promise<T>): Promise<T>;
  info(message: string): void;
  warn(message: string): void;
}

export interface UpOptions {
  scenario: Scenario;
  ports: Ports;
  timeoutS: number;
  /** UDF jar to deploy; undefined means the built or committed jar. */
  udfJar?: string;
  /** Run beside this cluster instead of starting a broker (local runtime only). */
  attach?: AttachOptions;
  /** Processor instances on this machine (one application id: Kafka Streams shares the partitions). */
  processors: number;
  /** false: this machine adds processors only, no MQTT endpoint. */
  mqttEndpoint: boolean;
  /** Bytes the MQTT endpoint holds for Kafka before it stops reading; undefined: its default. */
  mqttBufferBytes?: number;
  /** false: this machine adds an MQTT endpoint only, no processor. */
  processor: boolean;
  mqttSecurity: MqttSecurity;
  /** Docker runtime: --mqtt, the MQTT service; undefined: the scenario's mqtt.docker. */
  mqtt?: DockerMqtt;
}

/** The MQTT endpoint's TLS, users and ACL (local runtime): absolute file paths, never their contents. */
export interface MqttSecurity {
  tls?: { port: number; certFile: string; keyFile: string };
  /** Mosquitto's password_file format. */
  passwordFile?: string;
  /** With a password file: clients without a user name are let in too. */
  allowAnonymous: boolean;
  /** Mosquitto's acl_file format. */
  aclFile?: string;
}

/** Plain MQTT, anyone let in: the demo on loopback. */
export const OPEN_MQTT: MqttSecurity = { allowAnonymous: true };

export interface AttachOptions {
  target: KafkaTarget;
  /** Partitions of the topics created; undefined: the scenario's. */
  partitions?: number;
  /** Replicas of the topics created; undefined: min(3, brokers). */
  replicationFactor?: number;
}

export interface DownOptions {
  /** Delete local data (the embedded broker's log, the processors' state). */
  volumes: boolean;
  /** Attached mode: also delete the scenario's topics on the cluster. */
  deleteTopics: boolean;
}

export interface Runtime {
  readonly name: RuntimeName;
  up(options: UpOptions, reporter: Reporter): Promise<PlatformStatus>;
  down(options: DownOptions, reporter: Reporter): Promise<void>;
  status(): Promise<PlatformStatus>;
  deployUdf(jarPath: string, scenario: Scenario, reporter: Reporter): Promise<void>;
  applyKsql(statements: string, reporter: Reporter): Promise<string[]>;
}
