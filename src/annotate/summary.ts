import type { WorkbookResult } from '../rules/validate.js';
import type { WrittenFile } from '../emit/files.js';
import { columnLetter, listed, type Issue } from '../issues/issues.js';
import { encodeXml } from '../read/xml.js';
import { countStatuses, statusOf, STATUS_CODES, STATUS_NAMES, type StatusCode } from '../status/status.js';
import { frenchDate } from '../util/dates.js';
import type { StyleBook } from './styles.js';
import { BLUE, GREEN, ORANGE, RED } from './plan.js';

export interface SummaryOptions {
  /** No JSON written (validate, or a workbook brought up to date by retour or journal). */
  dryRun: boolean;
  /** The JSON files written from this workbook. */
  files: WrittenFile[];
  /** Day of deposit, AAAAMMJJ. */
  date: string;
  /** The workbook's name, as the vendor knows it. */
  source: string;
}

/** Column widths of the Synthèse, in characters: texts are wrapped to them and rows sized to fit. */
const WIDTHS = [36, 26, 22, 80, 24, 16, 34, 16];
/** Problems listed at most (the sheets carry every one of them). */
const MAX_PROBLEMS = 2000;

type Cell = string | number;
interface Row {
  cells: Cell[];
  style?: 'title' | 'head' | 'text';
  /** Fill of the first cell. */
  fill?: string;
}

const STATUS_FILLS: Partial<Record<StatusCode, string>> = { rejetee: RED, rejetee_asp: RED, refusee: RED, deja_exportee: BLUE, exportee: GREEN, payee: GREEN, acceptee_asp: GREEN, valide: GREEN };

function counts(result: WorkbookResult, opts: SummaryOptions): Row[] {
  const kind = result.mapping.kind;
  const c = countStatuses(result.demandes.map((d) => statusOf(d, kind)));
  const issues = listed(result.issues);
  const warnings = issues.filter((i) => i.severity === 'avertissement').length;
  const rows: Row[] = [
    { cells: [`Résultats xlsx2segur : ${result.mapping.title}`], style: 'title' },
    { cells: ['Classeur', opts.source] },
    { cells: ['Numéro ANS', result.numeroAns ?? ''] },
    { cells: ['Date de dépôt', frenchDate(opts.date)] },
    { cells: ['Demandes lues', result.demandes.length] },
  ];
  const shown = STATUS_CODES.filter((s) => c[s] > 0 || s === 'rejetee' || s === (opts.dryRun ? 'valide' : 'exportee'));
  for (const s of shown) rows.push({ cells: [`Demandes ${STATUS_NAMES[s][1]}${s === 'exportee' ? ' par cette conversion' : ''}`, c[s]], fill: c[s] ? STATUS_FILLS[s] : undefined });
  rows.push({ cells: ['Erreurs', issues.length - warnings], fill: issues.length - warnings ? RED : undefined });
  rows.push({ cells: ['Avertissements', warnings], fill: warnings ? ORANGE : undefined });
  return rows;
}

function jsonFiles(result: WorkbookResult, opts: SummaryOptions): Row[] {
  const rows: Row[] = [{ cells: [] }, { cells: ['Fichiers JSON à déposer sur le portail'], style: 'title' }];
  if (opts.dryRun) return [...rows, { cells: ['Aucun fichier JSON écrit par cette commande (validation ou mise à jour du classeur).'] }];
  if (!opts.files.length) return [...rows, { cells: ['Aucun fichier JSON écrit par cette conversion.'] }];
  const portal = result.mapping.output.portalField;
  const withZip = opts.files.some((f) => f.zip);
  rows.push({
    cells: ['Fichier', 'Type de demande à indiquer', 'Numéro ANS à indiquer', 'Nombre de lignes', ...(portal ? [`${portal} à indiquer`] : []), ...(withZip ? ['Taille du JSON (octets)', 'Fichier .zip des pièces', 'Taille du .zip (octets)'] : [])],
    style: 'head',
  });
  for (const f of opts.files) {
    rows.push({ cells: [f.name, f.kind, f.numeroAns, f.lines, ...(portal ? [f.portalValues.join(', ')] : []), ...(withZip ? [f.bytes, f.zip?.name ?? '', f.zip?.bytes ?? ''] : [])], style: 'text' });
  }
  return rows;
}

