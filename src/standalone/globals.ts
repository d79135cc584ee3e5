/**
 * Injected by the page's bundler wherever the engine names Node's globals: Buffer (the buffer package) and a
 * process with nothing in it (no environment; util/lock.ts's exit handler, registered at load, never runs).
 *
 * The buffer package converts between strings and bytes one character at a time, in JavaScript: the reader
 * decodes every window of a sheet that way (latin1), which made the page several times slower than Node on
 * big workbooks. UTF-8 and latin1 go through the browser's own TextEncoder / TextDecoder and whole-array
 * conversions here instead, with Node's results: invalid UTF-8 becomes U+FFFD as in Node, a byte order mark
 * is kept, and latin1 is ISO-8859-1 byte for byte (not TextDecoder('latin1'), which is windows-1252).
 */
import { Buffer } from 'buffer';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const utf16 = new TextDecoder('utf-16le');

/** ISO-8859-1: each byte widened to a UTF-16 code unit, decoded natively (TextDecoder has no true latin1). */
function latin1Of(bytes: Uint8Array): string {
  if (bytes.length < 64) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const wide = new Uint16Array(bytes.length);
  wide.set(bytes);
  return utf16.decode(wide);
}

const kind = (encoding: unknown): 'utf8' | 'latin1' | undefined => {
  const e = encoding === undefined ? 'utf8' : String(encoding).toLowerCase();
  return e === 'utf8' || e === 'utf-8' ? 'utf8' : e === 'latin1' || e === 'binary' ? 'latin1' : undefined;
};

const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (this: Buffer, encoding?: string, start?: number, end?: number): string {
  const k = kind(encoding);
  if (!k) return toString.call(this, encoding as BufferEncoding, start, end);
  const s = Math.max(0, start === undefined ? 0 : Math.trunc(start) || 0);
  const e = Math.min(this.length, end === undefined ? this.length : Math.trunc(end) || 0);
  if (s >= e) return '';
  const view = this.subarray(s, e);
  return k === 'utf8' ? decoder.decode(view) : latin1Of(view);
};

const from = Buffer.from;
(Buffer as unknown as { from: unknown }).from = function (value: unknown, encoding?: unknown, length?: unknown): Buffer {
  const k = typeof value === 'string' ? kind(encoding) : undefined;
  if (k === 'utf8') {
    const u = encoder.encode(value as string);
    return (from as (b: ArrayBuffer, o: number, l: number) => Buffer).call(Buffer, u.buffer, u.byteOffset, u.byteLength);
  }
  if (k === 'latin1') {
    const text = value as string;
    const b = Buffer.allocUnsafe(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    return b;
  }
  return (from as (...a: unknown[]) => Buffer).call(Buffer, value, encoding, length);
};

export { Buffer };
export const process = { env: {} as Record<string, string | undefined>, platform: 'browser', pid: 0, cwd: () => '/', on: () => undefined };
