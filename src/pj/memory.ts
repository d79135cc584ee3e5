import type { PjFolder, PjFound } from './check.js';

/** A path inside the PJ folder as a key: its segments, without empty ones and ".". */
export function pjKey(segments: string[]): string {
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

/**
 * A PJ folder given as bytes, each document under its path relative to the folder ("factures/f1.pdf"), as
 * the page gets it from the folder the user picks. Nothing can lead out of it.
 */
export function memoryPjFolder(dir: string, files: { path: string; bytes: Uint8Array }[]): PjFolder {
  const byKey = new Map(files.map((f) => [pjKey(f.path.split(/[\\/]+/)), f.bytes]));
  const find = (segments: string[]): PjFound | 'absent' => {
    const bytes = byKey.get(pjKey(segments));
    if (!bytes) return 'absent';
    return { size: bytes.length, head: () => bytes.subarray(0, 64), bytes: () => bytes };
  };
  return { dir, find };
}
