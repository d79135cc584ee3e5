/**
 * What the page's bundle gets for node:fs, node:os, node:crypto, node:async_hooks and node:url: modules that
 * the engine's graph imports for the commands' edges (the journal's file and lock, util/fs.ts) and that the
 * page never calls. A call says so instead of doing anything.
 */
function unavailable(what: string): never {
  throw new Error(`${what} : indisponible dans la page (aucun fichier n'y est lu ni écrit par son chemin)`);
}

const module: Record<string, unknown> = new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? () => unavailable(key) : undefined) });
export default module;

/** util/lock.ts makes one at load: it is never asked for a store in the page. */
export class AsyncLocalStorage<T> {
  getStore(): T | undefined {
    return undefined;
  }
  run<R>(_store: T, f: () => R): R {
    return f();
  }
}

export function fileURLToPath(url: string): string {
  return unavailable(`fileURLToPath(${url})`);
}
