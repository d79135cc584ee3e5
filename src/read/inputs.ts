import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'glob';

export interface InputList {
  files: string[];
  /** Files named on the command line themselves (absolute paths), not found by a folder scan or a pattern. */
  explicit: Set<string>;
  /** Inputs that matched nothing or could not be read: the input and a French message. */
  problems: { file: string; message: string }[];
}

const WORKBOOK = /\.(xlsx|xlsm)$/i;
/**
 * Spreadsheets that cannot be read (old .xls, binary .xlsb, OpenDocument .ods): a folder's are taken as
 * inputs all the same, so that each gets its message (save it as .xlsx) instead of being silently skipped.
 */
const OTHER_SPREADSHEET = /\.(xls|xlsb|ods)$/i;

function isLockFile(name: string): boolean {
  return name.startsWith('~$') || name.startsWith('.~lock');
}

/** A folder is a CSV input when it holds CSV files and no workbook. */
export function isCsvFolder(dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => /\.csv$/i.test(n)) && !names.some((n) => WORKBOOK.test(n) && !isLockFile(n));
}

/**
 * Workbooks and CSV folders under a folder, recursively, in a stable order. A sub-folder that cannot be
 * read is reported and skipped: the rest of the folder is still read.
 */
function walk(dir: string, out: string | undefined, found: string[], problems: InputList['problems']) {
  if (out && path.resolve(dir) === out) return;
  if (isCsvFolder(dir)) {
    found.push(dir);
    return;
  }
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    problems.push({ file: dir, message: `${dir} : dossier illisible (${(e as NodeJS.ErrnoException).code ?? 'erreur'}) : il est laissé de côté, le reste est traité. Vérifiez ses droits.` });
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(p, out, found, problems);
    } else if (e.isFile() && (WORKBOOK.test(e.name) || OTHER_SPREADSHEET.test(e.name)) && !isLockFile(e.name)) found.push(p);
  }
}

/**
 * Expands the inputs given on the command line: files, folders (their workbooks and CSV folders,
 * recursively) and glob patterns. The output folder is skipped when a folder is expanded, so a second run
 * does not read its own results workbooks back.
 */
export async function resolveInputs(inputs: string[], outDir?: string): Promise<InputList> {
  const files: string[] = [];
  const problems: InputList['problems'] = [];
  const explicit = new Set<string>();
  const seen = new Set<string>();
  const out = outDir ? path.resolve(outDir) : undefined;
  const add = (f: string) => {
    const abs = path.resolve(f);
    if (seen.has(abs)) return;
    seen.add(abs);
    files.push(f);
  };
  for (const input of inputs) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(input);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const found: string[] = [];
      walk(input, out, found, problems);
      if (!found.length) problems.push({ file: input, message: `${input} : aucun classeur .xlsx ni dossier de CSV dans ce dossier.` });
      found.forEach(add);
    } else if (stat?.isFile()) {
      explicit.add(path.resolve(input));
      add(input);
    } else if (stat) {
      problems.push({ file: input, message: `${input} : ni un fichier ordinaire ni un dossier (tube, périphérique…) : il n'est pas lu.` });
    } else if (/[*?[\]{}]/.test(input)) {
      const found = (await glob(input, { nodir: false, posix: true }))
        .filter((f) => !isLockFile(path.basename(f)))
        .filter((f) => (fs.statSync(f).isDirectory() ? isCsvFolder(f) : true))
        .sort();
      if (!found.length) problems.push({ file: input, message: `${input} : aucun fichier ne correspond à ce motif.` });
      found.forEach(add);
    } else {
      problems.push({ file: input, message: `${input} : fichier ou dossier introuvable.` });
    }
  }
  return { files, explicit, problems };
}
