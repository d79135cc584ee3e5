import type ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { UserError } from '../util/errors.js';
import { relativeTarget, resolveTarget, sourceDirOf, sourceOfRels } from './xml.js';
import { readDirectory, ZipRecordFault, type DirEntry } from './zip.js';
import { crc32 } from '../util/zip-write.js';
import { inflateRawChecked, inflateRawChunks } from '../util/zlib.js';
import { readWorkbookFile } from './workbook-file.js';

const COMMENTS_REL = /\/relationships\/comments$/;
const VML_REL = /\/relationships\/vmlDrawing$/;
/** Part names exceljs 4.4.0 looks for (it finds notes by part name, not through the relationships). */
const EXCELJS_COMMENTS = /^xl\/comments\d+\.xml$/;
const EXCELJS_VML = /^xl\/drawings\/vmlDrawing\d+\.vml$/;

/**
 * Makes a package written by another tool readable by exceljs 4.4.0, which crashes on load when a sheet
 * has notes it cannot find (exceljs issue #2797). openpyxl, for one, writes the notes of a sheet to
 * "xl/comments/comment1.xml" and "xl/drawings/commentsDrawing1.vml", reached by absolute targets
 * ("/xl/comments/comment1.xml"); exceljs only reads parts named "xl/comments1.xml" and
 * "xl/drawings/vmlDrawing1.vml", and only resolves relative targets. So notes parts with other names are
 * renamed as Excel names them, and every internal target is made relative to its source part.
 * openpyxl also writes a note's text as a plain <t>, without runs, which exceljs loads as an empty note:
 * that text is wrapped in a run. The input file itself is never touched: this works on a copy in memory.
 */
export async function normalisePackage(buffer: Buffer, zip: JSZip): Promise<Buffer> {
  const taken = new Set(Object.keys(zip.files));
  const renames = new Map<string, string>();
  const rename = (part: string, name: (n: number) => string): string => {
    let to = renames.get(part);
    for (let n = 1; !to; n++) if (!taken.has(name(n))) to = name(n);
    taken.add(to);
    renames.set(part, to);
    return to;
  };
  const commentParts = new Set<string>();
  let changed = false;
  const relFiles = Object.keys(zip.files).filter((n) => n.endsWith('.rels') && !zip.files[n].dir);
  for (const name of relFiles) {
    const xml = await zip.file(name)!.async('string');
    const sourceDir = sourceDirOf(sourceOfRels(name));
    const fixed = xml.replace(/<Relationship\b[^>]*>/g, (tag) => {
      const target = /\bTarget="([^"]*)"/.exec(tag)?.[1];
      if (!target || /\bTargetMode="External"/.test(tag)) return tag;
      const type = /\bType="([^"]*)"/.exec(tag)?.[1] ?? '';
      const part = resolveTarget(sourceDir, target);
      let to = part;
      if (COMMENTS_REL.test(type) && !EXCELJS_COMMENTS.test(part)) to = rename(part, (n) => `xl/comments${n}.xml`);
      if (VML_REL.test(type) && !EXCELJS_VML.test(part)) to = rename(part, (n) => `xl/drawings/vmlDrawing${n}.vml`);
      if (COMMENTS_REL.test(type)) commentParts.add(part);
      if (to === part && !target.startsWith('/')) return tag;
      return tag.replace(/\bTarget="[^"]*"/, `Target="${relativeTarget(sourceDir, to)}"`);
    });
    if (fixed !== xml) {
      zip.file(name, fixed);
      changed = true;
    }
  }
  for (const part of commentParts) {
    const xml = await zip.file(part)?.async('string');
    const fixed = xml?.replace(/<text>(\s*)<t\b([^>/]*)>([\s\S]*?)<\/t>/g, '<text>$1<r><t$2>$3</t></r>');
    if (fixed === undefined || fixed === xml) continue;
    zip.file(part, fixed);
    changed = true;
  }
  for (const [from, to] of renames) {
    const file = zip.file(from);
    if (!file) continue;
    zip.file(to, await file.async('nodebuffer'));
    zip.remove(from);
  }
  const types = zip.file('[Content_Types].xml');
  if (types && renames.size) {
    const xml = await types.async('string');
    zip.file('[Content_Types].xml', xml.replace(/\bPartName="\/([^"]*)"/g, (all, part: string) => (renames.has(part) ? `PartName="/${renames.get(part)}"` : all)));
  }
  if (!changed) return buffer;
  return zip.generateAsync({ type: 'nodebuffer' });
}

