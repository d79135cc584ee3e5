import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import type ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMapping, mappingPathFor, type Mapping } from '../src/mapping/load.js';
import { buildTemplate } from '../src/template/template.js';
import { avanceExample } from '../src/template/example.js';
import { fillWorkbook, type RowData } from '../src/template/fill.js';
import { findWorksheet } from '../src/rules/validate.js';
import { workbookBytes } from '../src/util/xlsx-write.js';
import { avanceMapping, cli, colOf, HEADER, merge, noteOf, readXlsx, tmpDir, type SheetRows } from './helpers.js';
import { demande, finess, ORANGE, pj, type ReportIssue } from './rules-helpers.js';

/**
 * Same value, same verdict, whatever the format: each book is written as a workbook (from the template, as
 * the other tests do) and exported as a CSV folder the way French Excel's « CSV (séparateur: point-virgule) »
 * (Windows-1252) or « CSV UTF-8 » export writes it: each cell as Excel displays it. Both go through the real
 * command; their problems (code, severity, place, demande), statuses and JSON files must be the same. Only
 * what the export itself loses (a 14-digit number shown in scientific notation, an amount rounded by its
 * cell's format, text that looks like a number) may differ, and those differences are asserted too.
 */

const DATE = '20261124';
const AVANCE = avanceMapping();
const SOLDE = loadMapping(mappingPathFor('solde'));

/** A value typed in a cell whose number format the vendor changed (otherwise the template's applies). */
class Formatted {
  constructor(
    readonly value: ExcelJS.CellValue,
    readonly numFmt: string,
  ) {}
}
const fmt = (value: ExcelJS.CellValue, numFmt: string) => new Formatted(value, numFmt) as unknown as ExcelJS.CellValue;

interface Book {
  name: string;
  rows: SheetRows;
  mapping?: Mapping;
  encoding: 'win1252' | 'utf8-bom';
}

/** Builds the workbook from the template (as writeWorkbook does), with the cells' own number formats. */
async function writeBook(file: string, book: Book): Promise<void> {
  const mapping = book.mapping ?? AVANCE;
  const formats: { sheet: string; row: number; field: string; numFmt: string }[] = [];
  const plain: Record<string, RowData[]> = {};
  for (const [sheet, rows] of Object.entries(book.rows)) {
    plain[sheet] = rows.map((r, i) =>
      Object.fromEntries(
        Object.entries(r).map(([field, v]) => {
          if (!(v instanceof Formatted)) return [field, v];
          formats.push({ sheet, row: i + 2, field, numFmt: v.numFmt });
          return [field, v.value];
        }),
      ),
    );
  }
  const wb = buildTemplate(mapping, avanceExample, 50);
  fillWorkbook(wb, mapping, plain);
  for (const f of formats) {
    const ws = findWorksheet(wb, f.sheet)!;
    ws.getRow(f.row).getCell(colOf(ws, `(${f.field})`)).numFmt = f.numFmt;
  }
  fs.writeFileSync(file, await workbookBytes(wb));
}

/** Error values as French Excel displays them. */
const FRENCH_ERRORS: Record<string, string> = { '#VALUE!': '#VALEUR!', '#NAME?': '#NOM?', '#NUM!': '#NOMBRE!', '#NULL!': '#NUL!' };

const pad2 = (n: number) => String(n).padStart(2, '0');

function dateText(d: Date, numFmt: string | undefined): string {
  const day = `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return numFmt?.includes('hh:mm') ? `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}` : day;
}

/** Excel's General format: 11 digits at most, then scientific notation with 6 significant digits. */
function generalText(v: number): string {
  if (Math.abs(v) >= 1e11) {
    const [m, e] = v.toExponential(5).split('e');
    return `${m.replace(/\.?0+$/, '').replace('.', ',')}E${e[0]}${e.slice(1).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(10))).replace('.', ',');
}

