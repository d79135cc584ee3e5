/**
 * The package reader (src/read/package.ts) against the exceljs reading it replaced (gridFromWorksheet), on
 * workbooks written by exceljs, openpyxl, LibreOffice and by hand; and the results workbook written from
 * the package (src/annotate/results.ts), checked on its bytes and through openpyxl.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { LibreOffice, runPython, scratch } from './clients.js';
import { XlsxPackage } from '../src/read/package.js';
import { gridFromWorksheet, type Grid } from '../src/read/sheet.js';
import { CellError, type CellScalar } from '../src/read/cell.js';
import { readWorkbook } from '../src/read/xlsx.js';
import { columnOf, rowOf } from '../src/read/xml.js';
import { validatePackage } from '../src/rules/validate.js';
import { mappingOf } from '../src/mapping/detect.js';
import { resultsWorkbook } from '../src/annotate/results.js';
import { NOTE_SEPARATOR } from '../src/annotate/plan.js';
import { columnLetter } from '../src/issues/issues.js';
import { buildTemplate } from '../src/template/template.js';
import { avanceExample } from '../src/template/example.js';
import { fillWorkbook } from '../src/template/fill.js';
import { workbookBytes } from '../src/util/xlsx-write.js';
import { avanceMapping, colOf, demandeRows, HEADER, merge, noteOf } from './helpers.js';

const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => new Date(Date.UTC(y, m - 1, d, h, mi, s));

interface PlainRow {
  row: number;
  values: CellScalar[];
  /** Number format of each number cell ("General" is exceljs's undefined). */
  fmts: (string | null)[];
}

/**
 * A grid's rows as plain data: holes are null, trailing nulls dropped. A row of blanks only (spaces, NBSP)
 * has cells for exceljs but no value: the package does not give it, and readSheet skips it either way.
 */
function plain(grid: Grid): PlainRow[] {
  const out: PlainRow[] = [];
  for (const r of grid.rows()) {
    const values = Array.from(r.values, (v) => (v === undefined ? null : v));
    while (values.length && values[values.length - 1] === null) values.pop();
    if (!values.length) continue;
    const fmts = values.map((v, c) => (typeof v === 'number' ? (r.numFmt(c) ?? 'General') : null));
    out.push({ row: r.row, values, fmts });
  }
  return out;
}

/** Every sheet's rows, read from the package. */
async function packageRows(bytes: Buffer, file = 'classeur.xlsx'): Promise<Record<string, PlainRow[]>> {
  const pkg = await XlsxPackage.open(file, bytes);
  const out: Record<string, PlainRow[]> = {};
  for (const entry of pkg.sheets) out[entry.name] = plain(await pkg.grid(entry));
  return out;
}

/**
 * Every sheet's rows, read by exceljs (through readWorkbook, which normalises other tools' packages).
 * exceljs 4.4.0 only knows date1904="1": Calc's date1904="true" is written its way first.
 */
async function exceljsRows(bytes: Buffer): Promise<Record<string, PlainRow[]>> {
  const file = path.join(scratch('exceljs-'), 'classeur.xlsx');
  const zip = await JSZip.loadAsync(bytes);
  const wbXml = await zip.file('xl/workbook.xml')!.async('string');
  if (wbXml.includes('date1904="true"')) {
    zip.file('xl/workbook.xml', wbXml.replace('date1904="true"', 'date1904="1"'));
    bytes = await zip.generateAsync({ type: 'nodebuffer' });
  }
  fs.writeFileSync(file, bytes);
  const wb = await readWorkbook(file);
  const out: Record<string, PlainRow[]> = {};
  for (const ws of wb.worksheets) out[ws.name] = plain(gridFromWorksheet(ws));
  return out;
}

/**
 * Both readings of the same bytes are equal; returns the package's. `exceljsDrops` lists cells whose
 * formula has a false, 0 or "" cached result: exceljs 4.4.0 loses it (FormulaValue._copyModel keeps only
 * truthy fields), the package gives it. They are checked to be null for exceljs, then compared as given.
 */
