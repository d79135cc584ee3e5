/** What the server answers: the parts of the commands' reports (src/report/report.ts, retour and journal --json) the page shows. */

export type Tone = 'ok' | 'info' | 'bad';

export interface Etat {
  dossier: string;
  entrees: string[];
  aujourdhui: string;
  /** The status module's names (singular, plural) of each status code, and their tones. */
  statuts: Record<string, [string, string]>;
  tons: Record<string, Tone>;
  fichiers: DepositFile[];
}

export interface DepositFile {
  nom: string;
  octets: number;
  modifie: string;
}

export interface IssueRow {
  file: string;
  sheet?: string;
  row?: number;
  column?: string;
  field?: string;
  demande: string | null;
  code: string;
  severity: 'erreur' | 'avertissement';
  message: string;
  affects?: number;
}

export interface DemandeRow {
  file: string;
  numeroEditeur: string;
  sheet: string;
  row: number;
  status: string;
  statusLabel: string;
  needsAction: boolean;
  jsonFile: string | null;
  numeroASP: string | null;
  errors: string[];
  warnings: string[];
}

export interface Report {
  command: 'convert' | 'validate';
  date: string;
  outDir: string;
  journal: { file: string; found: boolean };
  pjChecked: boolean;
  totals: { workbooks: number; demandes: number; errors: number; warnings: number; jsonFiles: number; needsAction: number; statuses: Record<string, number> };
  workbooks: { file: string; kind: string; numeroAns: string | null; results: string | null; demandes: number; statuses: Record<string, number> }[];
  skipped: { file: string; message: string }[];
  failures: { file: string; message: string }[];
  jsonFiles: { file: string; path: string; kind: string; numeroAns: string; lines: number; bytes: number; demandes: string[]; portalValues: string[]; zip: { file: string; bytes: number } | null }[];
  demandes: DemandeRow[];
  issues: IssueRow[];
}

export interface ConvertAnswer {
  exitCode: number;
  report: Report;
  texte: string;
}

export interface RetourAnswer {
  exitCode: number;
  journal: string;
  workbooks: string[];
  lines: { file: string; numLigne: number | null; numeroEditeur: string; kind: string; statut: 'acceptee' | 'rejetee' | 'non-rapprochee'; numeroASP: string | null; message: string }[];
  failures: { file: string; message: string }[];
}

export interface JournalAnswer {
  journal: string;
  absent: boolean;
  entries: { kind: string; numeroAns: string; numeroEditeur: string; numeroASP: string | null; file: string; numLigne: number; date: string; status: string; statusLabel: string }[];
}

export interface LinesAnswer {
  exitCode: number;
  lignes: string[];
  classeurs?: string[];
}