/** Largest workbook file read (a workbook of demandes is far smaller). */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** Largest total of the uncompressed sizes of a package's entries, declared or found while inflating. */
export const MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024;
/** Largest ratio uncompressed / compressed of one entry, beyond MIN_RATIO_CHECKED bytes. */
export const MAX_RATIO = 200;
const MIN_RATIO_CHECKED = 1024 * 1024;
/** Most entries in a package (a workbook has a few dozen). */
export const MAX_ENTRIES = 10_000;

const MB = (n: number) => `${Math.round(n / (1024 * 1024))} Mo`;

/** The names of the streams of an OLE/CFB compound file (they are stored in UTF-16 in its directory). */
function cfbHolds(buffer: Buffer, name: string): boolean {
  return buffer.includes(Buffer.from(name + '\0', 'utf16le'));
}

/** Why a file that is not a zip archive is not a workbook: old .xls, password-protected .xlsx, text… */
function notZipMessage(file: string, buffer: Buffer): string {
  if (buffer.length === 0) return `${file} : fichier vide (0 octet) : ce n'est pas un classeur .xlsx.`;
  if (buffer.length >= 8 && buffer.readUInt32LE(0) === 0xe011cfd0 && buffer.readUInt32LE(4) === 0xe11ab1a1) {
    // An OLE/CFB compound file. Excel writes a password-protected .xlsx as one (streams EncryptionInfo and
    // EncryptedPackage), not as a zip; an Excel 97-2003 workbook has a Workbook (or Book) stream.
    if (cfbHolds(buffer, 'EncryptedPackage') || cfbHolds(buffer, 'EncryptionInfo')) {
      return `${file} : classeur protégé par mot de passe (fichier chiffré : Excel l'enregistre dans un conteneur OLE/CFB, pas comme une archive .xlsx) ; il ne peut pas être lu. Ouvrez-le dans Excel, retirez le mot de passe d'ouverture (Fichier > Informations > Protéger le classeur > Chiffrer avec mot de passe) et enregistrez-le au format .xlsx.`;
    }
    if (cfbHolds(buffer, 'Workbook') || cfbHolds(buffer, 'Book')) {
      return `${file} : ancien format .xls (Excel 97-2003, conteneur OLE/CFB) : ce n'est pas un classeur .xlsx. Ouvrez-le dans Excel ou LibreOffice Calc et enregistrez-le au format .xlsx.`;
    }
    if (cfbHolds(buffer, 'WordDocument')) return `${file} : document Word (.doc, conteneur OLE/CFB), pas un classeur .xlsx.`;
    return `${file} : ce fichier n'est pas un classeur .xlsx (ancien format .xls, ou classeur protégé par mot de passe). C'est un conteneur OLE/CFB, pas une archive .xlsx : enregistrez-le au format .xlsx sans mot de passe.`;
  }
  return `${file} : ce fichier n'est pas un classeur .xlsx lisible. Son contenu n'est pas celui d'une archive .xlsx (texte, CSV, PDF… renommé ?) : ouvrez-le dans Excel et enregistrez-le au format .xlsx.`;
}

