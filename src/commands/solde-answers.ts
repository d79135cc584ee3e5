import fs from 'node:fs';
import path from 'node:path';
import type { CarriedField } from '../mapping/carry.js';
import type { JournalEntry } from '../journal/journal.js';
import type { Demande } from '../join/model.js';

/** One answer of an avance, and where it was read (for the note of its cell). */
export interface CarriedAnswer {
  value: boolean | string;
  origin: string;
}

/** The answers an avance already gave, by solde field; or why they could not be read. */
export type AvanceAnswers = { values: Record<string, CarriedAnswer> } | { missing: string };

function usable(f: CarriedField, v: unknown): v is boolean | string {
  return f.type === 'boolean' ? typeof v === 'boolean' : typeof v === 'string' && v !== '';
}

function readLines(file: string): Record<string, unknown>[] | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(j?.lignesImport) ? j.lignesImport : undefined;
  } catch {
    return undefined;
  }
}

/** The deposited file read last by answersFromDeposit, and its lines. */
export interface LastRead {
  file?: string;
  lines?: Record<string, unknown>[];
}

/**
 * The answers of an avance as its deposited line holds them: the journal says which file (in the folder
 * `dir`) and which line; the avance mapping says where each answer sits in the line.
 */
export function answersFromDeposit(dir: string, e: JournalEntry, fields: CarriedField[], last?: LastRead): AvanceAnswers {
  const file = path.join(dir, e.file);
  if (!fs.existsSync(file)) return { missing: `le fichier d'avance ${e.file} n'est plus dans ${dir}` };
  // The journal lists the lines of a file one after the other: the file read for the entry before is
  // usually this one's, not read and parsed again (200 times per file).
  let lines: Record<string, unknown>[] | undefined;
  if (last && last.file === file) lines = last.lines;
  else {
    lines = readLines(file);
    if (last) Object.assign(last, { file, lines });
  }
  if (!lines) return { missing: `le fichier d'avance ${e.file} est illisible` };
  const line = lines.find((l) => l?.numLigne === e.numLigne);
  if (!line || line.numeroEditeur !== e.numeroEditeur) return { missing: `la ligne ${e.numLigne} du fichier ${e.file} n'est pas celle de la demande` };
  const values: Record<string, CarriedAnswer> = {};
  for (const f of fields) {
    const v = f.linePath.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), line);
    if (usable(f, v)) values[f.field] = { value: v, origin: `fichier ${e.file}, ligne ${e.numLigne}` };
  }
  if (!Object.keys(values).length) return { missing: `la ligne ${e.numLigne} du fichier ${e.file} ne porte aucune de ses réponses` };
  return { values };
}

/** The answers of an avance as its workbook holds them (a validated demande of an avance workbook). */
export function answersFromDemande(d: Demande, fields: CarriedField[], mainSheet: string): AvanceAnswers {
  const values: Record<string, CarriedAnswer> = {};
  for (const f of fields) {
    const rows = f.avanceSheet === mainSheet ? [d.main] : (d.details[f.avanceSheet] ?? []);
    const row = rows.find((r) => !r.continuation && usable(f, r.values[f.avanceField]));
    if (row) values[f.field] = { value: row.values[f.avanceField] as boolean | string, origin: `classeur ${path.basename(d.file)}, feuille ${row.sheet}, ligne ${row.row}` };
  }
  if (!Object.keys(values).length) return { missing: `le classeur ${path.basename(d.file)} ne donne aucune de ses réponses (feuille ${fields[0]?.avanceSheet ?? ''})` };
  return { values };
}
