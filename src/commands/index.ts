import type { Command } from 'commander';
import { registerDashboard } from './dashboard.js';
import { registerDemo } from './demo.js';
import { registerDown } from './down.js';
import { registerGenerate } from './generate.js';
import { registerKsql } from './ksql.js';
import { registerModel } from './model.js';
import { registerSmoke } from './smoke.js';
import { registerStatus } from './status.js';
import { registerTail } from './tail.js';
import { registerUdf } from './udf.js';
import { registerUp } from './up.js';

/** In the order a user meets them in the tutorial. */
export function registerCommands(program: Command): void {
  registerUp(program);
  registerGenerate(program);
  registerTail(program);
  registerDashboard(program);
  registerStatus(program);
  registerDown(program);
  registerSmoke(program);
  registerDemo(program);
  registerUdf(program);
  registerKsql(program);
  registerModel(program);
}