/** The text French Excel shows for a number in a cell of the given format (the formats these books use). */
function numberText(v: number, numFmt: string | undefined, space: string): string {
  if (!numFmt || numFmt === 'General' || numFmt === '@') return generalText(v);
  if (numFmt === '#,##0.00') {
    // Rounded as displayed, half away from zero, on the decimal value (15 significant digits).
    const cents = Math.round(Number((Math.abs(v) * 100).toPrecision(15)));
    const units = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, space);
    return `${v < 0 ? '-' : ''}${units},${pad2(cents % 100)}`;
  }
  const sci = /^0\.(0+)E\+00$/.exec(numFmt);
  if (sci) {
    const [m, e] = v.toExponential(sci[1].length).split('e');
    return `${m.replace('.', ',')}E${e[0]}${e.slice(1).padStart(2, '0')}`;
  }
  throw new Error(`format de nombre non prévu par le test : ${numFmt}`);
}

/** What the CSV export writes for a cell: its displayed text. */
function excelText(cell: ExcelJS.Cell, space: string): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'VRAI' : 'FAUX';
  if (typeof v === 'number') return numberText(v, cell.numFmt, space);
  if (v instanceof Date) return dateText(v, cell.numFmt);
  if ('error' in v) return FRENCH_ERRORS[v.error] ?? v.error;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  throw new Error(`valeur de cellule non prévue par le test : ${JSON.stringify(v)}`);
}

/**
 * Exports each sheet of the mapping as Excel does: the used range, every row padded to its width, « ; »,
 * quotes around a field holding « ; », a quote or a line break, CRLF between rows; in Windows-1252 (a
 * character it lacks becomes « ? », the French thousands separator is U+00A0) or UTF-8 with BOM (the
 * separator of recent Windows versions, U+202F).
 */
