// PLACEHOLDER: replaced by the local-runtime work (issue 5).
import { EdgeMlError } from '../../errors.js';
import type { PlatformStatus, Reporter, Runtime, UpOptions } from '../types.js';

export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  constructor(readonly stateDir: string) {}
  up(_o: UpOptions, _r: Reporter): Promise<PlatformStatus> { throw new EdgeMlError('not built yet'); }
  down(): Promise<void> { throw new EdgeMlError('not built yet'); }
  status(): Promise<PlatformStatus> { throw new EdgeMlError('not built yet'); }
  deployUdf(): Promise<void> { throw new EdgeMlError('not built yet'); }
  applyKsql(): Promise<string[]> { throw new EdgeMlError('not built yet'); }
}
