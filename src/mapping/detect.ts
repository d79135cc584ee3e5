import type ExcelJS from 'exceljs';
import { loadMapping, mappingPathFor, type Mapping } from './load.js';
import { fold } from '../read/sheet.js';
import type { XlsxPackage } from '../read/package.js';

export const KNOWN_KINDS = ['avance', 'solde'] as const;
export type Kind = (typeof KNOWN_KINDS)[number];

const MARKER = /xlsx2segur:([a-z0-9-]+)/;

const cache = new Map<string, Mapping>();
export function mappingOf(kind: Kind): Mapping {
  if (!cache.has(kind)) cache.set(kind, loadMapping(mappingPathFor(kind)));
  return cache.get(kind)!;
}

/** What tells the kind of a workbook: its sheet names, the first cell of its lists sheet, its properties. */
export interface WorkbookInfo {
  sheetNames: string[];
  listsA1?: unknown;
  subject?: string;
  keywords?: string;
}

export function infoOfWorkbook(wb: ExcelJS.Workbook): WorkbookInfo {
  const lists = wb.worksheets.find((w) => fold(w.name) === 'listes');
  return { sheetNames: wb.worksheets.map((w) => w.name), listsA1: lists?.getCell('A1').value, subject: String(wb.subject ?? ''), keywords: String(wb.keywords ?? '') };
}

export async function infoOfPackage(pkg: XlsxPackage): Promise<WorkbookInfo> {
  const lists = pkg.sheets.find((s) => fold(s.name) === 'listes');
  let listsA1: unknown;
  if (lists) {
    for (const r of (await pkg.grid(lists)).rows()) {
      if (r.row === 1) listsA1 = r.values[1];
      break;
    }
  }
  return { sheetNames: pkg.sheets.map((s) => s.name), listsA1, subject: pkg.subject, keywords: pkg.keywords };
}

/**
 * Tells which kind of workbook this is: the marker our templates record (hidden list sheet, document
 * properties), else the sheets it holds (Commandes → avance, Factures → solde). Undefined when it cannot
 * be told.
 */
export function detectKind(info: WorkbookInfo): Kind | undefined {
  const candidates: string[] = [];
  if (typeof info.listsA1 === 'string') candidates.push(info.listsA1);
  candidates.push(info.subject ?? '', info.keywords ?? '');
  for (const c of candidates) {
    const m = MARKER.exec(c);
    if (!m) continue;
    const kind = KNOWN_KINDS.find((k) => m[1] === `${k}-bio-sgl`);
    if (kind) return kind;
  }
  const names = new Set(info.sheetNames.map(fold));
  const matches = KNOWN_KINDS.filter((k) => names.has(fold(mappingOf(k).main.name)));
  return matches.length === 1 ? matches[0] : undefined;
}
