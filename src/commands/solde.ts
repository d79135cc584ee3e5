import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { Journal, STATE_LABELS, stateOf, type EntryState, type JournalEntry } from '../journal/journal.js';
import { mappingOf } from '../mapping/detect.js';
import type { Mapping } from '../mapping/load.js';
import { carriedFields, type CarriedField } from '../mapping/carry.js';
import { buildTemplate } from '../template/template.js';
import { soldeExample } from '../template/example.js';
import { fillRow, sheetColumns, type RowData } from '../template/fill.js';
import { addPrefillLegend, markPrefilled } from '../template/prefill.js';
import { streamedWorkbookBytes, type SheetRows } from '../template/streamed.js';
import { writeFileAtomic } from '../util/fs.js';
import { withDepositLock } from '../util/lock.js';
import { UserError } from '../util/errors.js';
import { XlsxPackage } from '../read/package.js';
import { findWorksheet, validatePackage } from '../rules/validate.js';
import { Amount, showValue } from '../values/types.js';
import { ASP_NUMBER_HEADER } from '../annotate/plan.js';
import type { CellScalar } from '../read/cell.js';
import { answersFromDemande, answersFromDeposit, type AvanceAnswers, type CarriedAnswer, type LastRead } from './solde-answers.js';
import { journalPath, loadJournal } from './journal-file.js';

export const REMINDER_AMOUNT = 'Montant de la commande, rappel [xlsx2segur]';
export const REMINDER_STATE = 'Avance [xlsx2segur]';

interface Candidate {
  numeroAns: string;
  siret: string | null;
  numeroEditeur: string;
  numeroASP: string;
  montant: string;
  finess: string[];
  /** What the journal says of the avance; undefined when no journal knows it. */
  state?: EntryState;
  /** The answers the avance already gave, that the solde repeats. */
  answers: AvanceAnswers;
}

/** The candidates, the avances that cannot have a solde (journal only), and whether a workbook was read. */
interface Found {
  candidates: Candidate[];
  unready: JournalEntry[];
  workbook: boolean;
}

const isPaid = (c: Candidate) => c.state === 'payee';
const answerOf = (c: Candidate, f: CarriedField): CarriedAnswer | undefined => ('values' in c.answers ? c.answers.values[f.field] : undefined);

function fromJournal(journal: Journal, fields: CarriedField[]): Found {
  const dir = path.dirname(journal.file);
  const latest = new Map<string, JournalEntry>();
  for (const e of journal.entries) if (e.kind === 'avance') latest.set(`${e.numeroAns}|${e.numeroEditeur}`, e);
  const found: Found = { candidates: [], unready: [], workbook: false };
  const last: LastRead = {};
  for (const e of latest.values()) {
    const state = stateOf(e);
    if (state === 'exportee' || state === 'refusee') found.unready.push(e);
    if (!e.numeroASP || (state !== 'payee' && state !== 'acceptee')) continue;
    // A solde already exported and not rejected is not prepared again.
    const solde = journal.latest('solde', e.numeroAns, e.numeroEditeur);
    if (solde && stateOf(solde) !== 'rejetee') continue;
    found.candidates.push({
      numeroAns: e.numeroAns,
      siret: e.siret,
      numeroEditeur: e.numeroEditeur,
      numeroASP: e.numeroASP,
      montant: e.montant,
      finess: e.finess,
      state,
      answers: answersFromDeposit(dir, e, fields, last),
    });
  }
  return found;
}

/** What solde needs of one demande of an avance workbook. */
interface AvanceRead {
  numeroEditeur: string;
  /** Its row on the main sheet. */
  row: number;
  montant: string;
  finess: string[];
  answers: AvanceAnswers;
}