/** A zip archive ends with its "end of central directory" record, within its last 64 KB. */
function hasZipEnd(buffer: Buffer): boolean {
  const from = Math.max(0, buffer.length - (22 + 0xffff));
  return buffer.subarray(from).includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

/** Sizes a zip entry declares (JSZip keeps them in a private field; undefined if it no longer does). */
function declaredSizes(entry: JSZip.JSZipObject): { compressed?: number; uncompressed?: number } {
  const data = (entry as unknown as { _data?: { compressedSize?: unknown; uncompressedSize?: unknown } })._data;
  const size = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  return { compressed: size(data?.compressedSize), uncompressed: size(data?.uncompressedSize) };
}

export class TooMuchData extends Error {}

/** The uncompressed size the archive declares for an entry (its own records first), if known. */
export function entrySize(entry: JSZip.JSZipObject): number | undefined {
  return records.get(entry)?.size ?? declaredSizes(entry).uncompressed;
}

/** An entry whose content is not what the archive declares for it: what differs, in French. */
export class DamagedEntry extends Error {}

/** JSZip's documented stream of an entry's content (missing from its type declarations). */
interface StreamHelper {
  on(event: 'data', cb: (chunk: Uint8Array) => void): StreamHelper;
  on(event: 'error', cb: (e: Error) => void): StreamHelper;
  on(event: 'end', cb: () => void): StreamHelper;
  pause(): StreamHelper;
  resume(): StreamHelper;
}

/** Entries whose content was inflated once and found to be what the archive declares (size, CRC-32). */
const verified = new WeakSet<JSZip.JSZipObject>();
/** Each entry's records as read from the archive's bytes (zip.ts), for when JSZip's private fields are gone. */
const records = new WeakMap<JSZip.JSZipObject, DirEntry>();

/**
 * Inflates deflated bytes chunk by chunk (util/zlib.ts), each handed to `chunk` and dropped; stops as soon as
 * the output passes `limit` (TooMuchData). Resolves with the size inflated and the number of compressed bytes
 * the deflate stream took.
 */
async function inflateChunks(compressed: Uint8Array, limit: number, chunk: (c: Uint8Array) => void): Promise<{ size: number; consumed: number }> {
  let end;
  try {
    end = await inflateRawChunks(compressed, limit, chunk);
  } catch (e) {
    throw new DamagedEntry(`données compressées illisibles (zlib : ${(e as Error).message})`);
  }
  if ('over' in end) throw new TooMuchData(String(end.over));
  return end;
}

/** The same through JSZip's stream (16 KB of compressed data at a time), when its private fields are gone. */
function streamChunks(entry: JSZip.JSZipObject, limit: number, chunk: (c: Uint8Array) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const helper = (entry as unknown as { internalStream(type: 'uint8array'): StreamHelper }).internalStream('uint8array');
    let size = 0;
    let done = false;
    helper
      .on('data', (c) => {
        if (done) return;
        size += c.length;
        if (size <= limit) return chunk(c);
        done = true;
        helper.pause();
        reject(new TooMuchData(String(size)));
      })
      .on('error', (e) => {
        if (!done) reject(new DamagedEntry(`données compressées illisibles (${e.message})`));
        done = true;
      })
      .on('end', () => {
        if (!done) resolve(size);
        done = true;
      })
      .resume();
  });
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/**
 * Checks an entry's content against what the archive declares for it, keeping nothing: inflated chunk by
 * chunk and stopped as soon as it yields more than `limit` bytes (TooMuchData), then its size and CRC-32
 * compared (DamagedEntry). Returns its size. `zlib: false` reads it through JSZip's stream, as when JSZip's
 * private fields are gone.
 */
export async function verifyEntry(entry: JSZip.JSZipObject, limit: number, opts: { zlib?: boolean } = {}): Promise<number> {
  const s = opts.zlib === false ? undefined : stored(entry);
  const declared = s ?? records.get(entry);
  if (!declared) throw new DamagedEntry("entrée absente du répertoire central de l'archive");
  let crc = 0;
  let size: number;
  if (!s) size = await streamChunks(entry, limit, (c) => (crc = crc32(c, crc)));
  else if (s.method === 0) {
    if (s.compressed.length > limit) throw new TooMuchData(String(s.compressed.length));
    size = s.compressed.length;
    crc = crc32(s.compressed);
  } else {
    const r = await inflateChunks(s.compressed, limit, (c) => (crc = crc32(c, crc)));
    if (r.consumed !== s.compressed.length) throw new DamagedEntry(`le flux compressé s'arrête après ${r.consumed} des ${s.compressed.length} octets déclarés`);
    size = r.size;
  }
  if (size !== declared.size) throw new DamagedEntry(`${size} octets décompressés au lieu des ${declared.size} déclarés`);
  if (crc !== declared.crc) throw new DamagedEntry(`somme de contrôle CRC-32 ${hex(crc)} au lieu de ${hex(declared.crc)} déclarée`);
  verified.add(entry);
  return size;
}

/** What the vendor reads when the archive's bytes are not what it declares. */
const NOT_AS_SAVED = "le contenu de l'archive .xlsx ne correspond pas à ce qu'elle déclare (fichier modifié ou abîmé après son enregistrement)";

/**
 * The message of a damaged workbook: what is wrong, what to do (Excel offers to repair such a file; saved
 * again, it is whole), and the detail, for the curious.
 */
export function damagedWorkbook(file: string, what: string, detail: string): UserError {
  return new UserError(
    `${file} : fichier endommagé : ${what}. Excel proposerait de le réparer : ouvrez-le dans Excel, enregistrez-le à nouveau, puis relancez la commande (détail : ${detail}).`,
  );
}

