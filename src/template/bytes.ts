import fs from 'node:fs';
import JSZip from 'jszip';
import { ZipBuilder } from '../util/zip-write.js';

/**
 * A zip written by exceljs (stored, no deflating in JavaScript), its parts rezipped in its order by our zip
 * writer (native zlib), every entry at a fixed date (exceljs would stamp the current time). Only exceljs's
 * public writers are used on the cycle: no command of it reaches into exceljs's modules.
 */
export async function rezipped(bytes: Buffer | ArrayBuffer): Promise<Buffer> {
  const src = await JSZip.loadAsync(bytes);
  const zip = new ZipBuilder();
  for (const f of Object.values(src.files)) {
    if (!f.dir) zip.append(await f.async('nodebuffer'), { name: f.name });
  }
  return zip.finish();
}

/**
 * The same, for a stored zip in a file (exceljs's streaming writer): its entries read and deflated one after
 * the other, so that memory holds one part at a time, never the whole package.
 */
export async function rezippedFile(file: string): Promise<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    const read = (start: number, end: number) => {
      const b = Buffer.alloc(end - start);
      if (fs.readSync(fd, b, 0, b.length, start) !== b.length) throw new Error(`${file} : zip écrit par exceljs incomplet`);
      return b;
    };
    const total = fs.fstatSync(fd).size;
    // The end of central directory record (no comment, no zip64: exceljs writes neither).
    const tail = read(Math.max(0, total - 22), total);
    if (tail.readUInt32LE(0) !== 0x06054b50) throw new Error(`${file} : zip écrit par exceljs illisible (fin du répertoire central)`);
    const count = tail.readUInt16LE(10);
    const cdOffset = tail.readUInt32LE(16);
    const cd = read(cdOffset, cdOffset + tail.readUInt32LE(12));
    const zip = new ZipBuilder();
    for (let p = 0, k = 0; k < count; k++) {
      const method = cd.readUInt16LE(p + 10);
      const compressedSize = cd.readUInt32LE(p + 20);
      const nameLength = cd.readUInt16LE(p + 28);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.subarray(p + 46, p + 46 + nameLength).toString('utf8');
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      if (method !== 0) throw new Error(`zip écrit par exceljs : ${name} n'est pas stocké`);
      if (name.endsWith('/')) continue;
      const local = read(localOffset, localOffset + 30);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const part = zip.part([read(dataStart, dataStart + compressedSize)]);
      // Deflated before the next part is read.
      await part.data;
      zip.appendPart(name, part);
    }
    return zip.finish();
  } finally {
    fs.closeSync(fd);
  }
}