/** The demandes of an avance workbook, read and checked as convert reads it, and the ASP number of each row. */
async function readAvanceWorkbook(file: string, fields: CarriedField[]) {
  // Read straight from the package, as convert reads it (no exceljs model of the workbook).
  const pkg = await XlsxPackage.open(file);
  const read = await checkedAvances(pkg, file, fields);
  // The check's whole result is let go before the ASP column is read and the journal loaded.
  const aspByRow = new Map<number, CellScalar>();
  if (read.asp) {
    const { col, sheet, headerRow } = read.asp;
    const grid = await pkg.grid(pkg.sheet(sheet)!);
    grid.focus?.([col]);
    for (const r of grid.rows()) if (r.row > headerRow) aspByRow.set(r.row, r.values[col] ?? null);
  }
  return { ...read, aspByRow };
}

async function checkedAvances(pkg: XlsxPackage, file: string, fields: CarriedField[]) {
  const mapping = mappingOf('avance');
  const result = await validatePackage(pkg, file, mapping, { depositDate: '31/12/2999' });
  if (result.fatal) throw new UserError(result.fatal);
  const main = result.sheets[mapping.main.name];
  let aspCol = 0;
  for (const [col, text] of main.headerTexts) if (text === ASP_NUMBER_HEADER && col > aspCol) aspCol = col;
  const demandes: AvanceRead[] = result.demandes.map((d) => {
    const amount = d.main.values.montantSegurHT;
    const finess = d.details.FINESS.flatMap((r) => (Array.isArray(r.values.numeroFINESSGeos) ? r.values.numeroFINESSGeos : []));
    return { numeroEditeur: d.key, row: d.main.row, montant: amount instanceof Amount ? amount.text : '', finess: [...new Set(finess)], answers: answersFromDemande(d, fields, mapping.main.name) };
  });
  const asp = aspCol ? { col: aspCol, sheet: main.actualName, headerRow: main.headerRow } : undefined;
  return { numeroAns: result.numeroAns, siret: result.siret ?? null, demandes, asp };
}

async function fromWorkbook(file: string, fields: CarriedField[]): Promise<Found> {
  const read = await readAvanceWorkbook(file, fields);
  const journal = loadJournal(path.dirname(file));
  const candidates: Candidate[] = [];
  for (const d of read.demandes) {
    const entry = read.numeroAns ? journal.latest('avance', read.numeroAns, d.numeroEditeur) : undefined;
    const fromCell = read.aspByRow.get(d.row) ?? null;
    const numeroASP = entry?.numeroASP ?? (typeof fromCell === 'string' ? fromCell : null);
    if (!numeroASP || !read.numeroAns) continue;
    const state = entry ? stateOf(entry) : undefined;
    if (state === 'refusee' || state === 'rejetee') continue;
    candidates.push({ numeroAns: read.numeroAns, siret: read.siret, numeroEditeur: d.numeroEditeur, numeroASP, montant: d.montant, finess: d.finess, state, answers: d.answers });
  }
  return { candidates, unready: [], workbook: true };
}

/** The candidates, read while no command writes the deposit folder whose journal is read. */
async function findCandidates(from: string, fields: CarriedField[]): Promise<Found> {
  if (!fs.existsSync(from)) throw new UserError(`${from} : introuvable (attendu : un dossier de sortie, un journal ou un classeur d'avance).`);
  const dir = fs.statSync(from).isDirectory() ? from : path.dirname(from);
  const read = () => readCandidates(from, fields);
  return fs.existsSync(journalPath(dir)) ? withDepositLock(dir, 'solde', read) : read();
}

async function readCandidates(from: string, fields: CarriedField[]): Promise<Found> {
  if (fs.statSync(from).isDirectory() || from.endsWith('.json')) {
    const journal = loadJournal(from);
    if (!fs.existsSync(journal.file)) throw new UserError(`Aucun journal dans ${from}.`);
    return fromJournal(journal, fields);
  }
  return fromWorkbook(from, fields);
}

export interface SoldeOptions {
  from: string;
  out?: string;
  nonPayees?: boolean;
  stdout?: (t: string) => void;
}

