import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Journal, readLine, type JournalEntry } from '../journal/journal.js';
import { UserError } from '../util/errors.js';
import { fold } from '../read/sheet.js';
import { plural } from '../status/status.js';
import { refreshLiving, retourCopy } from './refresh.js';
import { withDepositLock } from '../util/lock.js';

/** One line of a file the portal gives back: the deposited line with the ASP's answer filled in. */
const returnLineSchema = z.looseObject({
  numLigne: z.union([z.number(), z.string()]).optional(),
  numeroEditeur: z.union([z.string(), z.number()]),
  numeroASP: z.string().nullable().optional(),
  codeTraitement: z.union([z.string(), z.number()]).nullable().optional(),
  libelleTraitement: z.string().nullable().optional(),
});
const returnFileSchema = z.looseObject({
  impId: z.union([z.string(), z.number()]).nullable().optional(),
  numeroAns: z.string(),
  lignesImport: z.array(z.unknown()),
});

export interface RetourLineOutcome {
  file: string;
  numLigne: number | null;
  numeroEditeur: string;
  kind: 'avance' | 'solde';
  statut: 'acceptee' | 'rejetee' | 'non-rapprochee';
  numeroASP: string | null;
  libelle: string | null;
  message: string;
}

/**
 * The portal answers « Demande acceptée » or the label of the error: the label must begin with it (in any
 * case, with or without accents), so an error label that merely mentions an accepted demande is not taken
 * for an acceptance.
 */
export function isAcceptedLabel(label: string | null | undefined): boolean {
  return Boolean(label && fold(label).startsWith('demande acceptee'));
}

/** Reads the ASP's return files, records each line's outcome in the journal: with the deposit folder locked. */
export function runRetour(opts: Parameters<typeof recordReturns>[0]): Promise<number> {
  return withDepositLock(opts.outDir, 'retour', () => recordReturns(opts));
}

