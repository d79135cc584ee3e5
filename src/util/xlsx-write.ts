import type ExcelJS from 'exceljs';
import JSZip from 'jszip';

const FIXED_DATE = new Date(Date.UTC(2021, 9, 25, 0, 0, 0));

/**
 * The bytes of a workbook, deterministic: exceljs stamps every zip entry with the current time, so the
 * package is rebuilt with fixed entry dates, in exceljs's own entry order.
 */
export async function workbookBytes(wb: ExcelJS.Workbook): Promise<Buffer> {
  const raw = (await wb.xlsx.writeBuffer()) as ArrayBuffer;
  const zip = await JSZip.loadAsync(raw);
  for (const f of Object.values(zip.files)) f.date = FIXED_DATE;
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
