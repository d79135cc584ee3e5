import ExcelJS from 'exceljs';
import type { Mapping } from '../mapping/load.js';
import type { ColumnSpec, SheetSpec } from '../mapping/schema.js';

/** Rows of the data sheets that carry dropdowns and formats. */
export const TEMPLATE_ROWS = 2000;
export const LISTS_SHEET = 'Listes';
export const NOTICE_SHEET = 'Notice';
export const KIND_MARKER_PREFIX = 'xlsx2segur:';

export function headerText(col: ColumnSpec): string {
  return `${col.label} (${col.field})`;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

interface ListRefs {
  [listName: string]: string;
}

function validationFor(col: ColumnSpec, lists: ListRefs): ExcelJS.DataValidation | undefined {
  const prompt = {
    showInputMessage: true,
    promptTitle: truncate(col.field, 32),
    prompt: truncate(col.help, 255),
  };
  const list = (formula: string, error: string): ExcelJS.DataValidation => ({
    type: 'list',
    allowBlank: true,
    formulae: [formula],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: truncate(col.field, 32),
    error: truncate(error, 255),
    ...prompt,
  });
  switch (col.type) {
    case 'boolean':
      return list('"OUI,NON"', 'Répondez OUI ou NON.');
    case 'enum':
      return list(`"${col.values!.join(',')}"`, `Valeurs permises : ${col.values!.join(', ')}.`);
    case 'code':
      return list(lists[col.list!], 'Choisissez un opérateur dans la liste.');
    default:
      return { type: 'any', allowBlank: true, ...prompt } as unknown as ExcelJS.DataValidation;
  }
}

function numFmtFor(col: ColumnSpec): string | undefined {
  if (col.type === 'date') return 'dd/mm/yyyy';
  if (col.type === 'amount') return '#,##0.00';
  if (col.textFormat) return '@';
  return undefined;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

function addDataSheet(wb: ExcelJS.Workbook, spec: SheetSpec, lists: ListRefs, rows: number) {
  const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  spec.columns.forEach((col, i) => {
    const c = i + 1;
    const column = ws.getColumn(c);
    column.width = col.width ?? Math.max(14, Math.min(40, headerText(col).length + 2));
    const fmt = numFmtFor(col);
    const cell = ws.getRow(1).getCell(c);
    cell.value = headerText(col);
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: 'middle' };
    cell.note = { texts: [{ text: col.help }] } as ExcelJS.Comment;
    const dv = validationFor(col, lists);
    const last = spec.role === 'header' ? 2 : rows + 1;
    // Column style: cells typed later in Excel or Calc take the column's format (text keeps leading zeros).
    if (fmt) column.numFmt = fmt;
    cell.numFmt = 'General';
    if (dv) (ws as unknown as { dataValidations: { add(a: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${column.letter}2:${column.letter}${last}`, dv);
  });
  ws.getRow(1).height = 45;
  return ws;
}

function addLists(wb: ExcelJS.Workbook, mapping: Mapping): ListRefs {
  const ws = wb.addWorksheet(LISTS_SHEET, { state: 'hidden' });
  const refs: ListRefs = {};
  ws.getCell('A1').value = `${KIND_MARKER_PREFIX}${mapping.id}`;
  let col = 2;
  for (const [name, list] of Object.entries(mapping.codeLists)) {
    ws.getRow(1).getCell(col).value = name;
    list.items.forEach((it, i) => {
      ws.getRow(i + 2).getCell(col).value = `${it.code} — ${it.label}`;
    });
    const letter = ws.getColumn(col).letter;
    refs[name] = `${LISTS_SHEET}!$${letter}$2:$${letter}$${list.items.length + 1}`;
    ws.getColumn(col).width = 60;
    col++;
  }
  return refs;
}

export interface NoticeExample {
  [sheet: string]: (string | number)[][];
}

function addNotice(wb: ExcelJS.Workbook, mapping: Mapping, example: NoticeExample) {
  const ws = wb.addWorksheet(NOTICE_SHEET);
  ws.getColumn(1).width = 28;
  for (let c = 2; c <= 12; c++) ws.getColumn(c).width = 22;
  const line = (text: string, bold = false, size?: number) => {
    const r = ws.addRow([text]);
    r.getCell(1).font = { bold, size };
    return r;
  };
  line(`Modèle xlsx2segur : ${mapping.title}`, true, 14);
  line('');
  line('Comment remplir ce classeur', true, 12);
  const steps = [
    `1. Feuille « ${mapping.header.name} » : une seule ligne, l'en-tête du fichier JSON (numéro ANS et SIRET)${mapping.header.columns.length > 2 ? ', et les profils avec lesquels le logiciel est référencé' : ''}.`,
    `2. Feuille « ${mapping.main.name} » : une ligne par demande, identifiée par son numéro éditeur (5 chiffres, 00001, 00002…).`,
    ...mapping.details.map((s, i) => `${i + 3}. Feuille « ${s.name} » : ${s.description} Chaque ligne porte le numéro éditeur de sa demande.`),
    'Les réponses OUI/NON se choisissent dans la liste (VRAI/FAUX, TRUE/FALSE et 1/0 sont aussi acceptés).',
    'Les dates s\'écrivent JJ/MM/AAAA ; les montants en euros avec au plus deux décimales (27450 ou 27 450,00).',
    'Les identifiants (numéro éditeur, FINESS, SIRET) sont au format texte : les zéros de tête sont conservés.',
    'Chaque en-tête de colonne donne un libellé et, entre parenthèses, le nom exact du champ de la spécification : c\'est ce nom qui est lu. Vous pouvez déplacer les colonnes ou en ajouter d\'autres.',
    'Passez la souris sur un en-tête (ou sélectionnez une cellule) pour lire l\'aide de la colonne.',
    'Ensuite : xlsx2segur convert <ce classeur> -o <dossier> écrit les fichiers JSON à déposer et un classeur de résultats qui marque chaque problème ; corrigez-le et convertissez-le à nouveau.',
  ];
  for (const s of steps) {
    const r = line(s);
    r.getCell(1).alignment = { wrapText: false };
  }
  line('');
  line('Exemple rempli (l\'exemple de la spécification)', true, 12);
  for (const spec of mapping.sheets) {
    const rows = example[spec.name];
    if (!rows) continue;
    line('');
    line(`Feuille « ${spec.name} »`, true);
    const h = ws.addRow(spec.columns.map(headerText));
    h.font = { bold: true };
    h.eachCell((c) => (c.fill = HEADER_FILL));
    for (const r of rows) ws.addRow(r);
  }
  line('');
  line('Aide des colonnes', true, 12);
  const h = ws.addRow(['Feuille', 'Colonne', 'Aide']);
  h.font = { bold: true };
  for (const spec of mapping.sheets) for (const c of spec.columns) ws.addRow([spec.name, headerText(c), c.help]);
}

/** Builds the template workbook of a mapping. */
export function buildTemplate(mapping: Mapping, example: NoticeExample, rows = TEMPLATE_ROWS): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'xlsx2segur';
  wb.created = new Date(Date.UTC(2021, 9, 25));
  wb.modified = new Date(Date.UTC(2021, 9, 25));
  wb.title = mapping.title;
  wb.subject = `${KIND_MARKER_PREFIX}${mapping.id}`;
  wb.keywords = `${KIND_MARKER_PREFIX}${mapping.id}`;
  addNotice(wb, mapping, example);
  // The list sheet is created after the data sheets in tab order but its references are needed first.
  const listRefs: ListRefs = {};
  for (const [name, list] of Object.entries(mapping.codeLists)) {
    const idx = Object.keys(mapping.codeLists).indexOf(name);
    const letter = String.fromCharCode(66 + idx);
    listRefs[name] = `${LISTS_SHEET}!$${letter}$2:$${letter}$${list.items.length + 1}`;
  }
  for (const spec of mapping.sheets) addDataSheet(wb, spec, listRefs, rows);
  const refs = addLists(wb, mapping);
  for (const k of Object.keys(refs)) if (refs[k] !== listRefs[k]) throw new Error('références de listes incohérentes');
  return wb;
}
