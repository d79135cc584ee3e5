import fs from 'node:fs';
import { bomOf, chunkDecoder, type TextEncoding } from '../read/encoding.js';

/** Bytes read at a time: memory stays bounded whatever the size of the file. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The encoding a return file starts in, as for a CSV sheet (read/encoding.ts): its byte order mark, else
 * UTF-8, which the reader turns into Windows-1252 at the first byte that is not UTF-8. A JSON text without
 * byte order mark whose first characters alternate with NUL bytes is UTF-16 all the same (RFC 4627, § 3).
 */
export function sniffEncoding(file: string): { encoding: TextEncoding; skip: number } {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  let n = 0;
  try {
    n = fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = head.subarray(0, n);
  const bom = bomOf(bytes);
  if (bom) return { encoding: bom.encoding, skip: bom.length };
  if (n === 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0) return { encoding: 'utf-16le', skip: 0 };
  if (n === 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0) return { encoding: 'utf-16be', skip: 0 };
  return { encoding: 'utf-8', skip: 0 };
}

/**
 * The text of a file, decoded chunk by chunk from byte `skip` on (past its byte order mark, if any). The
 * UTF-8 decoder throws NotUtf8 on a byte that is not UTF-8, even after a UTF-8 byte order mark: read as
 * UTF-8, « acceptée » in Windows-1252 would become « accept�e », a rejection.
 */
export async function* textChunks(file: string, encoding: TextEncoding, skip: number): AsyncGenerator<string> {
  const decoder = chunkDecoder(encoding);
  const stream = fs.createReadStream(file, { start: skip, highWaterMark: CHUNK_BYTES });
  try {
    for await (const bytes of stream) {
      const text = decoder.write(bytes as Buffer);
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    stream.destroy();
  }
}

/** What stops a file from being read, in French. */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'fichier introuvable';
  if (code === 'EISDIR') return 'c\'est un dossier, pas un fichier';
  if (code === 'EACCES' || code === 'EPERM') return 'lecture refusée';
  return `lecture impossible${code ? ` (${code})` : ''}`;
}
