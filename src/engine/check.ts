import path from 'node:path';
import type { Mapping } from '../mapping/load.js';
import { detectKind, infoOfPackage, mappingOf } from '../mapping/detect.js';
import type { XlsxPackage } from '../read/package.js';
import { validatePackage } from '../rules/validate.js';
import { crossChecks } from '../rules/cross.js';
import { markOf, sourceName } from '../annotate/mark.js';
import type { FileFailure, SkippedFile } from '../report/report.js';
import { UserError } from '../util/errors.js';
import type { Loaded } from './decide.js';

/** An input opened: its name, its package, whether it was a folder of CSV files. */
export interface Opened {
  file: string;
  pkg: XlsxPackage;
  csv: boolean;
}

/** How far the reading is, for a progress bar: so many more bytes of sheet XML read (see readingSize). */
export type Tick = (bytes: number) => void;

/** What reading the workbooks goes through, in bytes of sheet XML: the whole of a progress bar. */
export function readingSize(opened: Opened[]): number {
  return opened.reduce((n, o) => n + workbookSize(o), 0);
}

const workbookSize = (o: Opened) => Math.max(1, o.pkg.sheetBytes());

/**
 * The first half of a conversion: each opened workbook read and checked (its kind detected unless a
 * mapping is forced), then the checks across workbooks. A workbook that cannot be used goes to failures,
 * with its French message; the others go on.
 */
export async function checkWorkbooks(opened: Opened[], forced: Mapping | undefined, depositDate: string, failures: FileFailure[], tick: Tick = () => {}): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const o of opened) {
    // Each workbook counts its size, window by window as its sheets are read, the rest once it is done.
    const size = workbookSize(o);
    let told = 0;
    o.pkg.onRead = (bytes) => {
      const step = Math.min(bytes, size - told);
      told += step;
      if (step > 0) tick(step);
    };
    try {
      const l = await checkInput(o.file, o, forced, depositDate, failures);
      if (l) loaded.push(l);
    } catch (e) {
      failures.push({ file: o.file, message: e instanceof UserError ? e.message : `${o.file} : erreur inattendue (${(e as Error).message}).` });
    }
    o.pkg.onRead = undefined;
    tick(size - told);
  }
  crossChecks(loaded.map((l) => l.result));
  return loaded;
}

/** Reads and checks one opened input; a fault that stops it goes to failures. */
async function checkInput(file: string, opened: { pkg: XlsxPackage; csv: boolean }, forced: Mapping | undefined, depositDate: string, failures: FileFailure[]): Promise<Loaded | undefined> {
  const { pkg, csv } = opened;
  const kind = forced ? undefined : detectKind(await infoOfPackage(pkg));
  const mapping = forced ?? (kind ? mappingOf(kind) : undefined);
  if (!mapping) {
    failures.push({
      file,
      message: `${file} : type de classeur inconnu (ni avance ni solde) : il n'a ni la marque d'un modèle xlsx2segur, ni une feuille « Commandes » ou « Factures ». Partez d'un modèle (xlsx2segur template avance|solde) ou indiquez --mapping.`,
    });
    return undefined;
  }
  const result = await validatePackage(pkg, file, mapping, { depositDate, csv });
  if (result.fatal) {
    failures.push({ file, message: result.fatal });
    return undefined;
  }
  const mark = markOf(pkg);
  result.source = sourceName(file, mark);
  return { pkg, result, mark };
}

/**
 * Of the inputs opened: a results workbook or retour copy of ours that a folder scan met beside the workbook
 * it was made from is skipped, with a line saying so: the workbook is read in its place. Named on the
 * command line, it is read (that is how corrections come back).
 */
export function skipOwnOutputs(opened: Opened[], files: string[], explicit: Set<string>) {
  const read = new Set(files.map((f) => path.resolve(f)));
  const skipped: SkippedFile[] = [];
  const kept = opened.filter(({ file, pkg }) => {
    const mark = markOf(pkg);
    if (!mark || explicit.has(path.resolve(file))) return true;
    const source = path.resolve(path.dirname(file), mark.source);
    if (!read.has(source) || source === path.resolve(file)) return true;
    const what = mark.output === 'resultats' ? 'classeur de résultats' : 'copie « retour »';
    skipped.push({ file, message: `${file} non lu : c'est un ${what} de xlsx2segur, fait de ${mark.source}, qui est lu à sa place.` });
    return false;
  });
  return { opened: kept, skipped };
}