async function recordReturns(opts: { files: string[]; outDir: string; workbook?: string; json?: boolean; stdout?: (t: string) => void }): Promise<number> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const journal = Journal.load(opts.outDir);
  if (!journal.entries.length) {
    throw new UserError(`Aucun journal dans ${opts.outDir} : les réponses de l'ASP se rapprochent de ce que convert a exporté dans ce dossier (indiquez-le avec -o).`);
  }
  const outcomes: RetourLineOutcome[] = [];
  const failures: { file: string; message: string }[] = [];
  const touched: JournalEntry[] = [];
  for (const file of opts.files) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      failures.push({ file, message: `${file} : fichier de retour illisible ou JSON invalide (${(e as Error).message}).` });
      continue;
    }
    const parsed = returnFileSchema.safeParse(json);
    if (!parsed.success) {
      failures.push({ file, message: `${file} : ce n'est pas un fichier de retour de l'ASP (attendu : numeroAns et lignesImport).` });
      continue;
    }
    const impId = parsed.data.impId === null || parsed.data.impId === undefined ? null : String(parsed.data.impId);
    const ans = parsed.data.numeroAns;
    parsed.data.lignesImport.forEach((raw, index) => {
      const l = returnLineSchema.safeParse(raw);
      if (!l.success) {
        failures.push({ file, message: `${file} : ligne ${index + 1} illisible (numeroEditeur attendu).` });
        return;
      }
      const line = raw as Record<string, unknown>;
      const { kind, amount, finess } = readLine(line);
      const num = String(l.data.numeroEditeur).padStart(5, '0');
      const numLigne = l.data.numLigne === undefined ? null : Number(l.data.numLigne);
      const base = { file: path.basename(file), numLigne, numeroEditeur: num, kind };
      const candidates = journal.find(kind, ans, num);
      const entry: JournalEntry | undefined =
        candidates.filter((e) => e.numLigne === numLigne && !e.asp).pop() ??
        candidates.filter((e) => !e.asp).pop() ??
        candidates.filter((e) => e.numLigne === numLigne).pop() ??
        candidates[candidates.length - 1];
      if (!entry) {
        outcomes.push({ ...base, statut: 'non-rapprochee', numeroASP: null, libelle: null, message: `demande ${kind} ${num} du numéro ANS ${ans} jamais exportée d'ici : ligne non prise en compte.` });
        return;
      }
      // A return must describe what was exported: the amount and the FINESS.
      const diffs: string[] = [];
      if (amount !== undefined && amount !== entry.montant) diffs.push(`montant ${amount} au lieu de ${entry.montant}`);
      if (finess && [...finess].sort().join(',') !== [...entry.finess].sort().join(',')) diffs.push(`FINESS ${finess.join(', ')} au lieu de ${entry.finess.join(', ')}`);
      if (diffs.length) {
        outcomes.push({ ...base, statut: 'non-rapprochee', numeroASP: null, libelle: null, message: `demande ${num} : le retour ne correspond pas à ce qui a été exporté (${diffs.join(' ; ')}) : ligne non prise en compte.` });
        return;
      }
      const libelle = l.data.libelleTraitement?.trim() ? l.data.libelleTraitement : null;
      const numeroASP = l.data.numeroASP && l.data.numeroASP.trim() ? l.data.numeroASP.trim() : null;
      const codeTraitement = l.data.codeTraitement === null || l.data.codeTraitement === undefined || String(l.data.codeTraitement).trim() === '' ? null : String(l.data.codeTraitement);
      // A line the ASP has not answered (the deposited file itself, say) says nothing: recording it as
      // rejected would have the demande resubmitted.
      if (libelle === null && codeTraitement === null && !(kind === 'avance' && numeroASP)) {
        outcomes.push({ ...base, statut: 'non-rapprochee', numeroASP: null, libelle: null, message: `demande ${num} : aucune réponse de l'ASP sur cette ligne (codeTraitement et libelleTraitement vides${kind === 'avance' ? ', pas de numeroASP' : ''}) : ligne non prise en compte. Est-ce bien le fichier rendu par le portail ?` });
        return;
      }
      const accepted = isAcceptedLabel(libelle) || (kind === 'avance' && numeroASP !== null);
      entry.asp = {
        statut: accepted ? 'acceptee' : 'rejetee',
        libelle,
        codeTraitement,
        impId,
        fichierRetour: path.basename(file),
      };
      if (kind === 'avance' && numeroASP) entry.numeroASP = numeroASP;
      touched.push(entry);
      outcomes.push({
        ...base,
        statut: entry.asp.statut,
        numeroASP: entry.numeroASP,
        libelle,
        message: accepted ? `demande ${num} acceptée${entry.numeroASP ? `, dossier ${entry.numeroASP}` : ''}.` : `demande ${num} rejetée : ${libelle ?? 'sans libellé'}.`,
      });
    });
  }
  journal.save();
  const refreshed = await refreshLiving(opts.outDir, journal, touched);
  const copy = opts.workbook ? await retourCopy(opts.workbook, opts.outDir) : undefined;
  for (const r of [...refreshed, ...(copy ? [copy] : [])]) if (!r.ok) failures.push({ file: r.file, message: r.message });
  const unmatched = outcomes.filter((o) => o.statut === 'non-rapprochee');
  if (opts.json) {
    out(JSON.stringify({ journal: journal.file, workbook: copy?.ok ? copy.file : null, workbooks: refreshed.filter((r) => r.ok).map((r) => r.file), lines: outcomes, failures }, null, 2) + '\n');
  } else {
    out(`xlsx2segur retour — journal ${journal.file}\n`);
    for (const o of outcomes) out(`  ${o.statut === 'acceptee' ? '✓' : o.statut === 'rejetee' ? '✗' : '?'} ${o.file}, ligne ${o.numLigne ?? '?'} (${o.kind}) : ${o.message}\n`);
    for (const f of failures) out(`✗ ${f.message}\n`);
    const acc = outcomes.filter((o) => o.statut === 'acceptee').length;
    const rej = outcomes.filter((o) => o.statut === 'rejetee').length;
    out(
      `Total : ${plural(acc, ['ligne acceptée', 'lignes acceptées'])}, ${plural(rej, ['rejetée', 'rejetées'])}, ${plural(unmatched.length, ['non rapprochée', 'non rapprochées'])}` +
        (failures.length ? `, ${plural(failures.length, ['fichier en échec', 'fichiers en échec'])}` : '') +
        '.\n',
    );
    for (const r of refreshed.filter((x) => x.ok)) out(`Classeur de résultats mis à jour : ${r.message}\n`);
    if (copy?.ok) out(`Copie du classeur avec les réponses de l'ASP : ${copy.message}\n`);
  }
  return failures.length ? 2 : unmatched.length ? 1 : 0;
}