/** verifyEntry, its faults told in French; `left`: what the package's total may still inflate. */
async function checkEntry(file: string, e: JSZip.JSZipObject, left = MAX_UNCOMPRESSED_BYTES): Promise<number> {
  const expected = declaredSizes(e).uncompressed ?? records.get(e)?.size;
  try {
    return await verifyEntry(e, Math.min(expected ?? left, left));
  } catch (err) {
    if (err instanceof TooMuchData) {
      throw new UserError(
        expected !== undefined && expected <= left
          ? `${file} : archive .xlsx suspecte (bombe de décompression ?) : l'entrée « ${e.name} » contient plus de données que les ${expected} octets déclarés ; la décompression est arrêtée.`
          : `${file} : archive .xlsx suspecte (bombe de décompression ?) : son contenu décompressé dépasse la limite de ${MB(MAX_UNCOMPRESSED_BYTES)} ; la décompression est arrêtée.`,
      );
    }
    if (err instanceof DamagedEntry) throw damagedWorkbook(file, NOT_AS_SAVED, `partie ${e.name} : ${err.message}`);
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (entrée « ${e.name} » : ${(err as Error).message}).`);
  }
}

/**
 * Reads the archive's own records (zip.ts): every entry's local header must agree with the central directory,
 * and no two entries share a name. Keeps each entry's record for verifyEntry.
 */
export function indexEntries(file: string, zip: JSZip, buffer: Buffer): void {
  let dir: DirEntry[];
  try {
    dir = readDirectory(buffer);
  } catch (e) {
    if (e instanceof ZipRecordFault) throw damagedWorkbook(file, NOT_AS_SAVED, `partie ${e.part} : ${e.detail}`);
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
  }
  const byName = new Map(dir.map((d) => [d.name, d]));
  for (const e of Object.values(zip.files)) {
    const d = byName.get(e.name);
    if (d) records.set(e, d);
  }
}

/**
 * Guards against decompression bombs and damaged archives before anything is read: the number of entries,
 * the total of the uncompressed sizes the archive declares, the ratio of each large entry; then every entry
 * is inflated once, chunk by chunk, without keeping it, stopped as soon as it yields more than it declared
 * (or the total more than the limit), and its size and CRC-32 checked. Only then is the package read.
 */
async function guardPackage(file: string, zip: JSZip): Promise<void> {
  const entries = Object.values(zip.files).filter((e) => !e.dir);
  const suspect = `${file} : archive .xlsx suspecte (bombe de décompression ?)`;
  if (entries.length > MAX_ENTRIES) {
    throw new UserError(`${suspect} : ${entries.length} entrées, au-delà de la limite de ${MAX_ENTRIES} ; elle n'est pas décompressée.`);
  }
  let declared = 0;
  for (const e of entries) declared += declaredSizes(e).uncompressed ?? 0;
  if (declared > MAX_UNCOMPRESSED_BYTES) {
    throw new UserError(`${suspect} : son contenu décompressé déclaré fait ${MB(declared)}, au-delà de la limite de ${MB(MAX_UNCOMPRESSED_BYTES)} ; elle n'est pas décompressée.`);
  }
  for (const e of entries) {
    const { compressed = 0, uncompressed = 0 } = declaredSizes(e);
    if (uncompressed > MIN_RATIO_CHECKED && uncompressed > MAX_RATIO * Math.max(compressed, 1)) {
      throw new UserError(
        `${suspect} : l'entrée « ${e.name} » se décompresse de ${compressed} octets en ${uncompressed} octets (rapport de ${Math.round(uncompressed / Math.max(compressed, 1))} pour 1, au-delà de ${MAX_RATIO} pour 1) ; elle n'est pas décompressée.`,
      );
    }
  }
  let total = 0;
  for (const e of entries) total += await checkEntry(file, e, MAX_UNCOMPRESSED_BYTES - total);
}

/** Refuses a zip archive that is not an .xlsx workbook (OpenDocument, .xlsb, Word…), saying what it is. */
async function checkNature(file: string, zip: JSZip): Promise<void> {
  if (zip.file('xl/workbook.xml')) return;
  const mimetype = (await zip.file('mimetype')?.async('string'))?.trim();
  if (mimetype === 'application/vnd.oasis.opendocument.spreadsheet') {
    throw new UserError(`${file} : classeur OpenDocument (.ods, LibreOffice Calc), pas un classeur .xlsx. Ouvrez-le dans LibreOffice Calc et enregistrez-le au format Excel 2007-365 (.xlsx).`);
  }
  if (mimetype?.startsWith('application/vnd.oasis.opendocument.')) {
    throw new UserError(`${file} : document OpenDocument (${mimetype}), pas un classeur .xlsx.`);
  }
  if (zip.file('xl/workbook.bin')) {
    throw new UserError(`${file} : classeur binaire Excel (.xlsb), non pris en charge. Ouvrez-le dans Excel et enregistrez-le au format .xlsx.`);
  }
  if (zip.file('word/document.xml')) throw new UserError(`${file} : document Word (.docx), pas un classeur .xlsx.`);
  if (zip.file('ppt/presentation.xml')) throw new UserError(`${file} : présentation PowerPoint (.pptx), pas un classeur .xlsx.`);
  throw new UserError(`${file} : archive zip qui n'est pas un classeur .xlsx (elle n'a pas de partie xl/workbook.xml).`);
}

