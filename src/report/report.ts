import path from 'node:path';
import type { WorkbookResult } from '../rules/validate.js';
import type { WrittenFile } from '../emit/files.js';
import { describePlace, listed, type Issue } from '../issues/issues.js';
import type { Demande } from '../join/model.js';
import { countStatuses, describeCounts, plural, statusOf, type StatusCode, type StatusCounts } from '../status/status.js';
import pc from 'picocolors';
import { frenchDate } from '../util/dates.js';

type Colors = ReturnType<typeof pc.createColors>;

export interface FileFailure {
  file: string;
  message: string;
}

/** A file a folder scan met and did not read: one of our outputs, beside the workbook it was made from. */
export interface SkippedFile {
  file: string;
  message: string;
}

type DemandeLine = {
  file: string;
  numeroEditeur: string;
  sheet: string;
  row: number;
  /** Its status (status/status.ts) and that status in French, as the Statut column shows it. */
  status: StatusCode;
  statusLabel: string;
  needsAction: boolean;
  /** Where it was written (by this run or an earlier one), and on which day. */
  jsonFile: string | null;
  numLigne: number | null;
  date: string | null;
  numeroASP: string | null;
  libelleASP: string | null;
  /** Its number in the workbook when it went (or goes) under another one. */
  renumberedFrom: string | null;
  /** Codes of its errors and warnings, a fault of the header sheet that blocks it included. */
  errors: string[];
  warnings: string[];
};

/** The machine-readable report (--json). Keys are stable; messages are in French. */
export interface Report {
  command: 'convert' | 'validate';
  date: string;
  outDir: string;
  /** The deposit folder's journal: its path, and whether there was one before this run. */
  journal: { file: string; found: boolean };
  /** Whether the PJ were checked on disk (--pj). */
  pjChecked: boolean;
  totals: {
    workbooks: number;
    failedWorkbooks: number;
    demandes: number;
    /** Demandes by status. */
    statuses: StatusCounts;
    /** Demandes the user has something to do for (rejected by our checks or by the ASP). */
    needsAction: number;
    errors: number;
    warnings: number;
    jsonFiles: number;
  };
  workbooks: { file: string; kind: string; numeroAns: string | null; results: string | null; demandes: number; statuses: StatusCounts }[];
  skipped: SkippedFile[];
  failures: FileFailure[];
  jsonFiles: { file: string; path: string; kind: string; numeroAns: string; lines: number; bytes: number; demandes: string[]; portalValues: string[]; zip: { file: string; bytes: number } | null }[];
  demandes: DemandeLine[];
  /** Every problem once, in sheet then row order (a fault of the header sheet with the number of demandes it affects). */
  issues: (Omit<Issue, 'demande' | 'reference'> & { demande: string | null })[];
}

export interface ReportInput {
  command: 'convert' | 'validate';
  date: string;
  outDir: string;
  journal: { file: string; found: boolean };
  results: WorkbookResult[];
  resultFiles: Map<string, string>;
  written: WrittenFile[];
  skipped: SkippedFile[];
  failures: FileFailure[];
  pjChecked?: boolean;
}

function demandeLine(r: WorkbookResult, d: Demande): DemandeLine {
  const s = statusOf(d, r.mapping.kind);
  return {
    file: r.file,
    numeroEditeur: d.key,
    sheet: d.main.sheet,
    row: d.main.row,
    status: s.code,
    statusLabel: s.label,
    needsAction: s.needsAction,
    jsonFile: s.file,
    numLigne: s.numLigne,
    date: s.date,
    numeroASP: s.numeroASP,
    libelleASP: s.libelle,
    renumberedFrom: d.renumbered?.from ?? null,
    errors: d.issues.filter((i) => i.severity === 'erreur').map((i) => i.code),
    warnings: d.issues.filter((i) => i.severity === 'avertissement').map((i) => i.code),
  };
}

export function buildReport(a: ReportInput): Report {
  const demandes = a.results.flatMap((r) => r.demandes.map((d) => demandeLine(r, d)));
  const issues = a.results.flatMap((r) => listed(r.issues));
  const statusesOf = (list: DemandeLine[]) => countStatuses(list.map((d) => ({ code: d.status })));
  return {
    command: a.command,
    date: a.date,
    outDir: a.outDir,
    journal: a.journal,
    pjChecked: Boolean(a.pjChecked),
    totals: {
      workbooks: a.results.length + a.failures.filter((f) => f.file).length,
      failedWorkbooks: a.failures.length,
      demandes: demandes.length,
      statuses: statusesOf(demandes),
      needsAction: demandes.filter((d) => d.needsAction).length,
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
      statuses: statusesOf(demandes.filter((d) => d.file === r.file)),
    })),
    skipped: a.skipped,
    failures: a.failures,
    jsonFiles: a.written.map((f) => ({ file: f.name, path: f.path, kind: f.kind, numeroAns: f.numeroAns, lines: f.lines, bytes: f.bytes, demandes: f.demandes, portalValues: f.portalValues, zip: f.zip ? { file: f.zip.name, bytes: f.zip.bytes } : null })),
    demandes,
    issues: issues.map(({ reference: _, ...i }) => ({ ...i, demande: i.demande ?? null })),
  };
}