/** What solde did: its exit code and the workbooks it wrote (one per numeroAns). */
export interface SoldeOutcome {
  exitCode: 0 | 1;
  files: string[];
}

/** Writes a solde workbook pre-filled from the paid avances (and, on request, the accepted unpaid ones). */
export async function runSolde(opts: SoldeOptions): Promise<number> {
  return (await soldeWorkbooks(opts)).exitCode;
}

/** Writes the solde workbooks, saying what it does as `xlsx2segur solde` prints it; returns what it wrote. */
export async function soldeWorkbooks(opts: SoldeOptions): Promise<SoldeOutcome> {
  const files: string[] = [];
  const say = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const mapping = mappingOf('solde');
  const fields = carriedFields(mapping, mappingOf('avance'));
  const { candidates, unready, workbook } = await findCandidates(opts.from, fields);
  if (!candidates.length && workbook) {
    say(
      `Aucune demande de ${opts.from} n'a de numéro de dossier ASP connu : ni colonne « ${ASP_NUMBER_HEADER} » (écrite dans les classeurs de résultats), ni journal à côté du classeur. Indiquez plutôt le dossier de sortie de convert : --from <dossier>.\n`,
    );
    return { exitCode: 1, files };
  }
  const chosen = candidates.filter((c) => isPaid(c) || opts.nonPayees);
  const isChosen = new Set(chosen);
  const left = candidates.filter((c) => !isChosen.has(c));
  if (!chosen.length) {
    say(`Aucune avance payée à solder${left.length ? ` : ${describeAvances([], left, false)}` : ''}.\n`);
    sayUnready(unready, say);
    return { exitCode: 1, files };
  }
  const target = opts.out ?? 'solde-bio-sgl.xlsx';
  const withWorkbook = new Set(chosen.map((c) => c.numeroAns));
  for (const ans of new Set(candidates.map((c) => c.numeroAns))) {
    const list = chosen.filter((c) => c.numeroAns === ans).sort((a, b) => a.numeroEditeur.localeCompare(b.numeroEditeur));
    const leftHere = left.filter((c) => c.numeroAns === ans);
    if (!list.length) {
      say(`Numéro ANS ${ans} : ${describeAvances(list, leftHere)}, pas de classeur de solde.\n`);
      continue;
    }
    const file = withWorkbook.size === 1 ? target : target.replace(/(\.xlsx)?$/i, `-${ans}.xlsx`);
    await writeSoldeWorkbook(file, mapping, ans, list, fields);
    files.push(file);
    say(`Classeur de solde pré-rempli : ${file} — numéro ANS ${ans} : ${describeAvances(list, leftHere)}.\n`);
  }
  sayMissingAnswers(chosen, say);
  sayUnready(unready, say);
  const check = chosen.some((c) => 'values' in c.answers) ? 'Vérifiez les réponses pré-remplies (fond violet), ajoutez' : 'Ajoutez';
  say(`${check} la date et le montant de la facture, les pièces et le reste du scénario, puis : xlsx2segur convert <classeur>.\n`);
  return { exitCode: 0, files };
}

/**
 * The solde workbook of one numeroAns: the template (made with exceljs, without data rows), its Notice's
 * legend and the reminder headers added; then the data rows streamed into its sheets (template/streamed.ts),
 * the cells pre-filled from the avance marked as they are written.
 */