/**
 * Opens an .xlsx (or .xlsm) package, after every check of its container: size, zip signature and end, the
 * archive's records, decompression bombs, every entry's size and CRC-32, nature (OpenDocument, .xlsb, Word…). Throws UserError with a French message naming
 * the file and the fault when it cannot be read.
 */
export async function openZip(file: string, bytes?: Buffer): Promise<{ buffer: Buffer; zip: JSZip }> {
  let buffer: Buffer;
  if (bytes) buffer = bytes;
  else {
    buffer = readWorkbookFile(file, MAX_FILE_BYTES, (size) => `${file} : fichier trop gros pour un classeur de demandes (${MB(size)}, limite ${MB(MAX_FILE_BYTES)}).`);
  }
  if (buffer.length < 4 || buffer.readUInt32LE(0) !== 0x04034b50) throw new UserError(notZipMessage(file, buffer));
  if (!hasZipEnd(buffer)) {
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé : fichier tronqué (la fin de l'archive manque : copie ou téléchargement interrompu ?).`);
  }
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(buffer);
  } catch (e) {
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
  }
  indexEntries(file, zip, buffer);
  await guardPackage(file, zip);
  await checkNature(file, zip);
  return { buffer, zip };
}

/** JSZip's private record of an entry as stored (undefined if it no longer keeps one). */
function stored(entry: JSZip.JSZipObject): { compressed: Buffer; method: number; crc: number; size: number } | undefined {
  const data = (entry as unknown as { _data?: { compressedContent?: unknown; compression?: { magic?: string }; crc32?: unknown; uncompressedSize?: unknown } })._data;
  const content = data?.compressedContent;
  const magic = data?.compression?.magic;
  if (!(content instanceof Uint8Array) || (magic !== '\x08\x00' && magic !== '\x00\x00')) return undefined;
  if (typeof data?.crc32 !== 'number' || typeof data?.uncompressedSize !== 'number') return undefined;
  const compressed = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return { compressed, method: magic === '\x08\x00' ? 8 : 0, crc: data.crc32 >>> 0, size: data.uncompressedSize };
}

/**
 * The content of an entry, checked (openZip checked every entry; one from elsewhere is checked first), then
 * inflated by native zlib from the bytes JSZip holds into one buffer of its size; else read by JSZip.
 */
export async function entryBytes(entry: JSZip.JSZipObject, file: string): Promise<Buffer> {
  if (!verified.has(entry)) await checkEntry(file, entry);
  const s = stored(entry);
  if (!s) return entry.async('nodebuffer');
  if (s.method === 0) return s.compressed;
  // Checked: it inflates to exactly s.size bytes, which fit in one chunk (no copy, nothing more held).
  return inflateRawChecked(s.compressed, s.size);
}

/**
 * An entry as it is stored, to be copied into another zip without inflating it (undefined: not known),
 * checked first unless openZip already did (it checks every entry: a copy inflates nothing).
 */
export async function rawEntry(entry: JSZip.JSZipObject, file: string): Promise<{ compressed: Buffer; method: number; crc: number; size: number } | undefined> {
  if (!verified.has(entry)) await checkEntry(file, entry);
  return stored(entry);
}

/**
 * Reads an .xlsx (or .xlsm: values only, macros are neither run nor kept) workbook into exceljs. Throws
 * UserError with a French message naming the file and the fault when it cannot be read.
 */
export async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const { buffer, zip } = await openZip(file);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    const fixed = await normalisePackage(buffer, zip);
    await wb.xlsx.load(fixed as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
  }
  // exceljs 4.4.0 gives all the cells loaded with the same style one shared style object: filling one cell
  // (as the results workbook does for a faulty cell) would fill every cell of that style. Each cell gets its own.
  wb.eachSheet((ws) => ws.eachRow({ includeEmpty: true }, (row) => row.eachCell({ includeEmpty: true }, (cell) => void (cell.style = { ...cell.style }))));
  return wb;
}
