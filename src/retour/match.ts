import fs from 'node:fs';
import path from 'node:path';
import { readLine, type Journal, type JournalEntry } from '../journal/journal.js';
import { compareAnswers, recordedAnswer, type Answer } from '../journal/answers.js';

/** A line of a return, as read: which demande it names and where. */
export interface ReturnedLine {
  kind: 'avance' | 'solde';
  numeroAns: string;
  numeroEditeur: string;
  numLigne: number | null;
  raw: Record<string, unknown>;
}

export type Match = { entry: JournalEntry } | { unmatched: string };

/** Keys the ASP fills in a return: not compared with the deposited line. */
const ANSWER_KEYS = new Set(['numLigne', 'codeTraitement', 'libelleTraitement']);
/** Largest deposited file read back to compare (ours hold at most 200 lines). */
const MAX_DEPOSITED_BYTES = 50 * 1024 * 1024;
const MAX_DIFFS = 5;

/** Leaves of a line by path; an array of plain values is one leaf, its values sorted (their order says nothing). */
function leaves(v: unknown, at: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) out.set(at, v.map(text).sort().join(', '));
  else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${at}[${i + 1}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, at ? `${at}.${k}` : k, out);
  else out.set(at, text(v));
  return out;
}

/** A plain value as text; a number written as a string compares equal to the number. */
function text(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && !/^0\d/.test(v)) return String(Number(v));
  return String(v);
}

/** Paths the journal's own check (amount, FINESS) already reports, in its words. */
const journalChecked = (p: string) => /montantSegurHT(Facture)?$|numeroFINESSGeos$|^beneficiaires$/.test(p);

/**
 * What differs between the deposited line and its return, in French. Not compared: what the ASP fills in
 * (the answer keys, and any field deposited null, as numeroASP, impId or lienCompteRendu are), keys it adds.
 */
export function contentDiffs(deposited: Record<string, unknown>, returned: Record<string, unknown>): string[] {
  // Most lines are returned as deposited: that is made sure of without building the leaves of either.
  if (plainKeys(deposited) && plainKeys(returned) && alike(deposited, returned, true)) return [];
  return contentDiffsByLeaves(deposited, returned);
}

/** contentDiffs, leaf by leaf: the leaves of both lines by path, compared. */
export function contentDiffsByLeaves(deposited: Record<string, unknown>, returned: Record<string, unknown>): string[] {
  const a = leaves(deposited, '', new Map());
  const b = leaves(returned, '', new Map());
  const out: string[] = [];
  for (const [k, v] of a) {
    if (ANSWER_KEYS.has(k) || journalChecked(k) || v === 'null') continue;
    const r = b.get(k);
    if (r === undefined) out.push(`${k} absent`);
    else if (r !== v) out.push(`${k} « ${r} » au lieu de « ${v} »`);
  }
  return out;
}

/**
 * Whether every leaf of `deposited` that contentDiffs compares is the same in `returned`, found by walking
 * both side by side. Only used when no key holds a "." or a "[" and none is empty, so that the paths of
 * leaves() name one value each: then the leaf at a path is the value reached by the same keys.
 */
function alike(deposited: unknown, returned: unknown, top: boolean): boolean {
  if (Array.isArray(deposited) && deposited.every((x) => x === null || typeof x !== 'object')) return leafText(returned) === deposited.map(text).sort().join(', ');
  // An array of values is one leaf (leafText): only an array holding an object has its items by index.
  if (Array.isArray(deposited)) return Array.isArray(returned) && leafText(returned) === undefined && deposited.every((x, i) => alike(x, returned[i], false));
  if (deposited && typeof deposited === 'object') {
    const other = returned && typeof returned === 'object' && !Array.isArray(returned) ? (returned as Record<string, unknown>) : undefined;
    const d = deposited as Record<string, unknown>;
    for (const k in d) {
      const x = d[k];
      if (x === null || x === undefined) continue;
      // What contentDiffs leaves out is a leaf at such a path (a value, or an array of values).
      if (isLeaf(x) && ((top && ANSWER_KEYS.has(k)) || journalCheckedKey(k, top))) continue;
      if (!other || !Object.hasOwn(other, k) || !alike(x, other[k], false)) return false;
    }
    return true;
  }
  return leafText(returned) === text(deposited);
}

const isLeaf = (v: unknown) => !(v && typeof v === 'object') || (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));

/** The text leaves() gives a value found at a path: undefined when it is an object or an array of objects. */
function leafText(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== 'object') ? v.map(text).sort().join(', ') : undefined;
  if (v && typeof v === 'object') return undefined;
  return text(v);
}

