/**
 * Zip archives written byte by byte for the tests, so that their records can lie (JSZip always writes the
 * truth). Entries are deflated unless stored; names are UTF-8; dates fixed.
 */
import zlib from 'node:zlib';
import { crc32 } from '../src/util/zip-write.js';

export const MiB = 1024 * 1024;

export interface CraftedEntry {
  name: string;
  /** The content, deflated here (or give `deflated`, a raw deflate stream, and `size`). */
  data?: Buffer | string;
  deflated?: Buffer;
  /** The uncompressed size both headers declare (default: the content's). */
  size?: number;
  /** The CRC-32 both headers declare (default: the content's; 0 with `deflated`). */
  crc?: number;
  /** Stored as it is, not deflated (a ratio of 1 for 1: what the decompression guard lets through). */
  stored?: boolean;
}

function header(signature: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.writeUInt32LE(signature, 0);
  return b;
}

export function craftZip(entries: CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const date = ((2021 - 1980) << 9) | (10 << 5) | 25;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    const packed = e.deflated ?? (e.stored ? (data ?? Buffer.alloc(0)) : zlib.deflateRawSync(data ?? Buffer.alloc(0)));
    const size = e.size ?? data?.length ?? 0;
    const crc = e.crc ?? (data ? crc32(data) : 0);
    const local = header(0x04034b50, 30);
    const central = header(0x02014b50, 46);
    for (const [b, at] of [
      [local, 4],
      [central, 6],
    ] as const) {
      b.writeUInt16LE(20, at); // version needed
      b.writeUInt16LE(0x0800, at + 2); // UTF-8 names
      b.writeUInt16LE(e.stored ? 0 : 8, at + 4); // stored or deflated
      b.writeUInt16LE(date, at + 8);
      b.writeUInt32LE(crc, at + 10);
      b.writeUInt32LE(packed.length, at + 14);
      b.writeUInt32LE(size, at + 18);
      b.writeUInt16LE(name.length, at + 22);
    }
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = header(0x06054b50, 22);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The parts of a minimal workbook of one sheet, « Commandes », whose XML is given (and its shared strings). */
export function minimalWorkbook(sheet: CraftedEntry, opts: { sharedStrings?: string[]; stored?: boolean } = {}): CraftedEntry[] {
  const rels = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${body}</Relationships>`;
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const SML = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const sst = opts.sharedStrings;
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    },
    { name: '_rels/.rels', data: rels(`<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>`) },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${SML}" xmlns:r="${REL}"><sheets><sheet name="Commandes" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: rels(
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
          (sst ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''),
      ),
    },
    ...(sst ? [{ name: 'xl/sharedStrings.xml', stored: opts.stored, data: `<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="${SML}">${sst.map((t) => `<si>${t}</si>`).join('')}</sst>` }] : []),
    { ...sheet, name: 'xl/worksheets/sheet1.xml' },
  ];
}

/** A sheet's XML around the content of its sheetData, and what follows it (merged ranges…). */
export function sheetXml(rows: string, after = ''): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData>${after}</worksheet>`;
}

/** Deterministic bytes that do not compress (a linear congruential sequence). */
export function noise(length: number, seed = 20261124): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * A raw deflate stream of `noiseBytes` bytes that do not compress, then `spacesMiB` MiB of spaces: made of
 * fully flushed pieces, so that the MiB of spaces is deflated once and repeated (a few KB per 100 MiB).
 */
export function deflatedNoiseThenSpaces(noiseBytes: number, spacesMiB: number): Buffer {
  const piece = (b: Buffer) => zlib.deflateRawSync(b, { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const spaces = piece(Buffer.alloc(MiB, 0x20));
  return Buffer.concat([piece(noise(noiseBytes)), ...Array.from({ length: spacesMiB }, () => spaces), zlib.deflateRawSync(Buffer.alloc(0))]);
}
