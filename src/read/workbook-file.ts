import fs from 'node:fs';
import { UserError } from '../util/errors.js';

/**
 * The bytes of a workbook named by its path, read from disk (the CLI's edge); `tooBig` gives the message of
 * a file over `max` bytes, which is not read. workbook-file.browser.ts stands in the page, which has no paths.
 */
export function readWorkbookFile(file: string, max: number, tooBig: (size: number) => string): Buffer {
  try {
    const size = fs.statSync(file).size;
    if (size > max) throw new UserError(tooBig(size));
    return fs.readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file} : fichier introuvable ou illisible (${(e as NodeJS.ErrnoException).code ?? 'erreur'}).`);
  }
}
