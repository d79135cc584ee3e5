import path from 'node:path';
import type ExcelJS from 'exceljs';
import { readWorkbook } from '../read/xlsx.js';
import { detectKind, infoOfWorkbook, mappingOf } from '../mapping/detect.js';
import { findWorksheet, validateWorkbook } from '../rules/validate.js';
import { Journal, STATE_LABELS, stateOf } from '../journal/journal.js';
import { UserError } from '../util/errors.js';
import { workbookBytes } from '../util/xlsx-write.js';
import { writeFileAtomic } from '../util/fs.js';

/** The column of our own header `title` in the header row, added after the last column when absent. */
function findOrAddColumn(ws: ExcelJS.Worksheet, headerRow: number, title: string, width: number): number {
  const row = ws.getRow(headerRow);
  let last = 0;
  let found = 0;
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    if (typeof cell.value === 'string' && cell.value.trim() === title) found = col;
    last = Math.max(last, col);
  });
  if (found) return found;
  const col = Math.max(last, ws.columnCount) + 1;
  const cell = row.getCell(col);
  cell.value = title;
  cell.font = { bold: true };
  ws.getColumn(col).width = width;
  return col;
}

export const ASP_STATUS_HEADER = 'Statut ASP [xlsx2segur]';
export const ASP_NUMBER_HEADER = 'Numéro ASP [xlsx2segur]';
export const ASP_LABEL_HEADER = 'Réponse ASP [xlsx2segur]';

/**
 * Writes a copy of a workbook (never the workbook itself) where each demande of the order sheet shows what
 * the ASP answered: status, numeroASP, rejection label. Returns the path written.
 */
export async function annotateAspAnswers(file: string, journal: Journal, outDir: string): Promise<string> {
  const wb = await readWorkbook(file);
  const kind = detectKind(infoOfWorkbook(wb));
  if (!kind) throw new UserError(`${file} : type de classeur inconnu (ni avance ni solde).`);
  const mapping = mappingOf(kind);
  const result = await validateWorkbook(wb, file, mapping, { depositDate: '31/12/2999' });
  if (result.fatal) throw new UserError(result.fatal);
  const ans = result.numeroAns;
  const data = result.sheets[mapping.main.name];
  const ws = findWorksheet(wb, data.actualName)!;
  const statusCol = findOrAddColumn(ws, data.headerRow, ASP_STATUS_HEADER, 30);
  const numberCol = findOrAddColumn(ws, data.headerRow, ASP_NUMBER_HEADER, 30);
  const labelCol = findOrAddColumn(ws, data.headerRow, ASP_LABEL_HEADER, 30);
  for (const d of result.demandes) {
    const row = ws.getRow(d.main.row);
    let entry = ans ? journal.latest(kind, ans, d.key) : undefined;
    let note = '';
    if (!entry && ans) {
      entry = journal.entries.filter((e) => e.kind === kind && e.numeroAns === ans && e.renumberedFrom === d.key).pop();
      if (entry) note = ` (resoumise sous le numéro ${entry.numeroEditeur})`;
    }
    if (!entry) {
      row.getCell(statusCol).value = 'non exportée';
      continue;
    }
    const state = stateOf(entry);
    row.getCell(statusCol).value = STATE_LABELS[state] + note;
    row.getCell(numberCol).value = entry.numeroASP;
    row.getCell(labelCol).value = entry.asp?.libelle ?? null;
    row.getCell(statusCol).fill = {
      type: 'pattern',
      pattern: 'solid',
      fgColor: { argb: state === 'rejetee' || state === 'refusee' ? 'FFFFC7CE' : state === 'exportee' ? 'FFFFEB9C' : 'FFC6EFCE' },
    };
  }
  const base = path.basename(file).replace(/\.(xlsx|xlsm)$/i, '').replace(/\.(resultats|retour)(-\d+)?$/i, '');
  let target = path.join(outDir, `${base}.retour.xlsx`);
  if (path.resolve(target) === path.resolve(file)) target = path.join(outDir, `${base}.retour-2.xlsx`);
  writeFileAtomic(target, await workbookBytes(wb));
  return target;
}
