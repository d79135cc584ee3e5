import type { PlannedFile, WrittenFile } from '../emit/files.js';
import { buildZip } from '../pj/zip.js';
import { insideFolder, writeFileAtomic, writeFileAtomicNew } from '../util/fs.js';
import { UserError } from '../util/errors.js';

/**
 * Writes the planned JSON files into the deposit folder, and beside each the .zip of its PJ (convert --pj).
 * Never replaces an existing file. Each file is added to `written` as soon as it is on disk, so that a run
 * failing midway knows what it wrote (export-fault.ts removes them).
 */
export async function writePlanned(dir: string, planned: PlannedFile[], written: WrittenFile[], withZip: boolean): Promise<void> {
  for (const p of planned) {
    const target = insideFolder(dir, p.name);
    if (!writeFileAtomicNew(target, p.text)) {
      throw new UserError(`${target} : un fichier de ce nom est apparu dans le dossier pendant la conversion ; il n'est pas remplacé. Relancez la conversion.`);
    }
    const file: WrittenFile = {
      name: p.name,
      path: target,
      kind: p.kind,
      numeroAns: p.numeroAns,
      sequence: p.sequence,
      lines: p.lines,
      bytes: p.bytes,
      demandes: p.demandes,
      portalValues: p.portalValues,
    };
    written.push(file);
    if (withZip) {
      const bytes = await buildZip(p.pj);
      const zipName = p.name.replace(/\.json$/i, '.zip');
      file.zip = { name: zipName, bytes: 0 };
      writeFileAtomic(insideFolder(dir, zipName), bytes);
      file.zip.bytes = bytes.length;
    }
  }
}