async function sameAsExceljs(bytes: Buffer, exceljsDrops: Record<string, Record<string, CellScalar>> = {}): Promise<Record<string, PlainRow[]>> {
  const got = await packageRows(bytes);
  const ref = await exceljsRows(bytes);
  for (const [sheet, cells] of Object.entries(exceljsDrops)) {
    for (const [ref1, value] of Object.entries(cells)) {
      const row = ref[sheet].find((r) => r.row === rowOf(ref1))!;
      expect(row.values[columnOf(ref1)] ?? null, `exceljs ${sheet}!${ref1}`).toBeNull();
      row.values[columnOf(ref1)] = value;
      row.fmts[columnOf(ref1)] = typeof value === 'number' ? 'General' : null;
    }
  }
  expect(Object.keys(got)).toEqual(Object.keys(ref));
  for (const name of Object.keys(ref)) expect(got[name], `feuille ${name}`).toEqual(ref[name]);
  return got;
}

// ---------------------------------------------------------------------------------------------------------
// (a) A workbook with what Excel users put in one.

const SPECIAL = `A & B < C > D " E ' F`;
const WORLD = 'é € 中文 😀 Ünïcödé';

async function featureWorkbook(date1904: boolean): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  (wb as unknown as { properties: { date1904: boolean } }).properties.date1904 = date1904;
  const ws = wb.addWorksheet('Données');
  ws.addRow(['Texte', 'Nombre', 'Date', 'Booléen', 'Formule', 'Erreur', 'Riche', 'Lien']);
  ws.addRow([
    WORLD,
    42,
    utc(2024, 2, 29),
    true,
    { formula: 'B2*2', result: 84 },
    { error: '#N/A' },
    { richText: [{ text: 'Gr', font: { bold: true } }, { text: 'as & ' }, { text: 'maigre', font: { italic: true } }] },
    { text: 'Site <ASP>', hyperlink: 'https://exemple.fr/?a=1&b=2' },
  ]);
  ws.addRow([
    `\u00a0 ${SPECIAL} \u202f`,
    -1234.5678,
    utc(1904, 1, 1),
    false,
    { formula: 'A2&"x"', result: 'é€x' },
    { formula: '1/0', result: { error: '#DIV/0!' } },
    { formula: 'C2+1', result: utc(2024, 3, 1) },
    { formula: 'D2', result: true },
  ]);
  ws.getCell('C3').numFmt = 'dd/mm/yyyy';
  ws.getCell('G3').numFmt = 'yyyy-mm-dd';
  // Rows 4 and 5 stay empty (row 5 has a styled empty cell); row 6 after them.
  ws.getCell('B5').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
  ws.addRow([]);
  ws.getRow(6).values = ['00012', 0.1 + 0.2, utc(2022, 3, 12, 13, 45, 30), null, { formula: 'B6*1', result: 0.30000000000000004 }, { error: '#REF!' }, 1.5e-10, 123456789012];
  ws.getCell('C6').numFmt = 'dd/mm/yyyy hh:mm:ss';
  ws.getCell('G6').numFmt = '0.00E+00';
  ws.getCell('H6').numFmt = '#,##0.00';
  ws.getRow(7).values = ['\u00a0', ' ', null, null, null, null, null, 'après vide'];
  ws.getRow(11).values = ['\u00a0', '   '];
  // Merged cells: A8:B9 and C8:C10.
  ws.getCell('A8').value = 'fusion A8:B9';
  ws.getCell('C8').value = 7;
  ws.mergeCells('A8:B9');
  ws.mergeCells('C8:C10');
  ws.getCell('D10').value = 'sous la fusion';
  ws.getCell('A12').value = 'ligne 1\nligne 2';
  ws.getCell('B12').value = 2;
  ws.getCell('B13').value = 3;
  ws.getCell('E12').value = { formula: 'B12*2', result: 4, shareType: 'shared', ref: 'E12:E13' } as ExcelJS.CellValue;
  ws.getCell('E13').value = { sharedFormula: 'E12', result: 6 } as ExcelJS.CellValue;
  ws.getCell('A12').note = 'Une note du vendeur';
  const other = wb.addWorksheet(`Autre & «feuille»`);
  other.getCell('B2').value = 'seule';
  other.getCell('A3').value = utc(2000, 1, 1);
  other.getCell('A3').numFmt = 'd-mmm-yy';
  wb.addWorksheet('Vide');
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Values the package must give for the feature workbook, whoever saved it last. */
function checkFeatures(rows: Record<string, PlainRow[]>, opts: { formulas: boolean }): void {
  const sheet = rows['Données'];
  const at = (r: number) => sheet.find((x) => x.row === r)?.values ?? [];
  expect(sheet.map((r) => r.row)).toEqual([1, 2, 3, 6, 7, 8, 9, 10, 12, 13]);
  expect(at(2).slice(1, 5)).toEqual([WORLD, 42, utc(2024, 2, 29), true]);
  expect(at(2)[6]).toEqual(new CellError('#N/A'));
  expect(at(2)[7]).toBe('Gras & maigre');
  expect(at(2)[8]).toBe('Site <ASP>');
  expect(at(3).slice(1, 5)).toEqual([SPECIAL, -1234.5678, utc(1904, 1, 1), false]);
  expect([at(6)[1], at(6)[3]]).toEqual(['00012', utc(2022, 3, 12, 13, 45, 30)]);
  expect(at(6)[2]).toBeCloseTo(0.3, 15); // openpyxl writes 0.1 + 0.2 with 15 digits
  expect(at(6).slice(6, 9)).toEqual([new CellError('#REF!'), 1.5e-10, 123456789012]);
  expect(at(7)).toEqual([null, null, null, null, null, null, null, null, 'après vide']);
  expect(at(8).slice(1, 4)).toEqual(['fusion A8:B9', 'fusion A8:B9', 7]);
  expect(at(9).slice(1, 4)).toEqual(['fusion A8:B9', 'fusion A8:B9', 7]);
  expect(at(10).slice(1, 5)).toEqual([null, null, 7, 'sous la fusion']);
  expect(at(12)[1]).toBe('ligne 1\nligne 2');
  if (opts.formulas) {
    expect(at(2)[5]).toBe(84);
    expect(at(3).slice(5, 9)).toEqual(['é€x', new CellError('#DIV/0!'), utc(2024, 3, 1), true]);
    expect([at(12)[5], at(13)[5]]).toEqual([4, 6]); // a shared formula
  }
  expect(rows[`Autre & «feuille»`]).toEqual([
    { row: 2, values: [null, null, 'seule'], fmts: [null, null, null] },
    { row: 3, values: [null, utc(2000, 1, 1)], fmts: [null, null] },
  ]);
  expect(rows['Vide']).toEqual([]);
}

