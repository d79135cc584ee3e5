/**
 * The page's inflate and deflate, in place of zlib.ts (scripts/build-page.mjs picks it): the browser's own
 * DecompressionStream and CompressionStream ('deflate-raw'), native code, as zlib is in Node.
 *
 * Inflating an entry to check it feeds the compressed bytes a slice at a time and reads the output as it
 * comes, so that it stops as soon as the output passes the limit, never inflating first and checking after;
 * the stream refuses data after the end of the deflate stream, as zlib's count of the bytes it took does.
 * CompressionStream has one level, not the CLI's: a results workbook made in the page has the same parts as
 * the CLI's, not the same bytes.
 */
import { Buffer } from 'buffer';

/** Compressed bytes given to the decompressor per step: deflate gives at most about 1 032 bytes per byte. */
const SLICE = 4096;

export type InflateEnd = { size: number; consumed: number } | { over: number };

async function feed(writer: WritableStreamDefaultWriter<BufferSource>, chunks: Uint8Array[], slice: number): Promise<void> {
  for (const c of chunks) for (let i = 0; i < c.length; i += slice) await writer.write(c.subarray(i, i + slice) as Uint8Array<ArrayBuffer>);
  await writer.close();
}

/** Runs bytes through a (de)compression stream, each output chunk handed to `take`; false from it stops. */
async function pump(stream: CompressionStream | DecompressionStream, chunks: Uint8Array[], slice: number, take: (c: Uint8Array) => boolean): Promise<boolean> {
  const fed = feed(stream.writable.getWriter(), chunks, slice);
  fed.catch(() => undefined);
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!take(value)) {
      await reader.cancel().catch(() => undefined);
      return false;
    }
  }
  await fed;
  return true;
}

/** As zlib.ts's: chunks handed to `chunk` and dropped, stopped as soon as the output passes `limit`. */
export async function inflateRawChunks(compressed: Uint8Array, limit: number, chunk: (c: Buffer) => void): Promise<InflateEnd> {
  let size = 0;
  const whole = await pump(new DecompressionStream('deflate-raw'), [compressed], SLICE, (c) => {
    size += c.length;
    if (size > limit) return false;
    chunk(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    return true;
  });
  return whole ? { size, consumed: compressed.length } : { over: size };
}

/** An entry already checked to inflate to exactly `size` bytes, into one buffer of its size. */
export async function inflateRawChecked(compressed: Uint8Array, size: number): Promise<Buffer> {
  const out = Buffer.alloc(size);
  let at = 0;
  await pump(new DecompressionStream('deflate-raw'), [compressed], compressed.length || 1, (c) => {
    if (at + c.length > size) return false;
    out.set(c, at);
    at += c.length;
    return true;
  });
  return out;
}

export async function deflateRaw(chunks: Buffer[], _level: number): Promise<Buffer> {
  const out: Uint8Array[] = [];
  await pump(new CompressionStream('deflate-raw'), chunks, 1 << 20, (c) => out.push(c) > 0);
  return Buffer.concat(out);
}

/** As zlib.ts's, through CompressionStream: written as it comes, its output read meanwhile. */
export function deflateRawStream(_level: number) {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const out: Uint8Array[] = [];
  const read = (async () => {
    const reader = stream.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
    return Buffer.concat(out);
  })();
  read.catch(() => undefined); // told when the part is awaited
  let pending: Promise<void> = Promise.resolve();
  return {
    write: (chunk: Buffer) => {
      pending = writer.write(chunk as Uint8Array<ArrayBuffer>);
      pending.catch(() => undefined); // told by ready() or end()
    },
    ready: () => pending.then(() => writer.ready),
    end: async () => {
      await writer.close();
      return read;
    },
  };
}

export const nativeCrc32: ((d: Uint8Array, v?: number) => number) | undefined = undefined;
