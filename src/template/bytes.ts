import type ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { ZipBuilder } from '../util/zip-write.js';

/**
 * The bytes of a workbook built with exceljs (a pre-filled solde workbook), through its public writer only:
 * xlsx.writeBuffer(), its zip stored (no deflating in JavaScript), then its parts rezipped in its order by
 * our zip writer (native zlib), every entry at a fixed date (exceljs would stamp the current time). With exceljs 4.4.0 these are the bytes util/xlsx-write.ts gives,
 * which the template command keeps for speed; no command of the cycle reaches into exceljs's modules.
 */
export async function publicWorkbookBytes(wb: ExcelJS.Workbook): Promise<Buffer> {
  const src = await JSZip.loadAsync((await wb.xlsx.writeBuffer({ zip: { compression: 'STORE' } } as Partial<ExcelJS.XlsxWriteOptions>)) as ArrayBuffer);
  const zip = new ZipBuilder();
  for (const f of Object.values(src.files)) {
    if (!f.dir) zip.append(await f.async('nodebuffer'), { name: f.name });
  }
  return zip.finish();
}