async function writeSoldeWorkbook(file: string, mapping: Mapping, ans: string, list: Candidate[], fields: CarriedField[]) {
  const wb = buildTemplate(mapping, soldeExample);
  const data = soldeRows(ans, list, fields);
  if (list.some((c) => fields.some((f) => answerOf(c, f)))) addPrefillLegend(wb, prefillLegend(fields));
  const reminders = addReminderHeaders(findWorksheet(wb, mapping.main.name)!);
  // Each sheet's rows are made when the sheet is written, its marks as each row is: memory holds one sheet's.
  const rowsOf = (name: string): SheetRows | undefined => {
    const spec = mapping.sheets.find((x) => x.name === name);
    const rows = spec ? data[spec.name]?.() : undefined;
    if (!spec || !rows) return undefined;
    const { cols } = sheetColumns(wb, mapping, spec.name);
    // The sheets of carried answers hold one row per demande, in the order of list.
    const carried = fields.filter((f) => f.sheet === spec.name);
    return {
      count: rows.length,
      write(row, i) {
        fillRow(row, cols, rows[i], `${spec.name}.`);
        for (const f of carried) {
          const a = answerOf(list[i], f);
          if (a) markPrefilled(row.getCell(cols.get(f.field)!), prefillNote(mapping, list[i], f, a));
        }
        if (spec.name === mapping.main.name) writeReminders(row, reminders, list[i]);
      },
    };
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, await streamedWorkbookBytes(wb, rowsOf));
}

/** The rows of each sheet of the solde workbook, made when asked for: one per demande, its FINESS, its two PJ. */
function soldeRows(ans: string, list: Candidate[], fields: CarriedField[]): Record<string, () => RowData[]> {
  const carried = (c: Candidate, sheet: string): RowData => {
    const row: RowData = {};
    for (const f of fields) {
      const a = f.sheet === sheet ? answerOf(c, f) : undefined;
      if (a) row[f.field] = showValue(a.value);
    }
    return row;
  };
  return {
    Fichier: () => [{ numeroAns: ans, SIRET: list.find((c) => c.siret)?.siret ?? null }],
    Factures: () => list.map((c) => ({ numeroEditeur: c.numeroEditeur, numeroASP: c.numeroASP, ...carried(c, 'Factures') })),
    FINESS: () => list.flatMap((c) => c.finess.map((f) => ({ numeroEditeur: c.numeroEditeur, numeroFINESSGeo: f }))),
    PJ: () =>
      list.flatMap((c) => [
        { numeroEditeur: c.numeroEditeur, typeFichier: 'FACTURE', formatFichier: 'PDF' },
        { numeroEditeur: c.numeroEditeur, typeFichier: 'VA', formatFichier: 'PDF' },
      ]),
    Scénarios: () => list.map((c) => ({ numeroEditeur: c.numeroEditeur, ...carried(c, 'Scénarios') })),
  };
}

/** The Notice's legend of the pre-filled cells. */
function prefillLegend(fields: CarriedField[]): string[] {
  return [
    `Cellules sur fond violet : réponses reprises de la demande d'avance (${[...new Set(fields.map((f) => f.field))].join(', ')}), à vérifier ; la note de chaque cellule dit d'où elle vient.`,
    "L'avance disait ce qui était prévu, le solde dit ce qui est installé : corrigez la réponse si l'installation diffère. Les colonnes « … [xlsx2segur] » sont des rappels, que convert ne lit pas.",
  ];
}

