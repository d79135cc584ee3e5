import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { Journal, STATE_LABELS, stateOf, type JournalEntry } from '../journal/journal.js';
import { mappingOf } from '../mapping/detect.js';
import { buildTemplate } from '../template/template.js';
import { soldeExample } from '../template/example.js';
import { fillWorkbook, type RowData } from '../template/fill.js';
import { workbookBytes } from '../util/xlsx-write.js';
import { writeFileAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { readWorkbook } from '../read/xlsx.js';
import { findWorksheet, validateWorkbook } from '../rules/validate.js';
import { Amount } from '../values/types.js';
import { ASP_NUMBER_HEADER } from '../annotate/asp.js';
import { cellScalar } from '../read/cell.js';

export const REMINDER_AMOUNT = 'Montant de la commande, rappel [xlsx2segur]';
export const REMINDER_STATE = 'Avance [xlsx2segur]';

interface Candidate {
  numeroAns: string;
  siret: string | null;
  numeroEditeur: string;
  numeroASP: string;
  montant: string;
  finess: string[];
  state: string;
  paid: boolean;
}

function fromJournal(journal: Journal): Candidate[] {
  const latest = new Map<string, JournalEntry>();
  for (const e of journal.entries) if (e.kind === 'avance') latest.set(`${e.numeroAns}|${e.numeroEditeur}`, e);
  const out: Candidate[] = [];
  for (const e of latest.values()) {
    const state = stateOf(e);
    if (!e.numeroASP || (state !== 'payee' && state !== 'acceptee')) continue;
    // A solde already exported and not rejected is not prepared again.
    const solde = journal.latest('solde', e.numeroAns, e.numeroEditeur);
    if (solde && stateOf(solde) !== 'rejetee') continue;
    out.push({ numeroAns: e.numeroAns, siret: e.siret, numeroEditeur: e.numeroEditeur, numeroASP: e.numeroASP, montant: e.montant, finess: e.finess, state: STATE_LABELS[state], paid: state === 'payee' });
  }
  return out;
}

async function fromWorkbook(file: string): Promise<Candidate[]> {
  const wb = await readWorkbook(file);
  const mapping = mappingOf('avance');
  const result = await validateWorkbook(wb, file, mapping, { depositDate: '31/12/2999' });
  if (result.fatal) throw new UserError(result.fatal);
  const journal = Journal.load(path.dirname(file));
  const ws = findWorksheet(wb, result.sheets[mapping.main.name].actualName)!;
  const headerRow = result.sheets[mapping.main.name].headerRow;
  let aspCol = 0;
  ws.getRow(headerRow).eachCell((c, col) => {
    if (c.value === ASP_NUMBER_HEADER) aspCol = col;
  });
  const out: Candidate[] = [];
  for (const d of result.demandes) {
    const entry = result.numeroAns ? journal.latest('avance', result.numeroAns, d.key) : undefined;
    const fromCell = aspCol ? cellScalar(ws.getRow(d.main.row).getCell(aspCol).value) : null;
    const numeroASP = entry?.numeroASP ?? (typeof fromCell === 'string' ? fromCell : null);
    if (!numeroASP || !result.numeroAns) continue;
    const state = entry ? stateOf(entry) : undefined;
    if (state === 'refusee' || state === 'rejetee') continue;
    const amount = d.main.values.montantSegurHT;
    const finess = d.details.FINESS.flatMap((r) => (Array.isArray(r.values.numeroFINESSGeos) ? r.values.numeroFINESSGeos : []));
    out.push({
      numeroAns: result.numeroAns,
      siret: result.siret ?? null,
      numeroEditeur: d.key,
      numeroASP,
      montant: amount instanceof Amount ? amount.text : '',
      finess: [...new Set(finess)],
      state: state ? STATE_LABELS[state] : 'paiement non connu',
      paid: state === 'payee',
    });
  }
  return out;
}

/** Writes a solde workbook pre-filled from the paid avances (and, on request, the accepted unpaid ones). */
export async function runSolde(opts: { from: string; out?: string; nonPayees?: boolean; stdout?: (t: string) => void }): Promise<number> {
  const say = opts.stdout ?? ((t: string) => process.stdout.write(t));
  if (!fs.existsSync(opts.from)) throw new UserError(`${opts.from} : introuvable (attendu : un dossier de sortie, un journal ou un classeur d'avance).`);
  let candidates: Candidate[];
  if (fs.statSync(opts.from).isDirectory() || opts.from.endsWith('.json')) {
    const journal = Journal.load(opts.from);
    if (!fs.existsSync(journal.file)) throw new UserError(`Aucun journal dans ${opts.from}.`);
    candidates = fromJournal(journal);
  } else {
    candidates = await fromWorkbook(opts.from);
    if (!candidates.length) {
      say(
        `Aucune demande de ${opts.from} n'a de numéro de dossier ASP connu : ni colonne « ${ASP_NUMBER_HEADER} » (écrite par xlsx2segur retour --workbook), ni journal à côté du classeur. Indiquez plutôt le dossier de sortie de convert : --from <dossier>.\n`,
      );
      return 1;
    }
  }
  const skipped = candidates.filter((c) => !c.paid && !opts.nonPayees);
  const chosen = candidates.filter((c) => c.paid || opts.nonPayees);
  if (!chosen.length) {
    say(`Aucune avance payée à solder${skipped.length ? ` (${skipped.length} acceptée(s) mais non payée(s) : --non-payees pour les ajouter)` : ''}.\n`);
    return 1;
  }
  const mapping = mappingOf('solde');
  const byAns = new Map<string, Candidate[]>();
  for (const c of chosen) byAns.set(c.numeroAns, [...(byAns.get(c.numeroAns) ?? []), c]);
  const target = opts.out ?? 'solde-bio-sgl.xlsx';
  for (const [ans, list] of byAns) {
    list.sort((a, b) => a.numeroEditeur.localeCompare(b.numeroEditeur));
    const wb = buildTemplate(mapping, soldeExample);
    const data: Record<string, RowData[]> = {
      Fichier: [{ numeroAns: ans, SIRET: list.find((c) => c.siret)?.siret ?? null }],
      Factures: list.map((c) => ({ numeroEditeur: c.numeroEditeur, numeroASP: c.numeroASP })),
      FINESS: list.flatMap((c) => c.finess.map((f) => ({ numeroEditeur: c.numeroEditeur, numeroFINESSGeo: f }))),
      PJ: list.flatMap((c) => [
        { numeroEditeur: c.numeroEditeur, typeFichier: 'FACTURE', formatFichier: 'PDF' },
        { numeroEditeur: c.numeroEditeur, typeFichier: 'VA', formatFichier: 'PDF' },
      ]),
      Scénarios: list.map((c) => ({ numeroEditeur: c.numeroEditeur })),
    };
    fillWorkbook(wb, mapping, data);
    addReminders(findWorksheet(wb, mapping.main.name)!, list);
    const file = byAns.size === 1 ? target : target.replace(/(\.xlsx)?$/i, `-${ans}.xlsx`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, await workbookBytes(wb));
    say(`Classeur de solde pré-rempli : ${file} — ${list.length} demande(s) du numéro ANS ${ans} (${list.filter((c) => !c.paid).length} non payée(s), signalées).\n`);
  }
  if (skipped.length) say(`${skipped.length} avance(s) acceptée(s) mais non payée(s) laissée(s) de côté (--non-payees pour les ajouter).\n`);
  say('Ajoutez la date et le montant de la facture, les pièces et le scénario, puis : xlsx2segur convert <classeur>.\n');
  return 0;
}

function addReminders(ws: ExcelJS.Worksheet, list: Candidate[]) {
  const header = ws.getRow(1);
  const col = header.cellCount + 1;
  header.getCell(col).value = REMINDER_AMOUNT;
  header.getCell(col + 1).value = REMINDER_STATE;
  for (const c of [col, col + 1]) {
    header.getCell(c).font = { bold: true, italic: true };
    ws.getColumn(c).width = 28;
  }
  list.forEach((c, i) => {
    const row = ws.getRow(i + 2);
    row.getCell(col).value = c.montant ? Amount.fromText(c.montant).display : null;
    row.getCell(col + 1).value = c.paid ? c.state : `${c.state} : attendre le paiement avant de déposer`;
    if (!c.paid) row.getCell(col + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFEB9C' } };
  });
}
