/**
 * The zip container's own records, read from its bytes. A zip says twice what each entry holds: in the
 * entry's local header, before its data, and in the central directory, at the end of the archive (and, when
 * bit 3 of its flags is set, a third time in a data descriptor after the data). JSZip, and so exceljs and
 * this tool, read the central directory only; a reader that follows the local headers (a streaming unzip)
 * would read something else. An archive whose records disagree is damaged, or made to deceive: refused.
 */

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const U16 = 0xffff;
const U32 = 0xffffffff;

/** What the archive declares for one entry, and where its data is. */
export interface DirEntry {
  /** Its name, as JSZip names it (UTF-8, "." and ".." segments resolved). */
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of its compressed data in the archive. */
  dataStart: number;
}

/** An entry whose records disagree: the part, and what differs (French, for the message). */
export class ZipRecordFault extends Error {
  constructor(
    readonly part: string,
    readonly detail: string,
  ) {
    super(`${part} : ${detail}`);
  }
}

const u64 = (buf: Buffer, at: number) => buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32;

function need(buf: Buffer, at: number, length: number, what: string): void {
  if (at < 0 || at + length > buf.length) throw new ZipRecordFault('(archive)', `${what} hors du fichier`);
}

/** The central directory's place and size, from the end record (and its zip64 form when it has one). */
function endRecord(buf: Buffer): { count: number; offset: number } {
  const at = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  need(buf, at, 22, 'fin de l\'archive');
  let count = buf.readUInt16LE(at + 10);
  let offset = buf.readUInt32LE(at + 16);
  if ((count === U16 || offset === U32) && at >= 20 && buf.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
    const end64 = u64(buf, at - 12);
    need(buf, end64, 56, 'fin zip64 de l\'archive');
    if (buf.readUInt32LE(end64) !== ZIP64_END) throw new ZipRecordFault('(archive)', 'fin zip64 de l\'archive illisible');
    count = u64(buf, end64 + 32);
    offset = u64(buf, end64 + 48);
  }
  return { count, offset };
}

/** The 64-bit values a zip64 extra field (id 1) gives for the 32-bit fields set to 0xFFFFFFFF, in order. */
function zip64Values(extra: Buffer, wanted: boolean[]): (number | undefined)[] {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 1) {
      let q = p + 4;
      return wanted.map((w) => {
        if (!w || q + 8 > p + 4 + length) return undefined;
        q += 8;
        return u64(extra, q - 8);
      });
    }
    p += 4 + length;
  }
  return wanted.map(() => undefined);
}

/** JSZip's name of an entry: its local name in UTF-8, "." and ".." segments resolved (JSZip's utils.resolve). */
function jszipName(raw: Buffer): string {
  const parts = raw.toString('utf8').split('/');
  const out: string[] = [];
  parts.forEach((part, i) => {
    if (part === '.' || (part === '' && i !== 0 && i !== parts.length - 1)) return;
    if (part === '..') out.pop();
    else out.push(part);
  });
  return out.join('/');
}

interface Declared {
  crc: number;
  compressedSize: number;
  size: number;
}

/**
 * Compares what a local header (or data descriptor) says with the central directory. With `zerosAllowed`
 * (a local header followed by a data descriptor), a field left at zero is not compared.
 */
function compare(part: string, where: string, local: Declared, central: Declared, zerosAllowed = false): void {
  const fields: [string, keyof Declared][] = [
    ['la somme de contrôle CRC-32', 'crc'],
    ['la taille compressée', 'compressedSize'],
    ['la taille décompressée', 'size'],
  ];
  for (const [what, key] of fields) {
    if (local[key] === central[key] || (zerosAllowed && local[key] === 0)) continue;
    throw new ZipRecordFault(part, `${what} diffère entre ${where} (${local[key]}) et le répertoire central de l'archive (${central[key]})`);
  }
}

