import fs from 'node:fs';
import path from 'node:path';
import { loadMapping, mappingPathFor } from '../mapping/load.js';
import { buildTemplate } from '../template/template.js';
import { examples } from '../template/example.js';
import { workbookBytes } from '../util/xlsx-write.js';
import { writeFileAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';

export const KINDS = ['avance', 'solde'] as const;

export async function runTemplate(opts: { kind: string; out?: string; mapping?: string; stdout?: (t: string) => void }): Promise<string> {
  if (!(KINDS as readonly string[]).includes(opts.kind)) {
    throw new UserError(`Type de modèle « ${opts.kind} » inconnu : attendu ${KINDS.join(' ou ')}.`);
  }
  const mapping = loadMapping(opts.mapping ?? mappingPathFor(opts.kind));
  const target = opts.out ?? `${mapping.id}.xlsx`;
  const wb = buildTemplate(mapping, examples[mapping.kind]);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  writeFileAtomic(target, await workbookBytes(wb));
  (opts.stdout ?? ((t) => process.stdout.write(t)))(`Modèle « ${mapping.title} » écrit : ${target}\n`);
  return target;
}
