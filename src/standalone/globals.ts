/**
 * Injected by the page's bundler wherever the engine names Node's globals: Buffer (the buffer package) and a
 * process with nothing in it (no environment; util/lock.ts's exit handler, registered at load, never runs).
 */
import { Buffer } from 'buffer';

export { Buffer };
export const process = { env: {} as Record<string, string | undefined>, platform: 'browser', pid: 0, cwd: () => '/', on: () => undefined };
