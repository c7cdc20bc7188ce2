// PLACEHOLDER: replaced by the docker-runtime work (issue 2).
import { EdgeMlError } from '../errors.js';
import type { PlatformStatus, Reporter, Runtime, UpOptions } from './types.js';

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  constructor(readonly stateDir: string) {}
  up(_o: UpOptions, _r: Reporter): Promise<PlatformStatus> { throw new EdgeMlError('not built yet'); }
  down(): Promise<void> { throw new EdgeMlError('not built yet'); }
  status(): Promise<PlatformStatus> { throw new EdgeMlError('not built yet'); }
  deployUdf(): Promise<void> { throw new EdgeMlError('not built yet'); }
  applyKsql(): Promise<string[]> { throw new EdgeMlError('not built yet'); }
}
