/**
 * node:test with a bound on every test and hook, so that a stuck one fails under its own name and
 * the run goes on. node's own --test-timeout does not do this: on Node 20, 22 and 24 it also bounds
 * each test file as a whole, and a file cut off that way is reported by its path only.
 * Tests import test, describe and the hooks from here instead of node:test.
 */
import * as nodeTest from 'node:test';

/** Five times the slowest test's usual time (36 s); EDGE_ML_TEST_TIMEOUT_MS for a much slower machine. */
export const TEST_TIMEOUT_MS = Number(process.env.EDGE_ML_TEST_TIMEOUT_MS) || 180_000;

type TestFn = nodeTest.TestFn;
type TestOptions = nodeTest.TestOptions;
type HookFn = nodeTest.HookFn;
type HookOptions = nodeTest.HookOptions;
type SuiteFn = nodeTest.SuiteFn;

export function test(name: string, fn: TestFn): Promise<void>;
export function test(name: string, options: TestOptions, fn: TestFn): Promise<void>;
export function test(name: string, optionsOrFn: TestOptions | TestFn, fn?: TestFn): Promise<void> {
  const [options, body] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, fn!];
  return nodeTest.test(name, { timeout: TEST_TIMEOUT_MS, ...options }, body);
}

/**
 * A suite is not bounded as a whole: its tests and hooks are, each under its own name. `concurrency`
 * runs that many of its tests at once, for suites whose tests share nothing.
 */
export function describe(name: string, fn: SuiteFn): Promise<void>;
export function describe(name: string, options: { concurrency: number }, fn: SuiteFn): Promise<void>;
export function describe(name: string, optionsOrFn: { concurrency: number } | SuiteFn, fn?: SuiteFn): Promise<void> {
  return typeof optionsOrFn === 'function' ? nodeTest.describe(name, optionsOrFn) : nodeTest.describe(name, optionsOrFn, fn!);
}

const bounded = (options?: HookOptions): HookOptions => ({ timeout: TEST_TIMEOUT_MS, ...options });
export const before = (fn: HookFn, options?: HookOptions): void => nodeTest.before(fn, bounded(options));
export const after = (fn: HookFn, options?: HookOptions): void => nodeTest.after(fn, bounded(options));
export const beforeEach = (fn: HookFn, options?: HookOptions): void => nodeTest.beforeEach(fn, bounded(options));
export const afterEach = (fn: HookFn, options?: HookOptions): void => nodeTest.afterEach(fn, bounded(options));