/** « pré-rempli d'après la demande d'avance 00001 (fichier …, ligne 1) : à vérifier. » and what the answer implies. */
function prefillNote(mapping: Mapping, c: Candidate, f: CarriedField, a: CarriedAnswer): string {
  const shown = showValue(a.value);
  const needs = mapping
    .sheet(f.sheet)!
    .columns.filter((x) => x.requiredWhen && 'field' in x.requiredWhen && x.requiredWhen.field === f.field && x.requiredWhen.equals === a.value)
    .map((x) => x.field);
  return [
    `pré-rempli d'après la demande d'avance ${c.numeroEditeur} (${a.origin}) : à vérifier.`,
    `Réponse de l'avance : ${f.avanceField} = ${shown}.`,
    ...(needs.length ? [`Avec ${shown}, renseignez aussi ${needs.join(', ')}.`] : []),
  ].join('\n');
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
type Standing = 'payee' | 'acceptee' | 'inconnu';
const standing = (c: Candidate): Standing => (c.state === 'payee' ? 'payee' : c.state === 'acceptee' ? 'acceptee' : 'inconnu');

/**
 * The avances of a workbook, in French: « 3 avances payées, 1 acceptée non payée (signalée) »; those left
 * out (no --non-payees) are said too, with how to add them.
 */
export function describeAvances(included: Candidate[], left: Candidate[], withPaid = true): string {
  const count = (list: Candidate[], s: Standing) => list.filter((c) => standing(c) === s).length;
  const paid = count(included, 'payee');
  const parts: string[] = [];
  const counts: [number, string, string][] = [
    [count(included, 'acceptee'), 'acceptée non payée (signalée)', 'acceptées non payées (signalées)'],
    [count(included, 'inconnu'), 'avance au paiement non connu (signalée)', 'avances au paiement non connu (signalées)'],
    [count(left, 'acceptee'), 'acceptée non payée laissée de côté', 'acceptées non payées laissées de côté'],
    [count(left, 'inconnu'), 'avance au paiement non connu laissée de côté', 'avances au paiement non connu laissées de côté'],
  ];
  for (const [n, one, many] of counts) if (n) parts.push(plural(n, one, many));
  if (!parts.length) parts.push('aucune avance acceptée non payée');
  if (withPaid) parts.unshift(paid ? plural(paid, 'avance payée', 'avances payées') : 'aucune avance payée');
  const hint = left.length ? ` (--non-payees pour ${left.length > 1 ? 'les ajouter' : "l'ajouter"})` : '';
  return parts.join(', ') + hint;
}

/** One line for each reason why the answers of some avances could not be carried. */
function sayMissingAnswers(list: Candidate[], say: (t: string) => void) {
  const byReason = new Map<string, string[]>();
  for (const c of list) {
    if (!('missing' in c.answers)) continue;
    const nums = byReason.get(c.answers.missing);
    if (nums) nums.push(c.numeroEditeur);
    else byReason.set(c.answers.missing, [c.numeroEditeur]);
  }
  for (const [reason, nums] of byReason) {
    const many = nums.length > 1;
    say(`Scénario non pré-rempli pour ${many ? 'les demandes' : 'la demande'} ${nums.join(', ')} : ${reason} ; ${many ? 'leurs' : 'ses'} réponses sont à saisir.\n`);
  }
}

function sayUnready(unready: JournalEntry[], say: (t: string) => void) {
  const waiting = unready.filter((e) => stateOf(e) === 'exportee').length;
  const refused = unready.filter((e) => stateOf(e) === 'refusee').length;
  const parts = [
    ...(waiting ? [plural(waiting, "avance sans réponse de l'ASP (xlsx2segur retour)", "avances sans réponse de l'ASP (xlsx2segur retour)")] : []),
    ...(refused ? [plural(refused, "avance refusée par l'ASP", "avances refusées par l'ASP")] : []),
  ];
  if (parts.length) say(`Pas de solde possible pour : ${parts.join(', ')}.\n`);
}

/** The two reminder columns after the main sheet's own: their headers and widths; returns the first one. */
function addReminderHeaders(ws: ExcelJS.Worksheet): number {
  const header = ws.getRow(1);
  const col = header.cellCount + 1;
  header.getCell(col).value = REMINDER_AMOUNT;
  header.getCell(col + 1).value = REMINDER_STATE;
  for (const c of [col, col + 1]) {
    header.getCell(c).font = { bold: true, italic: true };
    ws.getColumn(c).width = 28;
  }
  return col;
}

/** A demande's reminders: the amount of its avance and its state, in yellow when it is not paid. */
function writeReminders(row: ExcelJS.Row, col: number, c: Candidate) {
  const label = c.state ? STATE_LABELS[c.state] : 'paiement non connu';
  row.getCell(col).value = c.montant ? Amount.fromText(c.montant).display : null;
  row.getCell(col + 1).value = isPaid(c) ? label : `${label} : attendre le paiement avant de déposer`;
  if (!isPaid(c)) row.getCell(col + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFEB9C' } };
}
