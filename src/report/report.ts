import path from 'node:path';
import type { WorkbookResult } from '../rules/validate.js';
import type { WrittenFile } from '../emit/files.js';
import { describePlace, type Issue } from '../rules/issues.js';
import pc from 'picocolors';
import { frenchDate } from '../util/dates.js';

type Colors = ReturnType<typeof pc.createColors>;

export interface FileFailure {
  file: string;
  message: string;
}

/** The machine-readable report (--json). Keys are stable; messages are in French. */
export interface Report {
  command: 'convert' | 'validate';
  date: string;
  outDir: string;
  /** Whether the PJ were checked on disk (--pj). */
  pjChecked: boolean;
  totals: { workbooks: number; failedWorkbooks: number; demandes: number; accepted: number; rejected: number; errors: number; warnings: number; jsonFiles: number };
  workbooks: {
    file: string;
    kind: string;
    numeroAns: string | null;
    results: string | null;
    demandes: number;
    accepted: number;
    rejected: number;
  }[];
  failures: FileFailure[];
  jsonFiles: { file: string; path: string; kind: string; numeroAns: string; lines: number; bytes: number; demandes: string[]; portalValues: string[]; zip: { file: string; bytes: number } | null }[];
  demandes: {
    file: string;
    numeroEditeur: string;
    sheet: string;
    row: number;
    status: 'acceptee' | 'rejetee';
    jsonFile: string | null;
    numLigne: number | null;
  }[];
  issues: (Omit<Issue, 'demande'> & { demande: string | null })[];
}

export function buildReport(a: {
  command: 'convert' | 'validate';
  date: string;
  outDir: string;
  results: WorkbookResult[];
  resultFiles: Map<string, string>;
  written: WrittenFile[];
  failures: FileFailure[];
  pjChecked?: boolean;
}): Report {
  const demandes = a.results.flatMap((r) => r.demandes.map((d) => ({ r, d })));
  const issues = a.results.flatMap((r) => r.issues);
  return {
    command: a.command,
    date: a.date,
    outDir: a.outDir,
    pjChecked: Boolean(a.pjChecked),
    totals: {
      workbooks: a.results.length + a.failures.filter((f) => f.file).length,
      failedWorkbooks: a.failures.length,
      demandes: demandes.length,
      accepted: demandes.filter((x) => x.d.status === 'acceptee').length,
      rejected: demandes.filter((x) => x.d.status === 'rejetee').length,
      errors: issues.filter((i) => i.severity === 'erreur').length,
      warnings: issues.filter((i) => i.severity === 'avertissement').length,
      jsonFiles: a.written.length,
    },
    workbooks: a.results.map((r) => ({
      file: r.file,
      kind: r.mapping.kind,
      numeroAns: r.numeroAns ?? null,
      results: a.resultFiles.get(r.file) ?? null,
      demandes: r.demandes.length,
      accepted: r.demandes.filter((d) => d.status === 'acceptee').length,
      rejected: r.demandes.filter((d) => d.status === 'rejetee').length,
    })),
    failures: a.failures,
    jsonFiles: a.written.map((f) => ({ file: f.name, path: f.path, kind: f.kind, numeroAns: f.numeroAns, lines: f.lines, bytes: f.bytes, demandes: f.demandes, portalValues: f.portalValues, zip: f.zip ? { file: f.zip.name, bytes: f.zip.bytes } : null })),
    demandes: demandes.map(({ r, d }) => ({
      file: r.file,
      numeroEditeur: d.key,
      sheet: d.main.sheet,
      row: d.main.row,
      status: d.status,
      jsonFile: d.output?.file ?? null,
      numLigne: d.output?.numLigne ?? null,
    })),
    issues: issues.map((i) => ({ ...i, demande: i.demande ?? null })),
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
const MAX_LISTED = 30;

/** The French summary printed after a run. */
export function printSummary(r: Report, c: Colors = pc.createColors(false)): string {
  const lines: string[] = [];
  const d = r.date;
  lines.push(c.bold(`xlsx2segur ${r.command === 'convert' ? 'convert' : 'validate'} — date de dépôt ${frenchDate(d)}`));
  for (const w of r.workbooks) {
    lines.push(
      `• ${w.file} (${w.kind}) : ${plural(w.demandes, 'demande lue', 'demandes lues')}, ${plural(w.accepted, r.command === 'convert' ? 'acceptée' : 'valide', r.command === 'convert' ? 'acceptées' : 'valides')}, ${plural(w.rejected, 'rejetée', 'rejetées')}` +
        (w.results ? ` — résultats : ${w.results}` : ''),
    );
  }
  for (const f of r.failures) lines.push(c.red(`✗ ${f.message}`));
  const list = (severity: Issue['severity'], title: string, mark: string) => {
    const found = r.issues.filter((i) => i.severity === severity);
    if (!found.length) return;
    lines.push('', title);
    for (const i of found.slice(0, MAX_LISTED)) {
      lines.push(`  ${mark} ${path.basename(i.file)}, ${describePlace(i)}${i.demande ? ` (demande ${i.demande})` : ''} : ${i.message}`);
    }
    if (found.length > MAX_LISTED) lines.push(`  … et ${found.length - MAX_LISTED} autres : voir le classeur de résultats.`);
  };
  list('erreur', c.bold(c.red('Erreurs :')), c.red('✗'));
  list('avertissement', c.bold(c.yellow('Avertissements (la demande reste acceptée) :')), c.yellow('⚠'));
  lines.push('');
  if (r.command === 'convert') {
    if (r.jsonFiles.length) {
      lines.push('Fichiers JSON écrits (à déposer sur le portail de l\'ASP, en indiquant le type de demande et le numéro ANS) :');
      for (const f of r.jsonFiles) {
        lines.push(
          `  ${f.path} — ${plural(f.lines, 'ligne', 'lignes')}, type « ${f.kind} », numéro ANS ${f.numeroAns}` +
            (f.portalValues.length ? `, dossier(s) ASP ${f.portalValues.join(', ')}` : '') +
            (f.zip ? ` ; pièces : ${f.zip.file} (${f.zip.bytes.toLocaleString('fr-FR')} octets)` : ''),
        );
      }
    } else lines.push('Aucun fichier JSON écrit.');
    if (!r.pjChecked) lines.push('Pièces justificatives non vérifiées et aucun .zip construit (--pj DOSSIER pour les vérifier et construire les .zip).');
  }
  const t = r.totals;
  lines.push(
    `Total : ${plural(t.demandes, 'demande lue', 'demandes lues')}, ${plural(t.accepted, r.command === 'convert' ? 'acceptée' : 'valide', r.command === 'convert' ? 'acceptées' : 'valides')}, ${plural(t.rejected, 'rejetée', 'rejetées')}, ${plural(t.warnings, 'avertissement', 'avertissements')}` +
      (r.command === 'convert' ? `, ${plural(t.jsonFiles, 'fichier JSON écrit', 'fichiers JSON écrits')}` : '') +
      (t.failedWorkbooks ? `, ${plural(t.failedWorkbooks, 'fichier en échec', 'fichiers en échec')}` : '') +
      '.',
  );
  return lines.join('\n') + '\n';
}