/** The data descriptor after an entry's data (signature optional; 64-bit sizes for a zip64 entry). */
function descriptor(buf: Buffer, at: number, zip64: boolean, part: string): Declared {
  const signed = at + 4 <= buf.length && buf.readUInt32LE(at) === DESCRIPTOR;
  const p = signed ? at + 4 : at;
  need(buf, p, zip64 ? 20 : 12, `descripteur de l'entrée ${part}`);
  if (zip64) return { crc: buf.readUInt32LE(p), compressedSize: u64(buf, p + 4), size: u64(buf, p + 12) };
  return { crc: buf.readUInt32LE(p), compressedSize: buf.readUInt32LE(p + 4), size: buf.readUInt32LE(p + 8) };
}

/** Reads the local header of an entry, checks it against the central record; returns where the data starts. */
function checkLocal(buf: Buffer, offset: number, central: Declared & { method: number; name: string }): number {
  const part = central.name;
  need(buf, offset, 30, `en-tête local de l'entrée ${part}`);
  if (buf.readUInt32LE(offset) !== LOCAL) throw new ZipRecordFault(part, 'en-tête local introuvable à l\'endroit que donne le répertoire central');
  const flags = buf.readUInt16LE(offset + 6);
  const method = buf.readUInt16LE(offset + 8);
  if (method !== central.method) throw new ZipRecordFault(part, `méthode de compression ${method} dans l'en-tête local, ${central.method} dans le répertoire central`);
  const nameLength = buf.readUInt16LE(offset + 26);
  const extraLength = buf.readUInt16LE(offset + 28);
  const dataStart = offset + 30 + nameLength + extraLength;
  need(buf, dataStart, central.compressedSize, `données de l'entrée ${part}`);
  let compressedSize = buf.readUInt32LE(offset + 18);
  let size = buf.readUInt32LE(offset + 22);
  const big = [size === U32, compressedSize === U32];
  const [size64, compressed64] = zip64Values(buf.subarray(offset + 30 + nameLength, dataStart), big);
  size = size64 ?? size;
  compressedSize = compressed64 ?? compressedSize;
  const local = { crc: buf.readUInt32LE(offset + 14), compressedSize, size };
  if (flags & 0x08) {
    // Sizes and CRC follow the data; the local header may hold zeros instead.
    compare(part, "l'en-tête local", local, central, true);
    compare(part, 'le descripteur de données', descriptor(buf, dataStart + central.compressedSize, big.some(Boolean), part), central);
  } else compare(part, "l'en-tête local", local, central);
  return dataStart;
}

/**
 * Every entry of the archive, from its central directory, each checked against its local header (and data
 * descriptor): CRC-32, compressed and uncompressed sizes, method. Throws ZipRecordFault on the first entry
 * whose records disagree, and when two entries have the same name (part names compare without case).
 */
export function readDirectory(buf: Buffer): DirEntry[] {
  const { count, offset } = endRecord(buf);
  const out: DirEntry[] = [];
  const names = new Set<string>();
  let p = offset;
  for (let k = 0; k < count; k++) {
    need(buf, p, 46, 'répertoire central');
    if (buf.readUInt32LE(p) !== CENTRAL) throw new ZipRecordFault('(archive)', 'répertoire central illisible');
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    need(buf, p + 46, nameLength + extraLength, 'répertoire central');
    const rawName = buf.subarray(p + 46, p + 46 + nameLength);
    const fields = [buf.readUInt32LE(p + 24), buf.readUInt32LE(p + 20), buf.readUInt32LE(p + 42)];
    const big = zip64Values(buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), fields.map((f) => f === U32));
    const [size, compressedSize, localOffset] = fields.map((f, i) => big[i] ?? f);
    const entry = { name: rawName.toString('utf8'), method: buf.readUInt16LE(p + 10), crc: buf.readUInt32LE(p + 16), compressedSize, size };
    const dataStart = checkLocal(buf, localOffset, entry);
    const localName = buf.subarray(localOffset + 30, localOffset + 30 + buf.readUInt16LE(localOffset + 26));
    const name = jszipName(localName);
    if (names.has(name.toLowerCase())) throw new ZipRecordFault(name, "deux entrées de l'archive portent ce nom");
    names.add(name.toLowerCase());
    out.push({ ...entry, name, dataStart });
    p += 46 + nameLength + extraLength + buf.readUInt16LE(p + 32);
  }
  return out;
}
