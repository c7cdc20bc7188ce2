import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerMqtt, Scenario } from '../scenario/scenario.js';
import { DEFAULT_PORTS, type ComponentStatus, type Ports, type UpOptions } from './types.js';

/** compose/docker-compose.yml of this package (dist/src/runtime -> package root). */
export const COMPOSE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../compose/docker-compose.yml');
/** The override that swaps the MQTT Proxy for this project's MQTT endpoint (--mqtt endpoint). */
export const ENDPOINT_OVERRIDE_FILE = resolve(dirname(COMPOSE_FILE), 'mqtt-endpoint.yml');
export const COMPOSE_PROJECT = 'edge-ml';

/** The MQTT service an `up` asks the docker runtime for: --mqtt, else the scenario's mqtt.docker. */
export function requestedMqtt(options: Pick<UpOptions, 'mqtt' | 'scenario'>): DockerMqtt {
  return options.mqtt ?? options.scenario.mqtt.docker;
}

/** The compose files of a variant: the proxy one is docker-compose.yml alone, as before there was a choice. */
export function composeFiles(mqtt: DockerMqtt): string[] {
  return mqtt === 'endpoint' ? [COMPOSE_FILE, ENDPOINT_OVERRIDE_FILE] : [COMPOSE_FILE];
}

/** What every compose command runs with: the EDGE_ML_* environment and the variant's files. */
export interface ComposeProject {
  env: Record<string, string>;
  mqtt: DockerMqtt;
}

/** A service: component name in status, title in progress lines, host port. */
export interface ComposeService {
  service: string;
  component: string;
  title: string;
  port: 'kafka' | 'ksql' | 'mqtt';
}

export const BROKER: ComposeService = { service: 'broker', component: 'kafka', title: 'Kafka broker', port: 'kafka' };
export const KSQLDB: ComposeService = { service: 'ksqldb-server', component: 'ksqldb', title: 'ksqlDB server', port: 'ksql' };
const MQTT_SERVICES: Record<DockerMqtt, ComposeService> = {
  proxy: { service: 'mqtt-proxy', component: 'mqtt-proxy', title: 'MQTT Proxy', port: 'mqtt' },
  endpoint: { service: 'mqtt-endpoint', component: 'mqtt-endpoint', title: 'MQTT endpoint', port: 'mqtt' },
};

export function mqttService(mqtt: DockerMqtt): ComposeService {
  return MQTT_SERVICES[mqtt];
}

/** The services a variant runs, in start order. */
export function composeServices(mqtt: DockerMqtt): ComposeService[] {
  return [BROKER, KSQLDB, mqttService(mqtt)];
}

/** ksqlDB's extension dir on the host: bind-mounted into the container, where the UDF jar goes. */
export function extensionDir(stateDir: string): string {
  return join(stateDir, 'docker', 'extensions');
}

/** The command a user can run to read a service's log, for hints. */
export function logsCommand(mqtt: DockerMqtt, service?: string): string {
  return ['docker', ...composeArgs(mqtt, 'logs', ...(service ? [service] : []))].join(' ');
}

/** `docker compose -p edge-ml -f <file> [-f <override>] <args>`. */
export function composeArgs(mqtt: DockerMqtt, ...args: string[]): string[] {
  return ['compose', '-p', COMPOSE_PROJECT, ...composeFiles(mqtt).flatMap((file) => ['-f', file]), ...args];
}

/**
 * The EDGE_ML_* variables compose/docker-compose.yml reads. Without the scenario's MQTT settings
 * (ps, down, restart: commands that create no container) the file's defaults stand.
 */
export function composeEnvironment(ports: Ports, stateDir: string, mqtt?: Scenario['mqtt']): Record<string, string> {
  const env: Record<string, string> = {
    EDGE_ML_HOST: ports.host,
    EDGE_ML_ADVERTISED_HOST: clientHost(ports.host),
    EDGE_ML_KAFKA_PORT: String(ports.kafka),
    EDGE_ML_KSQL_PORT: String(ports.ksql),
    EDGE_ML_MQTT_PORT: String(ports.mqtt),
    EDGE_ML_EXT_DIR: extensionDir(stateDir),
  };
  if (mqtt) {
    env.EDGE_ML_MQTT_TOPIC_REGEX_LIST = mqtt.topicRegexList;
    env.EDGE_ML_MQTT_MAX_MESSAGE_BYTES = String(mqtt.maxMessageBytes);
  }
  return env;
}

/** The address clients on this host use: a bind to all interfaces is still reached on loopback. */
function clientHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
}

/** Where clients on the host reach each service. */
export function hostEndpoints(ports: Ports): { bootstrapServers: string; mqttUrl: string; ksqlUrl: string } {
  const host = clientHost(ports.host);
  return { bootstrapServers: `${host}:${ports.kafka}`, mqttUrl: `mqtt://${host}:${ports.mqtt}`, ksqlUrl: `http://${host}:${ports.ksql}` };
}

/** The ports a recorded platform was started with (defaults when there is no record). */
export function portsOf(endpoints: { bootstrapServers: string; mqttUrl: string; ksqlUrl?: string } | undefined): Ports {
  if (!endpoints) return DEFAULT_PORTS;
  const port = (text: string | undefined, fallback: number): number => Number(/:(\d+)\/?$/.exec(text ?? '')?.[1] ?? fallback);
  return {
    host: /^([^:]+):/.exec(endpoints.bootstrapServers)?.[1] ?? DEFAULT_PORTS.host,
    kafka: port(endpoints.bootstrapServers, DEFAULT_PORTS.kafka),
    mqtt: port(endpoints.mqttUrl, DEFAULT_PORTS.mqtt),
    ksql: port(endpoints.ksqlUrl, DEFAULT_PORTS.ksql),
  };
}

/** One container as `docker compose ps --format json` describes it (the fields edge-ml reads). */
export interface ComposeContainer {
  Service: string;
  State: string;
  Health?: string;
  Status?: string;
  Publishers?: { URL?: string; PublishedPort?: number; TargetPort?: number }[];
}

/**
 * Parses `docker compose ps --format json`: a JSON array before Compose 2.21, one JSON object
 * per line since.
 */
export function parseComposePs(output: string): ComposeContainer[] {
  const text = output.trim();
  if (!text) return [];
  if (text.startsWith('[')) return JSON.parse(text) as ComposeContainer[];
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ComposeContainer);
}

/** The status of every service of the variant; a service with no container is stopped. */
export function componentStatuses(containers: readonly ComposeContainer[], mqtt: DockerMqtt): ComponentStatus[] {
  return composeServices(mqtt).map(({ service, component }) => {
    const container = containers.find((c) => c.Service === service);
    if (!container) return { name: component, state: 'stopped' as const };
    const published = container.Publishers?.find((p) => p.PublishedPort);
    return {
      name: component,
      state: containerState(container),
      address: published ? `${published.URL ?? '127.0.0.1'}:${published.PublishedPort}` : undefined,
      detail: container.Status ?? container.State,
    };
  });
}

function containerState(container: ComposeContainer): ComponentStatus['state'] {
  switch (container.State) {
    case 'running':
      if (container.Health === 'starting') return 'starting';
      if (container.Health === 'unhealthy') return 'unhealthy';
      return 'running';
    case 'created':
    case 'restarting':
      return 'starting';
    default: // exited, dead, paused, removing
      return 'dead';
  }
}