const OPENPYXL_RESAVE = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
`;

/** LibreOffice is optional here: without it, (c) is skipped and says why. */
const SOFFICE = spawnSync('soffice', ['--version'], { encoding: 'utf8', timeout: 60_000 }).status === 0;
let lo: LibreOffice | undefined;
const calc = () => (lo ??= new LibreOffice());

describe('the package reader gives the rows exceljs gives', () => {
  for (const date1904 of [false, true]) {
    const system = date1904 ? '1904' : '1900';
    it(`(a) written by exceljs, ${system} date system`, async () => {
      const bytes = await featureWorkbook(date1904);
      const wbXml = await (await JSZip.loadAsync(bytes)).file('xl/workbook.xml')!.async('string');
      expect(wbXml.includes('date1904="1"')).toBe(date1904);
      checkFeatures(await sameAsExceljs(bytes), { formulas: true });
    });

    it(`(b) saved by openpyxl, ${system} date system`, async () => {
      const dir = scratch('openpyxl-');
      const src = path.join(dir, 'exceljs.xlsx');
      const dst = path.join(dir, 'openpyxl.xlsx');
      fs.writeFileSync(src, await featureWorkbook(date1904));
      runPython(OPENPYXL_RESAVE, [src, dst]);
      const bytes = fs.readFileSync(dst);
      // openpyxl's own writing: inline strings with character references, notes in xl/comments/.
      const zip = await JSZip.loadAsync(bytes);
      expect(await zip.file('xl/worksheets/sheet1.xml')!.async('string')).toContain('<c r="A2" t="inlineStr"><is><t>&#233; &#8364;');
      expect(zip.file('xl/comments/comment1.xml')).not.toBeNull();
      expect((await zip.file('xl/workbook.xml')!.async('string')).includes('date1904="1"')).toBe(date1904);
      // openpyxl keeps formulas but drops their cached results.
      checkFeatures(await sameAsExceljs(bytes), { formulas: false });
    });

    it.skipIf(!SOFFICE)(`(c) re-saved by LibreOffice Calc, ${system} date system${SOFFICE ? '' : ' (skipped: soffice not found, install libreoffice-calc-nogui)'}`, async () => {
      const src = path.join(scratch('lo-in-'), 'classeur.xlsx');
      fs.writeFileSync(src, await featureWorkbook(date1904));
      const bytes = fs.readFileSync(calc().resave(src));
      const zip = await JSZip.loadAsync(bytes);
      expect(await zip.file('docProps/app.xml')!.async('string')).toMatch(/<Application>LibreOffice/);
      expect((await zip.file('xl/workbook.xml')!.async('string')).includes('date1904="true"')).toBe(date1904);
      // Calc writes FALSE as the formula =FALSE() with its cached result, which exceljs loses.
      const rows = await sameAsExceljs(bytes, { Données: { D3: false } });
      checkFeatures(rows, { formulas: true });
    }, 150_000);
  }
});

// ---------------------------------------------------------------------------------------------------------
// (d) Packages edited by hand: what other writers put in a sheet's XML.

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
/** Shared strings of the hand-edited packages. */
const SST = [
  '<si><t>partagé é</t></si>',
  '<si><r><t>Ki</t></r><r><rPr><b/></rPr><t>mura</t></r><rPh sb="0" eb="2"><t>キムラ</t></rPh><phoneticPr fontId="1"/></si>',
  '<si><t>&#233;t&#xE9; &#x20AC; &amp; &#128512;</t></si>',
  '<si><t>木村</t><rPh sb="0" eb="2"><t>キムラ</t></rPh></si>',
];

/** An exceljs package whose first sheet's XML (and shared strings) are replaced. s="1" is a date style. */
async function handEdited(sheetXml: string, sst: string[] = SST): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Main');
  ws.getCell('A1').value = 'base';
  ws.getCell('B1').value = utc(2024, 2, 29);
  ws.getCell('B1').numFmt = 'yyyy-mm-dd';
  const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
  expect(await zip.file('xl/worksheets/sheet1.xml')!.async('string')).toContain('<c r="B1" s="1"><v>45351</v></c>');
  zip.file('xl/worksheets/sheet1.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + sheetXml);
  zip.file('xl/sharedStrings.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN_NS}" count="${sst.length}" uniqueCount="${sst.length}">${sst.join('')}</sst>`);
  return zip.generateAsync({ type: 'nodebuffer' });
}

