import path from 'node:path';
import type { Demande, ParsedRow } from '../join/model.js';
import type { WorkbookResult } from '../rules/validate.js';
import { refreshVerdict } from '../rules/validate.js';
import { columnLetter, makeIssue } from '../issues/issues.js';
import type { IssueCode } from '../issues/catalogue.js';

/** "3 Mo" read as 3 000 000 bytes: safe under either meaning of Mo. */
export const MAX_PJ_BYTES = 3_000_000;

export interface PjFile {
  /** Name inside the .zip: the nomenclature name (nomFichier). */
  name: string;
  size: number;
  /** Its content, read when its .zip is built. */
  bytes(): Uint8Array;
}

/** A document found in the PJ folder. */
export interface PjFound {
  size: number;
  /** Its first 64 bytes (or fewer): what its real format is read from. */
  head(): Uint8Array;
  bytes(): Uint8Array;
}

/**
 * The vendor's folder of supporting documents, seen through a port: the disk (commands/pj-folder.ts) or
 * documents given as bytes with their relative paths (pj/memory.ts).
 */
export interface PjFolder {
  /** The folder as messages name it. */
  dir: string;
  /** The document at this path inside the folder: absent (or not a file), reached out of it, or found. */
  find(segments: string[]): PjFound | 'absent' | 'outside';
}

export type RealFormat = 'PDF' | 'PNG' | 'JPG' | 'XML';

/** The real format of a file, read from its first bytes. */
export function sniffFormat(bytes: Uint8Array): RealFormat | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'PDF';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPG';
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/^\s*<(\?xml|[A-Za-z_])/.test(text)) return 'XML';
  return undefined;
}

const EXTENSIONS: Record<string, RealFormat> = { pdf: 'PDF', png: 'PNG', jpg: 'JPG', jpeg: 'JPG', xml: 'XML' };

/**
 * Checks every supporting document of the demandes against the vendor's folder: it exists, stays inside
 * the folder (no "..", no absolute path, no symbolic link leading out), is not empty, weighs at most
 * 3 000 000 bytes, and its real format matches formatFichier and its extension. A failed check rejects
 * the demande, with the message on the PJ row.
 */
export function checkPj(results: WorkbookResult[], folder: PjFolder): void {
  for (const r of results) {
    const rule = r.mapping.rules.find((x) => x.rule === 'pj') as { sheet?: string } | undefined;
    const sheet = rule?.sheet;
    if (!sheet) continue;
    for (const d of r.demandes) {
      d.pj = [];
      for (const row of d.details[sheet] ?? []) {
        const file = checkOne(r, d, row, folder);
        if (file) d.pj.push(file);
      }
    }
  }
  for (const r of results) for (const d of r.demandes) refreshVerdict(d);
}

function checkOne(r: WorkbookResult, d: Demande, row: ParsedRow, folder: PjFolder): PjFile | undefined {
  const pjDir = folder.dir;
  const name = row.values.nomFichier;
  const format = row.values.formatFichier;
  const given = row.values.fichierSource;
  if (typeof name !== 'string' || typeof format !== 'string') return undefined; // already reported
  const field = typeof given === 'string' && row.cols.fichierSource ? 'fichierSource' : 'nomFichier';
  const rel = typeof given === 'string' ? given : name;
  const report = (code: IssueCode, params: Record<string, unknown>) => {
    const i = makeIssue(code, { file: r.file, sheet: row.sheet, row: row.row, column: row.cols[field] ? columnLetter(row.cols[field]) : undefined, field, demande: d.key }, { value: rel, ...params });
    r.issues.push(i);
    d.issues.push(i);
  };
  if (path.isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel) || rel.split(/[\\/]+/).includes('..')) {
    report('PJ_CHEMIN_HORS_DOSSIER', { dir: pjDir });
    return undefined;
  }
  const found = folder.find(rel.split(/[\\/]+/));
  if (found === 'absent' || found === 'outside') {
    report(found === 'absent' ? 'PJ_ABSENTE' : 'PJ_CHEMIN_HORS_DOSSIER', { dir: pjDir });
    return undefined;
  }
  if (found.size === 0) {
    report('PJ_VIDE', {});
    return undefined;
  }
  if (found.size > MAX_PJ_BYTES) {
    report('PJ_TROP_GROSSE', { size: found.size.toLocaleString('fr-FR'), max: MAX_PJ_BYTES.toLocaleString('fr-FR') });
    return undefined;
  }
  const realFormat = sniffFormat(found.head());
  const ext = path.extname(rel).slice(1).toLowerCase();
  if (!realFormat || realFormat !== format || (ext && EXTENSIONS[ext] && EXTENSIONS[ext] !== realFormat)) {
    report('PJ_FORMAT_REEL', { real: realFormat ?? 'inconnu', format, ext: ext || '(aucune)' });
    return undefined;
  }
  return { name, size: found.size, bytes: () => found.bytes() };
}
