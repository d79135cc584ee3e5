import type { Mapping } from '../mapping/load.js';
import type { Demande, ParsedRow } from '../join/model.js';
import { buildFile, buildLine } from './build.js';
import { canonicalOf, fingerprintOf, numLigneOnTop } from './fingerprint.js';
import { toJsonText, utf8Length } from './json-text.js';
import { UserError } from '../util/errors.js';
import { zipLimit, zipSize } from '../pj/zip.js';
import type { PjFile } from '../pj/check.js';

/** A batch to write: the accepted demandes of one numeroAns and one kind, in workbook order. */
export interface Batch {
  mapping: Mapping;
  numeroAns: string;
  header: ParsedRow;
  demandes: Demande[];
}

export interface WrittenFile {
  name: string;
  path: string;
  kind: string;
  numeroAns: string;
  sequence: number;
  lines: number;
  bytes: number;
  demandes: string[];
  /** Values of the mapping's portalField (numeroASP of each solde demande), to type on the portal. */
  portalValues: string[];
  /** The .zip of its PJ, written beside it (convert --pj). */
  zip?: { name: string; bytes: number };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function fileName(template: string, numeroAns: string, date: string, sequence: number): string {
  return template
    .replace('{numeroAns}', numeroAns)
    .replace('{date}', date)
    .replace('{sequence}', String(sequence).padStart(3, '0'));
}

/**
 * Highest sequence number used for that numeroAns and date (0 when none): among the names of the files in
 * the deposit folder and the names `used` (the journal's files, deposited and perhaps moved out since).
 */
export function highestSequence(names: Iterable<string>, template: string, numeroAns: string, date: string, used: Iterable<string> = []): number {
  const pattern = new RegExp(
    '^' +
      escapeRegExp(template)
        .replace(escapeRegExp('{numeroAns}'), escapeRegExp(numeroAns))
        .replace(escapeRegExp('{date}'), escapeRegExp(date))
        .replace(escapeRegExp('{sequence}'), '(\\d{3,})') +
      '$',
  );
  let max = 0;
  for (const n of [...names, ...used]) {
    const m = pattern.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Groups demandes into files: at most maxLines each and, when the PJ were gathered, a .zip of at most the
 * zip limit: a demande that would cross it starts the next file.
 */
export function split(demandes: Demande[], maxLines: number, maxZip: number): Demande[][] {
  const out: Demande[][] = [];
  let cur: Demande[] = [];
  let pj: NonNullable<Demande['pj']> = [];
  for (const d of demandes) {
    const next = [...pj, ...(d.pj ?? [])];
    if (cur.length && (cur.length >= maxLines || (d.pj && zipSize(next) > maxZip))) {
      out.push(cur);
      cur = [];
      pj = [];
    }
    cur.push(d);
    pj.push(...(d.pj ?? []));
  }
  if (cur.length) out.push(cur);
  return out;
}

export interface SequenceState {
  next: Map<string, number>;
  /** File names already used (the journal's): never used again, whether or not the file is still in the folder. */
  used?: string[];
  /** Names of the files in the deposit folder. */
  names: string[];
}

/**
 * A JSON file to write: its name, decided here, its text, and the PJ its .zip will hold. The text is made
 * when it is asked for (renderFile), not held: 50 000 demandes are over 100 MB of JSON, which the commands
 * write one file at a time. Making it gives each of its demandes its line's fingerprint (d.output).
 */
export interface PlannedFile extends Omit<WrittenFile, 'path' | 'zip' | 'bytes'> {
  text(): string;
  pj: PjFile[];
}

/** The text of a planned file, its size set on the file as the report shows it. */
export function renderFile(planned: PlannedFile, file: WrittenFile): string {
  const text = planned.text();
  file.bytes = utf8Length(text);
  return text;
}

/** A file's text, built from its demandes; each demande's fingerprint taken from its line (see fingerprint.ts). */
function fileText(mapping: Mapping, header: ParsedRow, group: Demande[]): string {
  const lines = group.map((d, i) => buildLine(mapping, d, header, i + 1));
  // A line's canonical text does not depend on its numLigne when numLigne is only at its top.
  if (numLigneOnTop(mapping)) group.forEach((d, i) => (d.output!.fingerprint = fingerprintOf(canonicalOf(mapping, lines[i]))));
  return toJsonText(buildFile(mapping, header, lines));
}

/**
 * Plans the JSON files of a batch: at most maxLines lines each, numLigne from 1 in each file, named with
 * the next free sequence number of that numeroAns and day (never a name the folder or the journal holds).
 * Each demande is told where it goes (d.output). Nothing is written here: the commands write the files.
 */
export function planBatch(batch: Batch, date: string, seq: SequenceState, firstSequence?: number): PlannedFile[] {
  const { mapping, header } = batch;
  const template = mapping.output.fileName;
  const seqKey = `${batch.numeroAns}|${date}`;
  if (!seq.next.has(seqKey)) {
    const existing = highestSequence(seq.names, template, batch.numeroAns, date, seq.used);
    seq.next.set(seqKey, Math.max(existing + 1, firstSequence ?? 1));
  }
  const planned: PlannedFile[] = [];
  for (const group of split(batch.demandes, mapping.output.maxLines, zipLimit())) {
    const sequence = seq.next.get(seqKey)!;
    if (sequence > 999) {
      throw new UserError(`Plus de 999 fichiers pour le numéro ANS ${batch.numeroAns} le ${date} : impossible de les nommer.`);
    }
    seq.next.set(seqKey, sequence + 1);
    const name = fileName(template, batch.numeroAns, date, sequence);
    group.forEach((d, i) => (d.output = { file: name, numLigne: i + 1 }));
    planned.push({
      name,
      kind: mapping.kind,
      numeroAns: batch.numeroAns,
      sequence,
      lines: group.length,
      demandes: group.map((d) => d.key),
      portalValues: mapping.output.portalField
        ? group.map((d) => d.main.values[mapping.output.portalField!]).filter((v): v is string => typeof v === 'string')
        : [],
      text: () => fileText(mapping, header, group),
      pj: group.flatMap((d) => d.pj ?? []),
    });
  }
  return planned;
}