async function exportCsv(xlsx: string, dir: string, book: Book): Promise<void> {
  const wb = await readXlsx(xlsx);
  const space = book.encoding === 'win1252' ? '\u00a0' : '\u202f';
  fs.mkdirSync(dir, { recursive: true });
  for (const spec of (book.mapping ?? AVANCE).sheets) {
    const ws = wb.getWorksheet(spec.name)!;
    let lastRow = 0;
    let lastCol = 0;
    ws.eachRow((row, r) => {
      lastRow = r;
      row.eachCell((_c, col) => (lastCol = Math.max(lastCol, col)));
    });
    const lines: string[] = [];
    for (let r = 1; r <= lastRow; r++) {
      const fields = Array.from({ length: lastCol }, (_, c) => excelText(ws.getRow(r).getCell(c + 1), space));
      lines.push(fields.map((f) => (/[;"\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(';'));
    }
    const text = lines.join('\r\n') + '\r\n';
    const bytes = book.encoding === 'win1252' ? iconv.encode(text, 'win1252') : Buffer.from(`\ufeff${text}`, 'utf8');
    fs.writeFileSync(path.join(dir, `${spec.name}.csv`), bytes);
  }
}

interface Outcome {
  code: number;
  stderr: string;
  /** Problems as comparable records, by book name, sorted. */
  issues: Record<string, string[]>;
  statuses: Record<string, string[]>;
  /** Text of each JSON file written, by file name. */
  json: Record<string, string>;
}

const bookOf = (file: string) => path.basename(file).replace(/\.xlsx$/, '');

function outcome(r: ReturnType<typeof cli>, books: Book[]): Outcome {
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`sortie --json illisible (code ${r.code}) :\n${r.stdout}\n${r.stderr}`);
  }
  const o: Outcome = { code: r.code, stderr: r.stderr, issues: {}, statuses: {}, json: {} };
  for (const b of books) {
    o.issues[b.name] = [];
    o.statuses[b.name] = [];
  }
  for (const i of report.issues as ReportIssue[]) {
    const { code, severity, sheet, row, column, field, demande } = i;
    o.issues[bookOf(i.file)].push(JSON.stringify({ code, severity, sheet, row, column, field, demande }));
  }
  // Each demande's status and its codes, references to a fault of the header sheet included.
  for (const d of report.demandes) o.statuses[bookOf(d.file)].push(`${d.numeroEditeur} ${d.status} ${[...d.errors].sort()} ${[...d.warnings].sort()}`);
  for (const list of [...Object.values(o.issues), ...Object.values(o.statuses)]) list.sort();
  for (const f of report.jsonFiles) o.json[f.file] = fs.readFileSync(f.path, 'utf8');
  return o;
}

/** Writes every book both ways and runs convert --json once on the workbooks, once on the CSV folders. */
async function runBoth(books: Book[]): Promise<{ xlsx: Outcome; csv: Outcome; dir: string }> {
  const dir = tmpDir('x2s-formats-');
  for (const b of books) {
    const file = path.join(dir, 'classeurs', `${b.name}.xlsx`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writeBook(file, b);
    await exportCsv(file, path.join(dir, 'csv', b.name), b);
  }
  const run = (inputs: string[], out: string) => cli(['convert', ...inputs, '-o', path.join(dir, out), '--date', DATE, '--json', '-q']);
  const xlsx = run(books.map((b) => path.join(dir, 'classeurs', `${b.name}.xlsx`)), 'out-xlsx');
  const csv = run(books.map((b) => path.join(dir, 'csv', b.name)), 'out-csv');
  return { xlsx: outcome(xlsx, books), csv: outcome(csv, books), dir };
}

// ---------------------------------------------------------------- the books

const mandataire = { isClientUnique: 'NON', isMandataire: 'OUI' };
const deuxStructures = (num: string) => ({ extra: { FINESS: [finess(num)] } });

/** A demande whose numeroEditeur is typed as a number in every sheet. */
function numberedDemande(n: number): SheetRows {
  const rows = demande('x');
  return Object.fromEntries(Object.entries(rows).map(([s, list]) => [s, list.map((r) => ({ ...r, numeroEditeur: n }))]));
}

/** Identifiers: lost leading zeros, imprecise numbers, text kept as typed. */
const identifiers = (): SheetRows =>
  merge(
    demande('00001'),
    demande('00002', { FINESS: { numeroFINESSJuridique: 10000011, numeroFINESSGeos: 10000029 } }),
    demande('00003', { FINESS: { telephoneClient: 491000000 } }),
    demande('00004', { Commandes: { ...mandataire, nomMandataire: 'JEAN DUPONT', emailMandataire: 'j.dupont@mandataire.fr', telephoneMandataire: 612345678 } }, deuxStructures('00004')),
    numberedDemande(6),
    demande('00007', { FINESS: { numeroFINESSJuridique: 1300000 } }),
    demande('00008', { FINESS: { numeroFINESSGeos: 2 ** 53 + 2 } }),
    demande('00009', { FINESS: { numeroFINESSJuridique: 130000011.5 } }),
    demande('00010', { FINESS: { numeroFINESSJuridique: fmt(130000011, '0.00E+00') } }),
    demande('00011', { FINESS: { numeroFINESSJuridique: '010000011', numeroFINESSGeos: '2a0000012; 010000029' } }),
    demande('00012', { FINESS: { numeroFINESSGeos: '130000029\n130000037', telephoneClient: '0491000000' } }),
  );

/** Dates and amounts. */
const datesAndAmounts = (): SheetRows =>
  merge(
    demande('00020', { Commandes: { dateCommande: new Date(Date.UTC(2022, 0, 31)) } }),
    demande('00021', { Commandes: { dateCommande: fmt(new Date(Date.UTC(2022, 2, 12, 10, 30)), 'dd/mm/yyyy hh:mm') } }),
    demande('00022', { Commandes: { dateCommande: fmt(44632, 'General') } }),
    demande('00023', { Commandes: { dateCommande: '31/02/2022' } }),
    demande('00024', { Commandes: { dateCommande: new Date(Date.UTC(2026, 10, 25)) } }),
    demande('00025', { Commandes: { dateCommande: 'hier' } }),
    demande('00030', { Commandes: { montantSegurHT: 27450 } }),
    demande('00031', { Commandes: { montantSegurHT: 1234567.89 } }),
    demande('00032', { Commandes: { montantSegurHT: 27450.5 } }),
    demande('00033', { Commandes: { montantSegurHT: '27 450,00 €' } }),
    demande('00034', { Commandes: { montantSegurHT: fmt(12.345, 'General') } }),
    demande('00035', { Commandes: { montantSegurHT: '12,345' } }),
    demande('00036', { Commandes: { montantSegurHT: 0 } }),
    demande('00037', { Commandes: { montantSegurHT: -100 } }),
    demande('00038', { Commandes: { montantSegurHT: 'beaucoup' } }),
    demande('00039', { Commandes: { montantSegurHT: fmt(27450.5, 'General') } }),
  );

/** Booleans, lists, codes, texts, formula errors. */
const answersAndTexts = (): SheetRows =>
  merge(
    demande('00040', {
      Commandes: { isMandataire: false, isClientUnique: true },
      Scénarios: { isIdRef: 0, isIdSlave: 'non', isDirecToDMP: true, isPFIToDMP: 'FAUX', isDirectToMSSPro: 1, isPFIToMSSPro: 'Vrai' },
    }),
    demande('00041', { Scénarios: { isProSanteConnectNeeded: 2, isPFIToMSSPro: 'peut-être' } }),
    demande('00050', { Commandes: { regimeTVA: 'ttc' }, Scénarios: { operateurMessagerie: 'GIP_1 — GIP MIPIH' } }),
    demande('00051', { Scénarios: { operateurMessagerie: 'HÔP_302' } }),
    demande('00052', { Commandes: { regimeTVA: 'HTX' }, Scénarios: { operateurMessagerie: 'INCONNU_999' } }),
    demande('00053', { PJ: { nomFichier: 'BIO-SGL-Va1-BDC-00053.jpg' } }),
    demande('00060', { FINESS: { nomClient: 'labo du port é', emailClient: 'contact@' } }),
    demande('00061', { FINESS: { nomClient: 'LABO "LE PORT"; SITE 2' } }),
    demande('00062', { FINESS: { nomClient: 'A'.repeat(50), telephoneClient: null } }),
    demande('00063', { Commandes: { isClientUnique: 'OUI', isMandataire: 'NON', nomMandataire: 'JEAN DUPONT', telephoneMandataire: 612345678 } }),
    demande('00064', { Commandes: mandataire }, deuxStructures('00064')),
    demande('00065', { Commandes: { isClientUnique: 'OUI', isMandataire: 'OUI' } }),
    demande('00070', { Commandes: { montantSegurHT: { error: '#DIV/0!' } }, FINESS: { nomClient: { error: '#N/A' }, emailClient: { error: '#VALUE!' } } }),
  );

/** The join and the rules across sheets. */
const joins = (): SheetRows =>
  merge(
    demande('00080'),
    { Commandes: [{ ...demande('00080').Commandes[0] }] },
    { FINESS: [finess('09999')], PJ: [pj('09998', 'BON_COMMANDE')] },
    demande('00081', {}, { without: ['PJ'] }),
    demande('00082', { Commandes: { regimeTVA: 'HT' } }),
    demande('00083', {}, { extra: { FINESS: [finess('00083', { numeroFINESSJuridique: '130000011', nomClient: 'AUTRE NOM', numeroFINESSGeos: '130000029' })] } }),
    demande('00084', { Scénarios: { isIdRef: 'OUI' } }),
  );

const soldeDemande = (num: string | number, asp: string, o: { Factures?: RowData; FINESS?: RowData; Scénarios?: RowData } = {}): SheetRows => ({
  Factures: [{ numeroEditeur: num, numeroASP: asp, dateFacture: new Date(Date.UTC(2022, 5, 15)), montantSegurHTFacture: 15000, ...o.Factures }],
  FINESS: [{ numeroEditeur: num, numeroFINESSGeo: '130000029', ...o.FINESS }],
  PJ: [
    { numeroEditeur: num, typeFichier: 'FACTURE', formatFichier: 'PDF' },
    { numeroEditeur: num, typeFichier: 'VA', formatFichier: 'XML' },
  ],
  Scénarios: [{ numeroEditeur: num, isDirectToDMP: 'NON', isDirectToMSSPro: 'NON', isDirectToMSSCitoyen: 'NON', ...o.Scénarios }],
});

const SAME: Book[] = [
  { name: 'identifiants', encoding: 'win1252', rows: merge({ Fichier: [HEADER] }, identifiers()) },
  { name: 'dates-montants', encoding: 'utf8-bom', rows: merge({ Fichier: [{ ...HEADER, numeroAns: 'ANS0000002' }] }, datesAndAmounts()) },
  { name: 'reponses-textes', encoding: 'win1252', rows: merge({ Fichier: [{ ...HEADER, numeroAns: 'ANS0000003' }] }, answersAndTexts()) },
  {
    name: 'jointure',
    encoding: 'utf8-bom',
    rows: merge({ Fichier: [{ ...HEADER, numeroAns: 'ANS0000004', profilEsclaveIdentite: true, profilMailiz: 'VRAI', profilEnvironnementHospitalier: 1 }] }, joins()),
  },
  { name: 'entete-faux', encoding: 'win1252', rows: merge({ Fichier: [{ numeroAns: 'ANS000009', SIRET: '88412345600004' }] }, demande('00001')) },
  {
    name: 'solde',
    encoding: 'win1252',
    mapping: SOLDE,
    rows: merge(
      { Fichier: [{ ...HEADER, numeroAns: 'ANS0000005' }] },
      soldeDemande(1, 'finbio000006', { FINESS: { numeroFINESSGeo: 10000029 } }),
      soldeDemande('00002', 'FINBIO000007', { Factures: { dateFacture: fmt(44727, 'General'), montantSegurHTFacture: '12 000,50' }, Scénarios: { isDirectToDMP: true, identDMP: 'DMP-1;DMP-2' } }),
      soldeDemande('00003', 'FINBIO000008', { Factures: { montantSegurHTFacture: 12.5 }, Scénarios: { isDirectToMSSPro: 'OUI' } }),
    ),
  },
];

/** What the export loses: these may not get the same verdict. */
const LOSSY: Book[] = [
  { name: 'perte-siret', encoding: 'win1252', rows: merge({ Fichier: [{ numeroAns: 'ANS0000006', SIRET: 88412345600003 }] }, demande('00001')) },
  {
    name: 'perte-valeurs',
    encoding: 'win1252',
    rows: merge(
      { Fichier: [{ ...HEADER, numeroAns: 'ANS0000007' }] },
      demande('00001', { Commandes: { montantSegurHT: 12.345 } }),
      demande('00002', { FINESS: { numeroFINESSJuridique: '13000001' } }),
    ),
  },
];

describe('a CSV folder and its workbook: same repairs, warnings, errors and JSON', () => {
  let xlsx: Outcome;
  let csv: Outcome;
  let dir: string;
  beforeAll(async () => {
    ({ xlsx, csv, dir } = await runBoth([...SAME, ...LOSSY]));
  });

  it('the CSV folders are written as Excel writes them', () => {
    const read = (book: string, sheet: string) => fs.readFileSync(path.join(dir, 'csv', book, `${sheet}.csv`));
    const finess = iconv.decode(read('identifiants', 'FINESS'), 'win1252');
    expect(finess).toContain('00002;10000011;LABO DU PORT;contact@labo-port.fr;04 91 00 00 00;10000029\r\n');
    expect(finess).toContain(';9,0072E+15\r\n');
    expect(finess).toContain(';130000011,5;');
    expect(finess).toContain(';1,30E+08;');
    expect(finess).toContain(';"130000029\n130000037"\r\n');
    const dates = read('dates-montants', 'Commandes').toString('utf8');
    expect(dates.startsWith('\ufeff')).toBe(true);
    for (const text of [';31/01/2022;', ';12/03/2022 10:30;', ';44632;', ';27\u202f450,00;', ';1\u202f234\u202f567,89;', ';27450,5;', ';-100,00;', ';12,345;']) {
      expect(dates).toContain(text);
    }
    const answers = read('reponses-textes', 'Commandes');
    expect(answers.includes(Buffer.from(';15\xa0000,00;', 'latin1'))).toBe(true); // one byte 0xA0
    expect(iconv.decode(answers, 'win1252')).toContain(';#DIV/0!;');
    expect(iconv.decode(answers, 'win1252')).toContain(';FAUX;VRAI;');
    expect(iconv.decode(read('reponses-textes', 'FINESS'), 'win1252')).toContain(';#N/A;#VALEUR!;');
    expect(iconv.decode(read('perte-siret', 'Fichier'), 'win1252')).toContain('ANS0000006;8,84123E+13');
  });

  it('both runs complete: rejected demandes exit 1, nothing on stderr', () => {
    expect([xlsx.code, csv.code]).toEqual([1, 1]);
    expect(xlsx.stderr + csv.stderr).toBe('');
  });

  it('the books cover every kind of value and every repair, warning and error on values', () => {
    const codes = new Set(SAME.flatMap((b) => [...xlsx.issues[b.name].map((i) => JSON.parse(i).code), ...xlsx.statuses[b.name].flatMap((s) => s.split(' ').slice(2).join(',').split(','))]));
    for (const code of [
      'IDENTIFIANT_COMPLETE', 'NOMBRE_IMPRECIS', 'FORMAT_INVALIDE', 'MAJUSCULES', 'LONGUEUR_MAX', 'LONGUEUR_EXACTE',
      'EMAIL_INVALIDE', 'VALEUR_REQUISE', 'REQUIS_SI', 'VALEUR_IGNOREE', 'DATE_INVALIDE', 'DATE_FUTURE', 'MONTANT_INVALIDE',
      'MONTANT_DECIMALES', 'MONTANT_NON_POSITIF', 'BOOLEEN_INVALIDE', 'VALEUR_HORS_LISTE', 'CODE_INCONNU', 'CELLULE_EN_ERREUR',
      'SIRET_INVALIDE', 'ENTETE_BLOQUANTE', 'COMBINAISON_INTERDITE', 'GROUPE_INCOHERENT', 'VALEUR_DOUBLON',
      'NUMERO_EDITEUR_DOUBLON', 'LIGNE_ORPHELINE', 'LIGNES_MANQUANTES', 'PJ_TYPE_MANQUANT', 'PJ_NOM_INCORRECT', 'PJ_CONSEIL',
      'PROFIL_NON_DECLARE',
    ]) {
      expect(codes, code).toContain(code);
    }
  });

  for (const book of SAME) {
    it(`${book.name}: the same problems, on the same cells, and the same statuses`, () => {
      expect(csv.issues[book.name]).toEqual(xlsx.issues[book.name]);
      expect(csv.statuses[book.name]).toEqual(xlsx.statuses[book.name]);
      expect(xlsx.statuses[book.name].length).toBeGreaterThan(0);
    });
  }

  it('the same JSON files, to the byte', () => {
    const same = (o: Outcome) => Object.fromEntries(Object.entries(o.json).filter(([f]) => !/ANS000000[67]/.test(f)));
    expect(Object.keys(same(xlsx)).sort()).toEqual([
      'JSON-ANS0000001-20261124-001.json',
      'JSON-ANS0000002-20261124-001.json',
      'JSON-ANS0000003-20261124-001.json',
      'JSON-ANS0000004-20261124-001.json',
      'JSON-ANS0000005-20261124-001.json',
    ]);
    expect(same(csv)).toEqual(same(xlsx));
    // The lost leading zeros are back in both.
    expect(xlsx.json['JSON-ANS0000001-20261124-001.json']).toContain('"numeroFINESSJuridique": "010000011"');
  });

  it('the results workbook of a CSV folder marks the repaired cell, its CSV text kept', async () => {
    const wb = await readXlsx(path.join(dir, 'out-csv', 'identifiants.resultats.xlsx'));
    const cell = wb.getWorksheet('FINESS')!.getCell('B3');
    expect(cell.value).toBe('10000011');
    expect((cell.fill as any)?.fgColor?.argb).toBe(ORANGE);
    expect(noteOf(cell)).toContain('le nombre 10000011 a perdu ses zéros de tête dans le tableur ; il est lu « 010000011 »');
  });

  it('what the export loses: a 14-digit SIRET number, an amount rounded by its format, text that looks like a number', () => {
    const only = (o: Outcome, book: string) => o.issues[book].map((i) => JSON.parse(i)).map((i) => `${i.code} ${i.sheet} ${i.field}`);
    // Excel shows 88412345600003 as 8,84123E+13: the digits are gone, the CSV says so.
    expect(only(xlsx, 'perte-siret')).toEqual([]);
    expect(only(csv, 'perte-siret')).toEqual(['NOMBRE_IMPRECIS Fichier SIRET']);
    expect(csv.statuses['perte-siret'].every((s) => s.includes(' rejetee ENTETE_BLOQUANTE'))).toBe(true);
    // 12,345 in a cell formatted 0,00 is exported 12,35; the typed text 13000001 cannot be told from a number.
    expect(only(xlsx, 'perte-valeurs')).toEqual(['FORMAT_INVALIDE FINESS numeroFINESSJuridique', 'MONTANT_DECIMALES Commandes montantSegurHT']);
    expect(only(csv, 'perte-valeurs')).toEqual(['IDENTIFIANT_COMPLETE FINESS numeroFINESSJuridique']);
    expect(csv.json['JSON-ANS0000007-20261124-001.json']).toContain('"montantSegurHT": 12.35');
  });
});
