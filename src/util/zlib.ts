/**
 * Inflate and deflate, behind one small module: this one is Node's (native zlib, on libuv's thread pool);
 * zlib.browser.ts is the page's, picked by the page's bundler (scripts/build-page.mjs) in its place.
 */
import zlib from 'node:zlib';
import { nextTurn } from './turn.js';

/** Output of zlib per step when an entry is checked: the most held at once. */
const CHUNK = 256 * 1024;

/** How an inflate stopped: at the end of the deflate stream, or as soon as its output passed the limit. */
export type InflateEnd = { size: number; consumed: number } | { over: number };

/**
 * Inflates deflated bytes CHUNK bytes of output at a time, each handed to `chunk` and dropped; stops as soon
 * as the output passes `limit` ({ over }). Else resolves with the size inflated and the number of compressed
 * bytes the deflate stream took. Rejects with zlib's error when the data is not a deflate stream.
 */
export function inflateRawChunks(compressed: Uint8Array, limit: number, chunk: (c: Buffer) => void): Promise<InflateEnd> {
  return new Promise((resolve, reject) => {
    const z = zlib.createInflateRaw({ chunkSize: CHUNK });
    let size = 0;
    let done = false;
    const stop = (end: () => void) => {
      if (!done) end();
      done = true;
      z.destroy();
    };
    z.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return stop(() => resolve({ over: size }));
      chunk(c);
    });
    z.on('error', (e) => stop(() => reject(e)));
    z.on('end', () => {
      if (!done) resolve({ size, consumed: z.bytesWritten });
      done = true;
    });
    z.end(compressed);
  });
}

/** Inflates an entry already checked to inflate to exactly `size` bytes, into one buffer of its size. */
export function inflateRawChecked(compressed: Uint8Array, size: number): Buffer | Promise<Buffer> {
  return zlib.inflateRawSync(compressed, { chunkSize: Math.max(64, size + 1), maxOutputLength: size + 1 });
}

/** Parts in more chunks than this are deflated as a stream (see deflateRaw). */
const STREAMED_FROM = 16;

/**
 * Deflates the chunks on libuv's thread pool, at once: a zlib stream would come back to the main thread for
 * every chunk, and the main thread is busy rendering the next sheet.
 */
export function deflateRaw(chunks: Buffer[], level: number): Promise<Buffer> {
  if (chunks.length > 1 && chunks.length <= STREAMED_FROM) chunks = [Buffer.concat(chunks)];
  if (chunks.length === 1) return new Promise((resolve, reject) => zlib.deflateRaw(chunks[0], { level }, (e, out) => (e ? reject(e) : resolve(out))));
  // Many chunks (a big rewritten sheet): fed to one deflate stream, so that the part is never copied into
  // one buffer of its size, and each chunk can go once deflated. Without flushes, zlib's output does not
  // depend on how its input is cut: the bytes are those of a one-shot deflate.
  return new Promise((resolve, reject) => {
    const z = zlib.createDeflateRaw({ level });
    const out: Buffer[] = [];
    z.on('data', (b: Buffer) => out.push(b));
    z.on('error', reject);
    z.on('end', () => resolve(out.length === 1 ? out[0] : Buffer.concat(out)));
    for (const c of chunks) z.write(c);
    z.end();
  });
}

/** Node's own CRC-32 (from Node 22), undefined before. */
export const nativeCrc32 = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;

/** Bytes a deflate stream may hold, written but not yet deflated, before its writer waits. */
const STREAM_BACKLOG = 8 << 20;

/** A deflate stream written chunk by chunk: `ready` to wait for it, `end` for its deflated bytes. */
export interface DeflateStream {
  write(chunk: Buffer): void;
  ready(): Promise<void>;
  end(): Promise<Buffer>;
}

/**
 * zlib's deflate stream, its output buffer large, so that each turn of the thread pool deflates megabytes,
 * not 16 KB. Same bytes as a one-shot deflate: without flushes, neither the input's cut nor the output
 * buffer changes them.
 */
export function deflateRawStream(level: number): DeflateStream {
  const z = zlib.createDeflateRaw({ level, chunkSize: 1 << 20 });
  const out: Buffer[] = [];
  const data = new Promise<Buffer>((resolve, reject) => {
    z.on('data', (b: Buffer) => out.push(b));
    z.on('error', reject);
    z.on('end', () => resolve(out.length === 1 ? out[0] : Buffer.concat(out)));
  });
  data.catch(() => undefined); // told when the part is awaited
  return {
    write: (chunk) => void z.write(chunk),
    ready: () => (z.writableLength <= STREAM_BACKLOG ? nextTurn() /* zlib's callbacks run meanwhile */ : new Promise((resolve) => z.once('drain', () => resolve()))),
    end: () => {
      z.end();
      return data;
    },
  };
}
