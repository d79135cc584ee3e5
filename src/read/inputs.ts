import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'glob';

export interface InputList {
  files: string[];
  /** Inputs that matched nothing or could not be read: French messages. */
  problems: string[];
}

const WORKBOOK = /\.(xlsx|xlsm)$/i;

function isLockFile(name: string): boolean {
  return name.startsWith('~$') || name.startsWith('.~lock');
}

/**
 * Expands the inputs given on the command line: files, folders (their workbooks) and glob patterns.
 * Files inside the output folder are skipped when a folder is expanded, so a second run does not read its
 * own results workbooks back.
 */
export async function resolveInputs(inputs: string[], outDir?: string): Promise<InputList> {
  const files: string[] = [];
  const problems: string[] = [];
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
      const found = fs
        .readdirSync(input)
        .filter((n) => WORKBOOK.test(n) && !isLockFile(n))
        .sort()
        .map((n) => path.join(input, n))
        .filter((f) => !out || path.dirname(path.resolve(f)) !== out);
      if (!found.length) problems.push(`${input} : aucun classeur .xlsx dans ce dossier.`);
      found.forEach(add);
    } else if (stat?.isFile()) {
      add(input);
    } else if (/[*?[\]{}]/.test(input)) {
      const found = (await glob(input, { nodir: true })).filter((f) => !isLockFile(path.basename(f))).sort();
      if (!found.length) problems.push(`${input} : aucun fichier ne correspond à ce motif.`);
      found.forEach(add);
    } else {
      problems.push(`${input} : fichier ou dossier introuvable.`);
    }
  }
  return { files, problems };
}
