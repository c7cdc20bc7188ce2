import { join } from 'node:path';
import { processFiles, type ProcessFiles } from './supervisor.js';

/** Processor instances: `processor`, then `processor-2`, `processor-3` ... (--processors N). */
export type ProcessorName = 'processor' | `processor-${number}`;
export type ComponentName = 'kafka' | ProcessorName | 'mqtt-endpoint';

export function processorNames(count: number): ProcessorName[] {
  return Array.from({ length: count }, (_, i): ProcessorName => (i === 0 ? 'processor' : `processor-${i + 1}`));
}

export function isProcessor(component: ComponentName): component is ProcessorName {
  return component.startsWith('processor');
}

/** Where the local runtime keeps everything, below the state dir. */
export class LocalLayout {
  readonly root: string;
  readonly run: string;
  readonly logs: string;
  readonly data: string;
  readonly cache: string;

  constructor(readonly stateDir: string) {
    this.root = join(stateDir, 'local');
    this.run = join(this.root, 'run');
    this.logs = join(this.root, 'logs');
    this.data = join(this.root, 'data');
    // Shared by every platform of this state dir and kept by `down --volumes`: jars only.
    this.cache = join(stateDir, 'cache');
  }

  files(component: ComponentName): ProcessFiles {
    const { pidFile } = processFiles(this.run, component);
    return { pidFile, logFile: join(this.logs, `${component}.log`) };
  }

  get settingsFile(): string {
    return join(this.root, 'settings.json');
  }
  get kafkaConfigFile(): string {
    return join(this.run, 'server.properties');
  }
  get kafkaLog4jFile(): string {
    return join(this.run, 'log4j.properties');
  }
  get processorLog4jFile(): string {
    return join(this.run, 'processor-log4j.properties');
  }
  /** Kafka Streams' own log; the processor's stdout (state changes, counts) goes to processor.log. */
  get processorStreamsLog(): string {
    return join(this.logs, 'processor-streams.log');
  }
  get kafkaServerLog(): string {
    return join(this.logs, 'kafka-server.log');
  }
  get kafkaDataDir(): string {
    return join(this.data, 'kafka');
  }
  /** Each instance its own: Kafka Streams locks its state dir. */
  streamsStateDir(processor: ProcessorName): string {
    return join(this.data, 'streams', processor);
  }
  get udfDir(): string {
    return join(this.root, 'udf');
  }
  processorStatusFile(processor: ProcessorName): string {
    return join(this.run, `${processor}-status.json`);
  }
  get endpointConfigFile(): string {
    return join(this.run, 'mqtt-endpoint.json');
  }
  get endpointStatusFile(): string {
    return join(this.run, 'mqtt-endpoint-status.json');
  }
}