const sheet = (rows: string) => `<worksheet xmlns="${MAIN_NS}"><sheetData>${rows}</sheetData></worksheet>`;

/** The package's rows of the sheet Main, without number formats. */
async function mainRows(bytes: Buffer): Promise<{ row: number; values: CellScalar[] }[]> {
  return (await packageRows(bytes)).Main.map(({ row, values }) => ({ row, values }));
}

describe('(d) hand-edited packages', () => {
  it('inline strings (plain, rich, with references and blanks) and a shared string', async () => {
    const bytes = await handEdited(
      sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>en ligne &#233;</t></is></c><c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><i/></rPr><t>che &amp; &lt;b&gt;</t></r></is></c>' +
          '<c r="C1" t="inlineStr"><is><t xml:space="preserve">  &#x20AC; 5&#160; </t></is></c><c r="D1" t="s"><v>0</v></c><c r="E1" t="inlineStr"><is><t></t></is></c></row>',
      ),
    );
    expect(await mainRows(bytes)).toEqual([{ row: 1, values: [null, 'en ligne é', 'riche & <b>', '€ 5', 'partagé é'] }]);
    await sameAsExceljs(bytes);
  });

  it('shared strings with phonetic runs and character references; t="str", t="b", t="e" formula results', async () => {
    const bytes = await handEdited(
      sheet(
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v>3</v></c></row>' +
          '<row r="2"><c r="A2" t="str"><f>"&#233;"&amp;"x"</f><v>&#233;x &amp; &lt;y&gt; &#x4E2D;</v></c><c r="B2" t="str"><v>sans formule</v></c>' +
          '<c r="C2" t="b"><f>TRUE()</f><v>1</v></c><c r="D2" t="e"><f>NA()</f><v>#N/A</v></c><c r="E2" s="1"><f>TODAY()</f><v>45351</v></c>' +
          '<c r="F2"><f>0*1</f><v>0</v></c><c r="G2" t="str"><f>""</f><v></v></c><c r="H2"><f>1+1</f></c></row>',
      ),
    );
    const want = [
      { row: 1, values: [null, 'Kimura', 'été € & 😀', '木村'] },
      { row: 2, values: [null, 'éx & <y> 中', 'sans formule', true, new CellError('#N/A'), utc(2024, 2, 29), 0] },
    ];
    expect(await mainRows(bytes)).toEqual(want);
    await sameAsExceljs(bytes, { Main: { F2: 0 } });
  });

  it('a sheet whose elements carry a namespace prefix (exceljs cannot read it)', async () => {
    const bytes = await handEdited(
      `<x:worksheet xmlns:x="${MAIN_NS}"><x:dimension ref="A1:D3"/><x:sheetData>` +
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>12.5</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>préfixe &amp; co</x:t></x:is></x:c></x:row>' +
        '<x:row r="3"><x:c r="B3" t="b"><x:v>0</x:v></x:c><x:c r="D3" s="1"><x:v>45351</x:v></x:c><x:c r="E3" t="str"><x:f>"a"</x:f><x:v>a</x:v></x:c></x:row>' +
        '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B3:C3"/></x:mergeCells></x:worksheet>',
    );
    expect(await mainRows(bytes)).toEqual([
      { row: 1, values: [null, 'partagé é', 12.5, 'préfixe & co'] },
      { row: 3, values: [null, null, false, false, utc(2024, 2, 29), 'a'] },
    ]);
    await expect(exceljsRows(bytes)).rejects.toThrow(/illisible ou endommagé/);
  });

  it('rows and cells without the r attribute follow the one before (exceljs cannot place them)', async () => {
    const bytes = await handEdited(
      sheet(
        '<row><c t="s"><v>0</v></c><c><v>1</v></c><c r="D1"><v>4</v></c><c><v>5</v></c></row>' +
          '<row><c><v>2</v></c></row><row r="5"><c r="B5"><v>3</v></c></row><row><c t="inlineStr"><is><t>six</t></is></c><c s="1"><v>45351</v></c></row>',
      ),
    );
    expect(await mainRows(bytes)).toEqual([
      { row: 1, values: [null, 'partagé é', 1, null, 4, 5] },
      { row: 2, values: [null, 2] },
      { row: 5, values: [null, null, 3] },
      { row: 6, values: [null, 'six', utc(2024, 2, 29)] },
    ]);
  });

  const isoDates = () =>
    handEdited(sheet('<row r="1"><c r="A1" t="d"><v>2024-02-29T00:00:00</v></c><c r="B1" t="d" s="1"><v>2022-03-12T13:45:30</v></c><c r="C1" t="d"><v>2024-02-29</v></c></row>'));
  const isoWant = [{ row: 1, values: [null, utc(2024, 2, 29), utc(2022, 3, 12, 13, 45, 30), utc(2024, 2, 29)] }];

  /** Runs `f` with the process in another time zone (Node reads TZ again when it is set). */
  async function inZone<T>(zone: string, f: () => Promise<T>): Promise<T> {
    const tz = process.env.TZ;
    process.env.TZ = zone;
    try {
      return await f();
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  }

  it('t="d" cells (ISO 8601 dates) are dates (exceljs reads the year)', async () => {
    const bytes = await isoDates();
    // exceljs reads the year as a number (parseFloat), a day of 1905 under a date style.
    expect((await exceljsRows(bytes)).Main[0].values).toEqual([null, 2024, utc(1905, 7, 14), 2024]);
    expect(await inZone('UTC', () => mainRows(bytes))).toEqual(isoWant);
  });

  // openpyxl writes dates as ISO date-times without offset (iso_dates=True): the date written, in any zone.
  it('t="d" cells are the same dates in every time zone', async () => {
    const bytes = await isoDates();
    for (const zone of ['Pacific/Kiritimati', 'America/Los_Angeles']) expect(await inZone(zone, () => mainRows(bytes)), zone).toEqual(isoWant);
  });

  // Excel writes a carriage return in a string as _x000D_ (ECMA-376 §22.9.2.19), which exceljs decodes too.
  it('escaped characters of strings (_x000D_, as Excel writes a carriage return) are decoded as exceljs does', async () => {
    const bytes = await handEdited(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'), [
      '<si><t>ligne 1_x000D_\nligne 2</t></si>',
      '<si><t>tab_x0009_ici, _x005F_x0041_</t></si>',
    ]);
    expect(await mainRows(bytes)).toEqual([{ row: 1, values: [null, 'ligne 1\r\nligne 2', 'tab\tici, _x0041_'] }]);
    await sameAsExceljs(bytes);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The results workbook, written from the input package.

const VENDOR_NOTE = 'Note du vendeur : montant à confirmer avec le client (réf. « A&B » <2>)';
const RED = 'FFFFC7CE';

/** A template-built workbook, demande 00002 with a faulty amount that carries the vendor's own note,
 * a helper formula column, and a calculation chain (which exceljs does not write: added by hand). */
async function writerInput(): Promise<{ bytes: Buffer; amountCol: number; helperCol: number }> {
  const mapping = avanceMapping();
  const wb = buildTemplate(mapping, avanceExample, 50);
  fillWorkbook(wb, mapping, merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002', { Commandes: { montantSegurHT: '12,345' } }), demandeRows('00003')));
  const ws = wb.getWorksheet('Commandes')!;
  const amountCol = colOf(ws, '(montantSegurHT)');
  ws.getRow(3).getCell(amountCol).note = VENDOR_NOTE;
  const helperCol = ws.actualColumnCount + 1;
  ws.getRow(1).getCell(helperCol).value = 'Longueur du numéro';
  for (const r of [2, 3, 4]) ws.getRow(r).getCell(helperCol).value = { formula: `LEN(A${r})`, result: 5 };
  const zip = await JSZip.loadAsync(await workbookBytes(wb));
  const sheetId = wb.worksheets.indexOf(ws) + 1;
  zip.file('xl/calcChain.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="${MAIN_NS}"><c r="${columnLetter(helperCol)}2" i="${sheetId}"/></calcChain>`);
  const types = await zip.file('[Content_Types].xml')!.async('string');
  zip.file('[Content_Types].xml', types.replace('</Types>', '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'));
  const rels = await zip.file('xl/_rels/workbook.xml.rels')!.async('string');
  zip.file('xl/_rels/workbook.xml.rels', rels.replace('</Relationships>', '<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>'));
  return { bytes: await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }), amountCol, helperCol };
}

/** Convert's reading and results workbook, on bytes. */
async function results(bytes: Buffer, file = 'commandes.xlsx'): Promise<{ out: Buffer; result: Awaited<ReturnType<typeof validatePackage>> }> {
  const pkg = await XlsxPackage.open(file, bytes);
  const result = await validatePackage(pkg, file, mappingOf('avance'), { depositDate: '24/11/2026' });
  return { out: await resultsWorkbook(pkg, result, { dryRun: false, files: [], date: '20261124', source: path.basename(file), mark: { output: 'resultats', source: path.basename(file), date: '20261124' } }), result };
}

/** The Commandes sheet's XML of a package. */
async function commandesXml(bytes: Buffer): Promise<string> {
  const pkg = await XlsxPackage.open('x.xlsx', bytes);
  return (await pkg.text(pkg.sheet('Commandes')!.part))!;
}

/** What openpyxl sees of the Commandes sheet; with a destination, the faulty cell is fixed and saved there. */
const INSPECT_PY = `
import json, sys, openpyxl
src, amount_col, helper_col = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
wb = openpyxl.load_workbook(src)
ws = wb["Commandes"]
head = {c.value: c.column for c in ws[1] if isinstance(c.value, str)}
status, problems = head.get("Statut [xlsx2segur]"), head.get("Problèmes [xlsx2segur]")
cell = ws.cell(row=3, column=amount_col)
print(json.dumps({
    "sheets": wb.sheetnames,
    "status": [ws.cell(row=r, column=status).value if status else None for r in (2, 3, 4)],
    "problems": ws.cell(row=3, column=problems).value if problems else None,
    "amount": cell.value,
    "fill": [cell.fill.fill_type, cell.fill.fgColor.rgb],
    "otherFills": [ws.cell(row=r, column=amount_col).fill.fgColor.rgb for r in (2, 4)],
    "note": cell.comment.text if cell.comment else None,
    "helper": [ws.cell(row=r, column=helper_col).value for r in (2, 3, 4)],
    "validations": len(ws.data_validations.dataValidation),
}))
if len(sys.argv) > 4:
    cell.value = 12345
    wb.save(sys.argv[4])
`;

function inspect(bytes: Buffer, cols: { amountCol: number; helperCol: number }, fixedTo?: string): any {
  const file = path.join(scratch('results-'), 'commandes.resultats.xlsx');
  fs.writeFileSync(file, bytes);
  return JSON.parse(runPython(INSPECT_PY, [file, String(cols.amountCol), String(cols.helperCol), ...(fixedTo ? [fixedTo] : [])]));
}

describe('reading a big sheet tells how far it is, and lets other work run', () => {
  it('a sheet of 12 MB of XML: read in windows, each told in bytes, the whole as the archive declares it; a timer runs between windows', async () => {
    const rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>texte</t></is></c></row>'];
    for (let r = 2; r <= 60_000; r++) rows.push(`<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>${'x'.repeat(150)} ${r}</t></is></c><c r="B${r}"><v>${r}</v></c></row>`);
    const bytes = await handEdited(sheet(rows.join('')));
    const pkg = await XlsxPackage.open('grand.xlsx', bytes);
    const sheetXml = await (await JSZip.loadAsync(bytes)).file('xl/worksheets/sheet1.xml')!.async('nodebuffer');
    expect(pkg.sheetBytes()).toBe(sheetXml.length);
    // A timer set before the reading fires before it ends, as a page's request for the progress would be
    // answered: readSheet (mapping/sheet.ts) lets a turn of the event loop go between windows.
    let fired = 0;
    const timer = setInterval(() => fired++, 0);
    const told: { bytes: number; fired: number }[] = [];
    pkg.onRead = (n) => told.push({ bytes: n, fired });
    const { readSheet } = await import('../src/mapping/sheet.js');
    const spec = { name: 'Main', role: 'main', columns: [{ field: 'texte', label: 'Texte', type: 'text' }] };
    const data = await readSheet(await pkg.grid(pkg.sheet('Main')!), spec as never);
    clearInterval(timer);
    expect(data.rows).toHaveLength(59_999);
    expect(told.length).toBeGreaterThanOrEqual(3); // windows of 4 MB
    const sum = told.reduce((a, t) => a + t.bytes, 0);
    expect(sum).toBeGreaterThan(0.99 * sheetXml.length); // the rows: all but the XML's head and tail
    expect(sum).toBeLessThanOrEqual(sheetXml.length);
    expect(told[0].fired).toBe(0);
    expect(told[told.length - 1].fired).toBeGreaterThan(0);
  });
});

describe('the results workbook written from the package', () => {
  it('marks the faulty cell, keeps formulas, validations and the vendor note, drops calcChain, is deterministic', async () => {
    const input = await writerInput();
    const { out, result } = await results(input.bytes);
    expect(result.demandes.map((d) => [d.key, d.verdict])).toEqual([['00001', 'valide'], ['00002', 'rejetee'], ['00003', 'valide']]);
    expect((await results(input.bytes)).out.equals(out), 'same input, same bytes').toBe(true);

    // openpyxl reads it: our columns, the red fill and the note, ours first, then the vendor's.
    const seen = inspect(out, input);
    expect(seen.sheets).toContain('Synthèse');
    expect(seen.status).toEqual(['Valide, à exporter', 'Rejetée : 1 erreur à corriger (voir Problèmes)', 'Valide, à exporter']);
    expect(seen.problems).toContain('MONTANT_DECIMALES');
    expect(seen.amount).toBe('12,345');
    expect(seen.fill).toEqual(['solid', RED]);
    expect(seen.otherFills).not.toContain(RED);
    const [ours, vendor, ...rest] = seen.note.split(NOTE_SEPARATOR);
    expect(ours).toMatch(/^xlsx2segur : .*plus de deux décimales/);
    expect([vendor, ...rest]).toEqual([VENDOR_NOTE]);
    expect(seen.helper).toEqual(['=LEN(A2)', '=LEN(A3)', '=LEN(A4)']);

    // The sheet's XML: formulas with their cached results, the data validations as they were.
    const before = await commandesXml(input.bytes);
    const after = await commandesXml(out);
    const helper = columnLetter(input.helperCol);
    for (const r of [2, 3, 4]) expect(after).toMatch(new RegExp(`<c r="${helper}${r}"[^>]*><f>LEN\\(A${r}\\)</f><v>5</v></c>`));
    const validations = (xml: string) => /<dataValidations\b[\s\S]*?<\/dataValidations>/.exec(xml)?.[0];
    expect(validations(before)).toMatch(/<dataValidation\b/);
    expect(validations(after)).toBe(validations(before));
    expect(seen.validations).toBeGreaterThan(0);

    // The calculation chain is gone, and everything that named it.
    const zipIn = await JSZip.loadAsync(input.bytes);
    const zipOut = await JSZip.loadAsync(out);
    expect(zipIn.file('xl/calcChain.xml')).not.toBeNull();
    expect(zipOut.file('xl/calcChain.xml')).toBeNull();
    expect(await zipOut.file('[Content_Types].xml')!.async('string')).not.toContain('calcChain');
    expect(await zipOut.file('xl/_rels/workbook.xml.rels')!.async('string')).not.toContain('calcChain');

    // The vendor fixes the cell with openpyxl; converted again, the cell gets back only the vendor's note.
    const fixed = path.join(scratch('fixed-'), 'commandes.resultats.xlsx');
    inspect(out, input, fixed);
    const again = await results(fs.readFileSync(fixed), fixed);
    expect(again.result.demandes.map((d) => d.verdict)).toEqual(['valide', 'valide', 'valide']);
    const file = path.join(scratch('again-'), 'commandes.resultats.xlsx');
    fs.writeFileSync(file, again.out);
    const ws = (await readWorkbook(file)).getWorksheet('Commandes')!;
    expect([2, 3, 4].map((r) => ws.getRow(r).getCell(colOf(ws, 'Statut [xlsx2segur]')).value)).toEqual(['Valide, à exporter', 'Valide, à exporter', 'Valide, à exporter']);
    const cell = ws.getRow(3).getCell(input.amountCol);
    expect(cell.value).toBe(12345);
    expect(noteOf(cell)).toBe(VENDOR_NOTE);
    expect((cell.fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb).not.toBe(RED);
    // openpyxl kept the formulas (without results), and so did the results workbook.
    expect(await commandesXml(again.out)).toMatch(new RegExp(`<c r="${helper}3"[^>]*><f>LEN\\(A3\\)</f>`));
  });

  // openpyxl declares xmlns:r on each <sheet>, not on <workbook>: the Synthèse's <sheet> must declare it too.
  it('the results workbook of a workbook saved by openpyxl opens in openpyxl', async () => {
    const input = await writerInput();
    const dir = scratch('openpyxl-in-');
    fs.writeFileSync(path.join(dir, 'exceljs.xlsx'), input.bytes);
    runPython(OPENPYXL_RESAVE, [path.join(dir, 'exceljs.xlsx'), path.join(dir, 'commandes.xlsx')]);
    const { out } = await results(fs.readFileSync(path.join(dir, 'commandes.xlsx')));
    const seen = inspect(out, input);
    expect(seen.status).toEqual(['Valide, à exporter', 'Rejetée : 1 erreur à corriger (voir Problèmes)', 'Valide, à exporter']);
    expect(seen.note).toMatch(/^xlsx2segur : /);
  });

  it('every XML part of a results workbook is well-formed with its namespaces declared (inputs from exceljs, openpyxl, Calc)', async () => {
    const input = await writerInput();
    const dir = scratch('wellformed-');
    const inputs: [string, Buffer][] = [['exceljs', input.bytes]];
    fs.writeFileSync(path.join(dir, 'exceljs.xlsx'), input.bytes);
    runPython(OPENPYXL_RESAVE, [path.join(dir, 'exceljs.xlsx'), path.join(dir, 'openpyxl.xlsx')]);
    inputs.push(['openpyxl', fs.readFileSync(path.join(dir, 'openpyxl.xlsx'))]);
    if (SOFFICE) inputs.push(['calc', fs.readFileSync(calc().resave(path.join(dir, 'exceljs.xlsx')))]);
    for (const [who, bytes] of inputs) {
      const { out } = await results(bytes);
      const file = path.join(dir, `${who}.resultats.xlsx`);
      fs.writeFileSync(file, out);
      // ElementTree resolves every prefix: an undeclared one is an error ("unbound prefix").
      const report = runPython(
        `
import sys, zipfile, xml.etree.ElementTree as ET
bad = []
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if n.endswith(('.xml', '.rels')) or n.startswith('xl/drawings/vmlDrawing'):
            try:
                ET.fromstring(z.read(n))
            except ET.ParseError as e:
                bad.append(n + ': ' + str(e))
print(chr(10).join(bad) if bad else 'ok')
`,
        [file],
      );
      expect(report.trim(), who).toBe('ok');
    }
  });
});
