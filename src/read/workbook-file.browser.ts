import { UserError } from '../util/errors.js';

/** The page has no paths: every workbook reaches it as bytes; workbook-file.ts reads them from disk. */
export function readWorkbookFile(file: string): never {
  throw new UserError(`${file} : la page ne lit pas de fichier par son chemin ; déposez le classeur dans la page.`);
}
