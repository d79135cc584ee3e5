/**
 * A turn of the event loop: what is waiting (zlib's callbacks, a page's request, a worker's message) runs,
 * then the caller goes on. setImmediate where there is one (Node), else a zero timeout (a browser).
 */
export function later(f: () => void): void {
  if (typeof setImmediate === 'function') setImmediate(f);
  else setTimeout(f, 0);
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => later(resolve));
}
