import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { rezippedFile } from './bytes.js';
import { nextTurn } from '../util/turn.js';

/** The data rows of one sheet, below its template rows: how many, and what to put in each (0-based). */
export interface SheetRows {
  count: number;
  write(row: ExcelJS.Row, index: number): void;
}

/**
 * A workbook built from a template made with exceljs (small: its headers, notes, formats, dropdowns, the
 * Notice), with data rows that never enter exceljs's model of the workbook: exceljs's public streaming
 * writer copies the template's sheets, then takes each data row and commits it at once, so that memory
 * does not grow with the rows. Cells get their column's style as in the model (the same Row and Cell
 * classes), notes and fills set on a row's cells are written with it. The parts are then rezipped at a
 * fixed date (see bytes.ts): the same rows give the same bytes.
 */
export async function streamedWorkbookBytes(template: ExcelJS.Workbook, rowsOf: (sheet: string) => SheetRows | undefined): Promise<Buffer> {
  // Written to a temporary file, stored (the entries are deflated once, by our zip writer), then rezipped
  // one entry at a time: memory never holds the whole package.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx2segur-solde-'));
  try {
    const filename = path.join(dir, 'classeur.xlsx');
    const stream = fs.createWriteStream(filename);
    // A fault of the disk (full, …) ends the writing with its error, naming the temporary file (its disk is
    // the one to free).
    const failed = new Promise<never>((_, reject) => stream.on('error', (e: NodeJS.ErrnoException) => reject(Object.assign(e, { path: e.path ?? filename }))));
    const out = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: true, zip: { store: true } } as Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>);
    for (const k of ['creator', 'lastModifiedBy', 'created', 'modified', 'title', 'subject', 'keywords'] as const) {
      if (template[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = template[k];
    }
    // exceljs's model writer says « Unknown » when the template names nobody.
    if (template.lastModifiedBy === undefined) out.lastModifiedBy = 'Unknown';
    const write = async () => {
      // One sheet after the other, each committed before the next is begun (the zip takes its entries in turn).
      for (const ws of template.worksheets) await copySheet(out, ws, rowsOf(ws.name));
      await out.commit();
    };
    await Promise.race([write(), failed]);
    return await rezippedFile(filename);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function copySheet(out: ExcelJS.stream.xlsx.WorkbookWriter, ws: ExcelJS.Worksheet, data: SheetRows | undefined): Promise<void> {
  const w = out.addWorksheet(ws.name, { state: ws.state, views: ws.views, properties: ws.properties });
  (ws.columns ?? []).forEach((c, i) => {
    const col = w.getColumn(i + 1);
    if (c.width !== undefined) col.width = c.width;
    if (c.style && Object.keys(c.style).length) col.style = c.style;
  });
  type WithValidations = { dataValidations: { model: Record<string, ExcelJS.DataValidation> } };
  (w as unknown as WithValidations).dataValidations.model = { ...(ws as unknown as WithValidations).dataValidations.model };
  // The template's own rows, with their styles and notes.
  let next = 1;
  ws.eachRow({ includeEmpty: true }, (row, r) => {
    const o = w.getRow(r);
    if (row.height) o.height = row.height;
    row.eachCell({ includeEmpty: true }, (cell, c) => {
      const oc = o.getCell(c);
      oc.value = cell.value;
      oc.style = cell.style;
      if (cell.note) oc.note = cell.note;
    });
    o.commit();
    next = r + 1;
  });
  for (let i = 0; i < (data?.count ?? 0); i++) {
    const row = w.getRow(next + i);
    data!.write(row, i);
    row.commit();
    // Let the zip stream take the rows now and then.
    if (i % 1000 === 999) await nextTurn();
  }
  await w.commit();
}
