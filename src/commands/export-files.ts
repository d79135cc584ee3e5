import type { PlannedFile, WrittenFile } from '../emit/files.js';
import { buildZip } from '../pj/zip.js';
import { insideFolder, writeFileAtomic, writeFileAtomicNew } from '../util/fs.js';
import { UserError } from '../util/errors.js';

/**
 * Writes one planned JSON file into the deposit folder, and beside it the .zip of its PJ (convert --pj).
 * Never replaces an existing file. The file, as the decision described it, is added to `written` as soon as
 * it is on disk, so that a run failing midway knows what it wrote (export-fault.ts removes them).
 */
export async function writePlanned(dir: string, planned: PlannedFile, file: WrittenFile, text: string, written: WrittenFile[]): Promise<void> {
  const target = insideFolder(dir, planned.name);
  if (!writeFileAtomicNew(target, text)) {
    throw new UserError(`${target} : un fichier de ce nom est apparu dans le dossier pendant la conversion ; il n'est pas remplacé. Relancez la conversion.`);
  }
  written.push(file);
  if (file.zip) {
    const bytes = await buildZip(planned.pj);
    writeFileAtomic(insideFolder(dir, file.zip.name), bytes);
    file.zip.bytes = bytes.length;
  }
}
