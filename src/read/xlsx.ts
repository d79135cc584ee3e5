import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { UserError } from '../util/errors.js';

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
async function normalisePackage(buffer: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(buffer);
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
    // The source part of "xl/worksheets/_rels/sheet1.xml.rels" is "xl/worksheets/sheet1.xml".
    const sourceDir = '/' + path.posix.dirname(path.posix.dirname(name));
    const fixed = xml.replace(/<Relationship\b[^>]*>/g, (tag) => {
      const target = /\bTarget="([^"]*)"/.exec(tag)?.[1];
      if (!target || /\bTargetMode="External"/.test(tag)) return tag;
      const type = /\bType="([^"]*)"/.exec(tag)?.[1] ?? '';
      const part = path.posix.join(target.startsWith('/') ? '/' : sourceDir, target).slice(1);
      let to = part;
      if (COMMENTS_REL.test(type) && !EXCELJS_COMMENTS.test(part)) to = rename(part, (n) => `xl/comments${n}.xml`);
      if (VML_REL.test(type) && !EXCELJS_VML.test(part)) to = rename(part, (n) => `xl/drawings/vmlDrawing${n}.vml`);
      if (COMMENTS_REL.test(type)) commentParts.add(part);
      if (to === part && !target.startsWith('/')) return tag;
      return tag.replace(/\bTarget="[^"]*"/, `Target="${path.posix.relative(sourceDir, '/' + to)}"`);
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

/** Reads an .xlsx workbook into exceljs. Throws UserError with a French message when unreadable. */
export async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`${file} : fichier introuvable ou illisible (${(e as NodeJS.ErrnoException).code ?? 'erreur'}).`);
  }
  if (buffer.length < 4 || buffer.readUInt32LE(0) !== 0x04034b50) {
    if (buffer.length >= 8 && buffer.readUInt32LE(0) === 0xe011cfd0) {
      throw new UserError(
        `${file} : ce fichier n'est pas un classeur .xlsx (ancien format .xls, ou classeur protégé par mot de passe). Enregistrez-le au format .xlsx sans mot de passe.`,
      );
    }
    throw new UserError(`${file} : ce fichier n'est pas un classeur .xlsx lisible.`);
  }
  const wb = new ExcelJS.Workbook();
  try {
    const fixed = await normalisePackage(buffer);
    await wb.xlsx.load(fixed as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
  }
  // exceljs 4.4.0 gives all the cells loaded with the same style one shared style object: filling one cell
  // (as the results workbook does for a faulty cell) would fill every cell of that style. Each cell gets its own.
  wb.eachSheet((ws) => ws.eachRow({ includeEmpty: true }, (row) => row.eachCell({ includeEmpty: true }, (cell) => void (cell.style = { ...cell.style }))));
  return wb;
}
