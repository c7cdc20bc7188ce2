import type { Command } from 'commander';
import { registerDown } from './down.js';
import { registerGenerate } from './generate.js';
import { registerKsql } from './ksql.js';
import { registerModel } from './model.js';
import { registerStatus } from './status.js';
import { registerTail } from './tail.js';
import { registerUdf } from './udf.js';
import { registerUp } from './up.js';

export function registerCommands(program: Command): void {
  registerUp(program);
  registerDown(program);
  registerStatus(program);
  registerUdf(program);
  registerKsql(program);
  registerGenerate(program);
  registerTail(program);
  registerModel(program);
}