/** journalChecked, for the path of key k (at the top of the line, or below). */
function journalCheckedKey(k: string, top: boolean): boolean {
  return k.endsWith('montantSegurHT') || k.endsWith('montantSegurHTFacture') || k.endsWith('numeroFINESSGeos') || (top && k === 'beneficiaires');
}

/** Whether no key of a value, at any depth, is empty or holds a "." or a "[". */
function plainKeys(v: unknown): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (!plainKeys(x)) return false;
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k in o) if (k === '' || k.includes('.') || k.includes('[') || !plainKeys(o[k])) return false;
  }
  return true;
}

/** The amount and FINESS the journal keeps, compared with the return's. */
function journalDiffs(entry: JournalEntry, raw: Record<string, unknown>): string[] {
  const { amount, finess } = readLine(raw);
  const diffs: string[] = [];
  if (amount !== undefined && amount !== entry.montant) diffs.push(`montant ${amount} au lieu de ${entry.montant}`);
  if (finess && [...finess].sort().join(',') !== [...entry.finess].sort().join(',')) diffs.push(`FINESS ${finess.join(', ')} au lieu de ${entry.finess.join(', ')}`);
  return diffs;
}

/** Matches the lines of returns with the journal's entries: by numeroAns + numeroEditeur, then numLigne and content. */
export class Matcher {
  private readonly deposited = new Map<string, Map<number, Record<string, unknown>> | null>();

  constructor(
    private readonly journal: Journal,
    private readonly dir: string,
  ) {}

  /** The line a deposited file of the folder holds at numLigne, or undefined when the file is gone. */
  private depositedLine(e: JournalEntry): Record<string, unknown> | undefined {
    if (!this.deposited.has(e.file)) this.deposited.set(e.file, this.readDeposited(e.file));
    return this.deposited.get(e.file)?.get(e.numLigne);
  }

  private readDeposited(name: string): Map<number, Record<string, unknown>> | null {
    try {
      const file = path.join(this.dir, path.basename(name));
      if (fs.statSync(file).size > MAX_DEPOSITED_BYTES) return null;
      const j = JSON.parse(fs.readFileSync(file, 'utf8'));
      const lines = new Map<number, Record<string, unknown>>();
      for (const l of Array.isArray(j?.lignesImport) ? j.lignesImport : []) if (typeof l?.numLigne === 'number') lines.set(l.numLigne, l);
      return lines;
    } catch {
      return null;
    }
  }

  /** What differs between an entry as exported and the returned line. */
  diffs(e: JournalEntry, raw: Record<string, unknown>): string[] {
    const deposited = this.depositedLine(e);
    const all = [...journalDiffs(e, raw), ...(deposited ? contentDiffs(deposited, raw) : [])];
    const more = all.length - MAX_DIFFS;
    return more > 0 ? [...all.slice(0, MAX_DIFFS), `et ${more} ${more > 1 ? 'autres différences' : 'autre différence'}`] : all;
  }

  /**
   * The entry a returned line answers: among the exports of its demande, one at its numLigne whose content
   * is the returned one's. Several such (a demande exported again unchanged): the one this file's impId
   * answered, else one already holding this answer, else one not answered yet, else the latest.
   * `pending` gives the answer this run already gave an entry, if any.
   */
  match(l: ReturnedLine, answer: Answer, pending: (e: JournalEntry) => Answer | null): Match {
    const candidates = this.journal.find(l.kind, l.numeroAns, l.numeroEditeur);
    const num = l.numeroEditeur;
    if (!candidates.length) return { unmatched: `demande ${l.kind} ${num} du numéro ANS ${l.numeroAns} jamais exportée d'ici : ligne non prise en compte.` };
    const same = candidates.filter((e) => !this.diffs(e, l.raw).length);
    const here = same.filter((e) => l.numLigne === null || e.numLigne === l.numLigne);
    if (!here.length && same.length) {
      const e = same[same.length - 1];
      return { unmatched: `demande ${num} : le retour la met à la ligne ${l.numLigne}, le journal à la ligne ${e.numLigne} de ${e.file} : ligne non prise en compte (est-ce bien le retour de ce fichier ?).` };
    }
    if (!here.length) {
      const e = candidates.filter((x) => x.numLigne === l.numLigne).pop() ?? candidates[candidates.length - 1];
      return { unmatched: `demande ${num} : le retour ne correspond pas à ce qui a été exporté (${this.diffs(e, l.raw).join(' ; ')}) : ligne non prise en compte.` };
    }
    const known = (e: JournalEntry) => pending(e) ?? recordedAnswer(e);
    const entry =
      here.filter((e) => answer.impId !== null && known(e)?.impId === answer.impId).pop() ??
      here.filter((e) => known(e) && compareAnswers(known(e)!, answer) !== 'conflict').pop() ??
      here.filter((e) => !known(e)).pop() ??
      here[here.length - 1];
    return { entry };
  }
}
