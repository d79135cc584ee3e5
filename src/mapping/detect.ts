import type ExcelJS from 'exceljs';
import { loadMapping, mappingPathFor, type Mapping } from './load.js';
import { fold } from '../read/sheet.js';

export const KNOWN_KINDS = ['avance', 'solde'] as const;
export type Kind = (typeof KNOWN_KINDS)[number];

const MARKER = /xlsx2segur:([a-z0-9-]+)/;

const cache = new Map<string, Mapping>();
export function mappingOf(kind: Kind): Mapping {
  if (!cache.has(kind)) cache.set(kind, loadMapping(mappingPathFor(kind)));
  return cache.get(kind)!;
}

/**
 * Tells which kind of workbook this is: the marker our templates record (hidden list sheet, document
 * properties), else the sheets it holds (Commandes → avance, Factures → solde). Undefined when it cannot
 * be told.
 */
export function detectKind(wb: ExcelJS.Workbook): Kind | undefined {
  const candidates: string[] = [];
  const lists = wb.worksheets.find((w) => fold(w.name) === 'listes');
  const a1 = lists?.getCell('A1').value;
  if (typeof a1 === 'string') candidates.push(a1);
  candidates.push(String(wb.subject ?? ''), String(wb.keywords ?? ''));
  for (const c of candidates) {
    const m = MARKER.exec(c);
    if (!m) continue;
    const kind = KNOWN_KINDS.find((k) => m[1] === `${k}-bio-sgl`);
    if (kind) return kind;
  }
  const names = new Set(wb.worksheets.map((w) => fold(w.name)));
  const matches = KNOWN_KINDS.filter((k) => names.has(fold(mappingOf(k).main.name)));
  return matches.length === 1 ? matches[0] : undefined;
}
