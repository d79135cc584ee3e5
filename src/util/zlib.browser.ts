/**
 * The page's inflate and deflate, in place of zlib.ts (scripts/build-page.mjs picks it). Inflating an entry
 * to check it goes through the browser's own DecompressionStream('deflate-raw'), fed a slice at a time, so that
 * it stops as soon as the output passes the limit, never inflating first and checking after; it refuses data
 * after the end of the deflate stream, as zlib's count of bytes taken does. Deflate is fflate's: the browser's
 * CompressionStream has no level. Its bytes are not native zlib's: a results workbook made in the page has the
 * same parts as the CLI's, not the same bytes.
 */
import { Buffer } from 'buffer';
import { deflateSync, inflateSync } from 'fflate';

/** Compressed bytes given to the decompressor per step: deflate gives at most about 1 032 bytes per byte. */
const SLICE = 4096;

export type InflateEnd = { size: number; consumed: number } | { over: number };

async function feed(writer: WritableStreamDefaultWriter<BufferSource>, compressed: Uint8Array): Promise<void> {
  for (let i = 0; i < compressed.length; i += SLICE) await writer.write(compressed.subarray(i, i + SLICE) as Uint8Array<ArrayBuffer>);
  await writer.close();
}

/** As zlib.ts's: chunks handed to `chunk` and dropped, stopped as soon as the output passes `limit`. */
export async function inflateRawChunks(compressed: Uint8Array, limit: number, chunk: (c: Buffer) => void): Promise<InflateEnd> {
  const stream = new DecompressionStream('deflate-raw');
  const fed = feed(stream.writable.getWriter(), compressed);
  fed.catch(() => undefined);
  const reader = stream.readable.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { over: size };
    }
    chunk(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  await fed;
  return { size, consumed: compressed.length };
}

/** An entry already checked to inflate to exactly `size` bytes, into one buffer of its size. */
export function inflateRawChecked(compressed: Uint8Array, size: number): Buffer {
  const out = inflateSync(compressed, { out: new Uint8Array(size) });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export async function deflateRaw(chunks: Buffer[], level: number): Promise<Buffer> {
  const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const out = deflateSync(data, { level: level as 4 });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export const nativeCrc32: ((d: Uint8Array, v?: number) => number) | undefined = undefined;