function toRework(result: WorkbookResult): Row[] {
  const rows: Row[] = [{ cells: [] }, { cells: ['Demandes à reprendre'], style: 'title' }];
  const kind = result.mapping.kind;
  const list = result.demandes.map((d) => ({ d, s: statusOf(d, kind) })).filter((x) => x.s.needsAction);
  if (!list.length) return [...rows, { cells: ['Aucune.'] }];
  rows.push({ cells: ['Numéro éditeur', 'Feuille et ligne', 'Statut', 'Problèmes, ou que faire'], style: 'head' });
  for (const { d, s } of list) {
    const errors = listed(d.issues).filter((i) => i.severity === 'erreur');
    const what = s.code === 'rejetee' ? errors.map((i) => `${where(i)} : ${i.message}`).join('\n') : s.label;
    rows.push({ cells: [d.key, `${d.main.sheet}, ligne ${d.main.row}`, STATUS_NAMES[s.code][0], what], style: 'text', fill: RED });
  }
  return rows;
}

function where(i: Issue): string {
  return `${i.sheet ?? ''}!${i.column ?? ''}${i.row ?? ''}`;
}

function problems(result: WorkbookResult): Row[] {
  const issues = listed(result.issues);
  const rows: Row[] = [{ cells: [] }, { cells: ['Problèmes, dans l\'ordre des feuilles et des lignes'], style: 'title' }];
  if (!issues.length) return [...rows, { cells: ['Aucun.'] }];
  rows.push({ cells: ['Cellule', 'Code', 'Demande', 'Message'], style: 'head' });
  for (const i of issues.slice(0, MAX_PROBLEMS)) {
    rows.push({ cells: [where(i), i.code, i.demande ?? '', i.message], style: 'text', fill: i.severity === 'erreur' ? RED : ORANGE });
  }
  if (issues.length > MAX_PROBLEMS) rows.push({ cells: [`… et ${issues.length - MAX_PROBLEMS} autres : voir les cellules marquées des feuilles.`] });
  return rows;
}

function renumbered(result: WorkbookResult): Row[] {
  const list = result.demandes.filter((d) => d.renumbered);
  if (!list.length) return [];
  return [
    { cells: [] },
    { cells: ["Avances renumérotées (rejetées par l'ASP sous leur ancien numéro)"], style: 'title' },
    { cells: ['Ancien numéro éditeur', 'Nouveau numéro éditeur', 'Feuille et ligne'], style: 'head' },
    ...list.map((d) => ({ cells: [d.renumbered!.from, d.key, `${d.main.sheet}, ligne ${d.main.row}`], style: 'text' as const })),
  ];
}

/** Height a row needs for its texts wrapped to the column widths, in points (0: the default). */
function heightOf(row: Row, title: boolean): number {
  let lines = 1;
  row.cells.forEach((v, c) => {
    const width = WIDTHS[c] ?? 16;
    const n = String(v)
      .split('\n')
      .reduce((k, l) => k + Math.max(1, Math.ceil((l.length * (title ? 1.25 : 1.05)) / width)), 0);
    lines = Math.max(lines, n);
  });
  return lines > 1 ? lines * 15 : title ? 18 : 0;
}

/** The Synthèse sheet: counts by status, the JSON files to deposit, what to rework, every problem. */
export function summaryXml(result: WorkbookResult, opts: SummaryOptions, styles: StyleBook): string {
  const rows = [...counts(result, opts), ...jsonFiles(result, opts), ...toRework(result), ...problems(result), ...renumbered(result)];
  const base = { title: styles.style({ font: styles.boldFont(13) }), head: styles.style({ font: styles.boldFont(), wrapTop: true }), text: styles.style({ wrapTop: true }) };
  const body = rows
    .map((row, k) => {
      const r = k + 1;
      const s = row.style ? base[row.style] : base.text;
      const cells = row.cells
        .map((v, c) => {
          const ref = `${columnLetter(c + 1)}${r}`;
          const style = c === 0 && row.fill ? styles.style({ fill: styles.fill(row.fill), wrapTop: true }) : s;
          if (typeof v === 'number') return `<c r="${ref}" s="${style}"><v>${v}</v></c>`;
          if (v === '') return `<c r="${ref}" s="${style}"/>`;
          return `<c r="${ref}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${encodeXml(v)}</t></is></c>`;
        })
        .join('');
      const h = heightOf(row, row.style === 'title');
      return cells ? `<row r="${r}"${h ? ` ht="${h}" customHeight="1"` : ''}>${cells}</row>` : '';
    })
    .join('');
  const cols = WIDTHS.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' +
    '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>' +
    `<cols>${cols}</cols>` +
    `<sheetData>${body}</sheetData>` +
    '<printOptions gridLines="1"/>' +
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>' +
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>' +
    '<headerFooter><oddFooter>&amp;L&amp;A&amp;RPage &amp;P / &amp;N</oddFooter></headerFooter>' +
    '</worksheet>'
  );
}
