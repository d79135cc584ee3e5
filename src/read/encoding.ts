import iconv from 'iconv-lite';

/**
 * Text encodings of the files people hand us (CSV sheets, the ASP's return files): UTF-8 with or without
 * its byte order mark, UTF-16 with its byte order mark, else Windows-1252 (what French Windows software
 * writes). A file that is not valid UTF-8 is read as Windows-1252.
 */
export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/** French names of the encodings, for messages. */
export const ENCODING_NAMES: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252 (Latin-1)',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
};

/** The byte order mark a file begins with: its encoding and its length in bytes. */
export function bomOf(head: Uint8Array): { encoding: TextEncoding; length: number } | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  // Excel's "Texte Unicode": UTF-16 little-endian with its byte order mark (big-endian seldom seen).
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/** A decoder fed chunk by chunk; a character split between two chunks comes out whole. */
export interface ChunkDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

/** Thrown by the UTF-8 decoder on bytes that are not UTF-8: the file is to be read again as Windows-1252. */
export class NotUtf8 extends Error {}

/**
 * A decoder for one encoding (the byte order mark already left out). The UTF-8 one is strict unless told
 * otherwise: it throws NotUtf8 on the first byte that is not UTF-8. (A file whose byte order mark says
 * UTF-8 is read as UTF-8 whatever follows, a bad byte becoming « � ».)
 */
export function chunkDecoder(encoding: TextEncoding, strict = true): ChunkDecoder {
  if (encoding === 'utf-8') {
    const d = new TextDecoder('utf-8', { fatal: strict, ignoreBOM: true });
    const guard = (f: () => string) => {
      try {
        return f();
      } catch {
        throw new NotUtf8();
      }
    };
    return { write: (b) => guard(() => d.decode(b, { stream: true })), end: () => guard(() => d.decode()) };
  }
  const d = iconv.getDecoder(encoding === 'windows-1252' ? 'win1252' : encoding);
  return { write: (b) => d.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), end: () => d.end() ?? '' };
}

/** Decodes a whole file: by its byte order mark, else as UTF-8 when it is valid UTF-8, else as Windows-1252. */
export function decodeText(bytes: Buffer): { text: string; encoding: TextEncoding } {
  const bom = bomOf(bytes);
  if (bom) {
    const body = bytes.subarray(bom.length);
    const d = chunkDecoder(bom.encoding, false);
    return { text: d.write(body) + d.end(), encoding: bom.encoding };
  }
  try {
    const d = chunkDecoder('utf-8');
    return { text: d.write(bytes) + d.end(), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'win1252'), encoding: 'windows-1252' };
  }
}