const MAX_LISTED = 30;

function issueLines(r: Report, c: Colors): string[] {
  const lines: string[] = [];
  const list = (severity: Issue['severity'], title: string, mark: string) => {
    const found = r.issues.filter((i) => i.severity === severity);
    if (!found.length) return;
    lines.push('', title);
    for (const i of found.slice(0, MAX_LISTED)) {
      const affects = i.affects ? ` (${plural(i.affects, ['demande concernée', 'demandes concernées'])})` : '';
      lines.push(`  ${mark} ${path.basename(i.file)}, ${describePlace(i)}${i.demande ? ` (demande ${i.demande})` : ''} : ${i.message}${affects}`);
    }
    if (found.length > MAX_LISTED) lines.push(`  … et ${found.length - MAX_LISTED} autres : voir le classeur de résultats.`);
  };
  list('erreur', c.bold(c.red('Erreurs :')), c.red('✗'));
  list('avertissement', c.bold(c.yellow('Avertissements (ils ne rejettent pas la demande) :')), c.yellow('⚠'));
  return lines;
}

function jsonLines(r: Report): string[] {
  if (!r.jsonFiles.length) {
    const already = r.totals.demandes - r.totals.statuses.exportee - r.totals.statuses.valide - r.totals.statuses.rejetee;
    return [already > 0 ? `Aucun fichier JSON écrit : rien de nouveau à exporter (${plural(already, ['demande est', 'demandes sont'])} déjà dans le journal ${r.journal.file}).` : 'Aucun fichier JSON écrit.'];
  }
  const lines = ['Fichiers JSON écrits (à déposer sur le portail de l\'ASP, en indiquant le type de demande et le numéro ANS) :'];
  for (const f of r.jsonFiles) {
    lines.push(
      `  ${f.path} — ${plural(f.lines, ['ligne', 'lignes'])}, type « ${f.kind} », numéro ANS ${f.numeroAns}` +
        (f.portalValues.length ? `, ${f.portalValues.length > 1 ? 'dossiers ASP' : 'dossier ASP'} ${f.portalValues.join(', ')}` : '') +
        (f.zip ? ` ; pièces : ${f.zip.file} (${f.zip.bytes.toLocaleString('fr-FR')} octets)` : ''),
    );
  }
  return lines;
}

/** The French summary printed after a run. */
export function printSummary(r: Report, c: Colors = pc.createColors(false)): string {
  const lines: string[] = [];
  lines.push(c.bold(`xlsx2segur ${r.command} — date de dépôt ${frenchDate(r.date)}`));
  if (!r.journal.found) lines.push(`Aucun journal dans ${r.outDir} : les demandes ne sont pas comparées à un dépôt précédent.`);
  for (const s of r.skipped) lines.push(`• ${s.message}`);
  for (const w of r.workbooks) lines.push(`• ${w.file} (${w.kind}) : ${describeCounts(w.statuses, r.command)}` + (w.results ? ` — résultats : ${w.results}` : ''));
  for (const f of r.failures) lines.push(c.red(`✗ ${f.message}`));
  lines.push(...issueLines(r, c), '');
  if (r.command === 'convert') {
    lines.push(...jsonLines(r));
    if (!r.pjChecked) lines.push('Pièces justificatives non vérifiées et aucun .zip construit (--pj DOSSIER pour les vérifier et construire les .zip).');
  }
  const t = r.totals;
  lines.push(
    `Total : ${describeCounts(t.statuses, r.command)} ; ${plural(t.warnings, ['avertissement', 'avertissements'])}` +
      (r.command === 'convert' ? `, ${plural(t.jsonFiles, ['fichier JSON écrit', 'fichiers JSON écrits'])}` : '') +
      (t.failedWorkbooks ? `, ${plural(t.failedWorkbooks, ['fichier en échec', 'fichiers en échec'])}` : '') +
      '.',
  );
  return lines.join('\n') + '\n';
}
