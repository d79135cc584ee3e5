import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { UserError } from '../util/errors.js';

/**
 * Relationship targets may be absolute part names ("/xl/comments/comment1.xml"), as openpyxl writes them.
 * exceljs 4.4.0 only resolves relative targets and crashes on load when a sheet with notes uses absolute
 * ones (exceljs issue #2797). We rewrite every absolute target to the equivalent relative one before
 * handing the package to exceljs. The input file itself is never touched: this works on a copy in memory.
 */
async function normaliseRelationshipTargets(buffer: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(buffer);
  let changed = false;
  const relFiles = Object.keys(zip.files).filter((n) => n.endsWith('.rels') && !zip.files[n].dir);
  for (const name of relFiles) {
    const xml = await zip.file(name)!.async('string');
    // The source part of "xl/worksheets/_rels/sheet1.xml.rels" is "xl/worksheets/sheet1.xml".
    const sourceDir = path.posix.dirname(path.posix.dirname(name));
    const fixed = xml.replace(/(<Relationship\b[^>]*?\bTarget=")(\/[^"]*)(")/g, (all, a: string, target: string, b: string) => {
      if (/TargetMode="External"/.test(all)) return all;
      const rel = path.posix.relative(sourceDir === '.' ? '' : sourceDir, target.slice(1));
      changed = true;
      return a + rel + b;
    });
    if (fixed !== xml) zip.file(name, fixed);
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
    const fixed = await normaliseRelationshipTargets(buffer);
    await wb.xlsx.load(fixed as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
  }
  return wb;
}
