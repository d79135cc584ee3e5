import fs from 'node:fs';
import path from 'node:path';
import { XlsxPackage } from '../read/package.js';
import JSZip from 'jszip';
import { markOf, markOfCustomXml, type OutputMark } from '../annotate/mark.js';
import { attr, elements } from '../read/xml.js';
import type { JournalEntry } from '../journal/journal.js';
import { describeCounts } from '../status/status.js';
import { UserError } from '../util/errors.js';
import { todayCompact } from '../util/dates.js';
import { runConvert } from './convert.js';
import { livingName } from './living.js';

export interface Refreshed {
  file: string;
  /** "3 demandes lues : …", or the French message of what went wrong. */
  message: string;
  ok: boolean;
}

/** The living results workbooks of a deposit folder whose demandes the journal records from these sources. */
function livingWorkbooksOf(dir: string, sources: Set<string>): string[] {
  // Two sources may share a living workbook (« x.xlsx » and « x.resultats.xlsx » converted once its mark was
  // lost, as openpyxl loses it): it is refreshed once.
  const out = new Set<string>();
  for (const source of [...sources].sort()) {
    const file = path.join(dir, livingName(source, undefined));
    if (fs.existsSync(file)) out.add(file);
  }
  return [...out];
}

/**
 * A workbook's mark, from its custom properties part alone: the refresh reads and checks the whole package
 * itself, so it is not opened (every part inflated and checked) twice. Undefined when not found this way:
 * the package is then opened as convert opens it, which finds it or says what is wrong with the file.
 */
async function quickMark(file: string): Promise<OutputMark | undefined> {
  try {
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    const rels = (await zip.file('_rels/.rels')?.async('string')) ?? '';
    const rel = [...elements(rels, 'Relationship')].find((e) => attr(e.tag, 'Type')?.endsWith('/custom-properties'));
    const target = rel ? attr(rel.tag, 'Target')?.replace(/^\/+/, '') : undefined;
    const xml = target ? await zip.file(target)?.async('string') : undefined;
    return xml ? markOfCustomXml(xml) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Brings a workbook's living results workbook up to date with the journal: it is checked again (as validate
 * does, on the day of deposit its last run recorded) and rewritten in place; the version it replaces is kept.
 */
async function refreshOne(file: string, dir: string, output?: string): Promise<Refreshed> {
  try {
    const mark = (await quickMark(file)) ?? markOf(await XlsxPackage.open(file));
    if (!output && mark?.output !== 'resultats') return { file, ok: true, message: `${file} : pas un classeur de résultats de xlsx2segur, laissé tel quel.` };
    const captured: string[] = [];
    const { report } = await runConvert({ inputs: [file], outDir: dir, dryRun: true, date: mark?.date || todayCompact(), quiet: true, stdout: (t) => captured.push(t), json: true, output: output ? 'retour' : undefined });
    const w = report.workbooks[0];
    if (!w?.results) return { file, ok: false, message: report.failures.map((f) => f.message).join(' ; ') || `${file} : classeur non mis à jour.` };
    return { file: w.results, ok: true, message: `${w.results} : ${describeCounts(w.statuses, 'validate')}` };
  } catch (e) {
    return { file, ok: false, message: e instanceof UserError ? e.message : `${file} : classeur non mis à jour (${(e as Error).message}).` };
  }
}

/** The workbooks these journal entries were exported from (their living workbooks are refreshed). */
export function sourcesOf(entries: JournalEntry[]): Set<string> {
  return new Set(entries.map((e) => e.source).filter((s) => !s.startsWith('(')));
}

/**
 * Refreshes the living workbooks of the demandes the journal records from these sources. The journal is
 * read again from the folder (it was saved): the caller need not hold its own while they are rewritten.
 */
export async function refreshLiving(dir: string, sources: Set<string>): Promise<Refreshed[]> {
  const out: Refreshed[] = [];
  for (const file of livingWorkbooksOf(dir, sources)) out.push(await refreshOne(file, dir));
  return out;
}

/** retour --workbook: a copy of a workbook, <nom>.retour.xlsx in the deposit folder, showing each demande's status. */
export async function retourCopy(workbook: string, dir: string): Promise<Refreshed> {
  return refreshOne(workbook, dir, 'retour');
}
