/**
 * The zip container of the workbooks we write: deterministic (every entry dated FIXED_DATE), parts deflated
 * by util/zlib.ts (in Node: native zlib, on libuv's thread pool; jszip deflates in JavaScript, on the main thread).
 */
import { deflateRaw, deflateRawStream, nativeCrc32 } from './zlib.js';

const FIXED_DATE = new Date(Date.UTC(2021, 9, 25, 0, 0, 0));
/** zlib level: 6, the default, deflates the parts of a big workbook 2.5 times slower for 6 % fewer bytes. */
const LEVEL = 4;

/**
 * CRC-32 (ISO 3309, the zip one), table-driven: eight tables of 256 entries, so that eight bytes are folded
 * per step ("slicing by 8", about twice as fast as one table in V8). Node's zlib has crc32 only from Node 22;
 * it is used when present. Checked against the standard check value in test/damaged.test.ts.
 */
const CRC_TABLES = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k][n] = t[0][t[k - 1][n] & 0xff] ^ (t[k - 1][n] >>> 8);
  return t;
})();

/** The CRC-32 of data, continuing from `value` (the CRC-32 of the bytes before it). */
export function crc32(data: Uint8Array, value = 0): number {
  if (nativeCrc32) return nativeCrc32(data, value) >>> 0;
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let c = ~value;
  let i = 0;
  for (const end = data.length - 8; i <= end; i += 8) {
    const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^ t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * A part written chunk by chunk into one deflate stream (util/zlib.ts), for a sheet too big to hold whole:
 * each chunk is let go once the deflater has taken it, and the writer waits (`ready`) while too much is
 * pending. Same bytes as a one-shot deflate: without flushes, the input's cut does not change them.
 */
export class PartStream {
  private crc = 0;
  private size = 0;
  private readonly z = deflateRawStream(LEVEL);

  write(chunk: Buffer): void {
    if (!chunk.length) return;
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    this.z.write(chunk);
  }

  /** Resolves at once, or when the deflater has caught up with what was written. */
  ready(): Promise<void> {
    return this.z.ready();
  }

  end(): Part {
    return { crc: this.crc, size: this.size, data: this.z.end() };
  }
}

/** A part of the package, its deflated bytes under way. */
export interface Part {
  crc: number;
  size: number;
  data: Promise<Buffer>;
  /** 8: deflated (the default), 0: stored. */
  method?: number;
}

function part(chunks: Buffer[]): Part {
  let crc = 0;
  let size = 0;
  for (const c of chunks) {
    crc = crc32(c, crc);
    size += c.length;
  }
  return { crc, size, data: deflateRaw(chunks, LEVEL) };
}

interface ZipEntry {
  name: Buffer;
  utf8: boolean;
  dir: boolean;
  crc: number;
  size: number;
  data: Promise<Buffer>;
  method: number;
}

/**
 * A zip of the parts in the order they are appended, as JSZip wrote it for exceljs: a folder entry before
 * the first part it holds, every entry dated FIXED_DATE, parts deflated (level 4) unless copied as they were stored, folders stored. zlib
 * runs on libuv's thread pool, so parts are compressed while the next sheet is rendered.
 */
export class ZipBuilder {
  private readonly entries: ZipEntry[] = [];
  private readonly folders = new Set<string>();

  /** Starts deflating a part now; add it later, in its place, with appendPart. */
  part(content: string | Buffer[]): Part {
    return part(typeof content === 'string' ? [Buffer.from(content, 'utf8')] : content);
  }

  /** The zip-writer interface exceljs's XLSX.add* methods use. */
  append(data: string | Uint8Array | ArrayBuffer, options: { name: string; base64?: boolean }): void {
    let buffer: Buffer;
    if (typeof data === 'string') buffer = Buffer.from(data, options.base64 ? 'base64' : 'utf8');
    else if (data instanceof ArrayBuffer) buffer = Buffer.from(data);
    else buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.appendPart(options.name, part([buffer]));
  }

  /** An entry copied as it is stored in another zip (deflated or stored), without inflating it. */
  appendRaw(path: string, raw: { crc: number; size: number; compressed: Buffer; method: number }): void {
    this.appendPart(path, { crc: raw.crc, size: raw.size, data: Promise.resolve(raw.compressed), method: raw.method });
  }

  appendPart(path: string, p: Part): void {
    const name = path.replace(/^\/+/, '');
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/') + '/';
      if (this.folders.has(folder)) continue;
      this.folders.add(folder);
      this.push(folder, true, { crc: 0, size: 0, data: Promise.resolve(Buffer.alloc(0)) });
    }
    this.push(name, false, p);
  }

  private push(name: string, dir: boolean, p: Part): void {
    this.entries.push({
      name: Buffer.from(name, 'utf8'),
      utf8: !/^[\x20-\x7e]*$/.test(name),
      dir,
      method: dir ? 0 : (p.method ?? 8),
      crc: p.crc,
      size: p.size,
      data: p.data,
    });
  }

  async finish(): Promise<Buffer> {
    const d = FIXED_DATE;
    const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() / 2);
    const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
    const datas = await Promise.all(this.entries.map((e) => e.data));
    const chunks: Buffer[] = [];
    const central: Buffer[] = [];
    let offset = 0;
    this.entries.forEach((e, i) => {
      const data = datas[i];
      const method = e.method;
      const flags = e.utf8 ? 0x0800 : 0;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(10, 4); // version needed: 1.0, as JSZip writes it
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt32LE(e.crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(e.size, 22);
      local.writeUInt16LE(e.name.length, 26);
      local.writeUInt16LE(0, 28);
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(0x0014, 4); // made by: MS-DOS, 2.0
      cd.writeUInt16LE(10, 6);
      cd.writeUInt16LE(flags, 8);
      cd.writeUInt16LE(method, 10);
      cd.writeUInt16LE(time, 12);
      cd.writeUInt16LE(date, 14);
      cd.writeUInt32LE(e.crc, 16);
      cd.writeUInt32LE(data.length, 20);
      cd.writeUInt32LE(e.size, 24);
      cd.writeUInt16LE(e.name.length, 28);
      cd.writeUInt32LE(e.dir ? 0x10 : 0, 38); // external attributes: MS-DOS folder flag
      cd.writeUInt32LE(offset, 42);
      chunks.push(local, e.name, data);
      central.push(cd, e.name);
      offset += local.length + e.name.length + data.length;
    });
    const centralSize = central.reduce((s, b) => s + b.length, 0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(centralSize, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...chunks, ...central, end]);
  }
}
