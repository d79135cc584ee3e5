/**
 * Workbooks written by real third-party clients, as vendors produce them: openpyxl scripts and LibreOffice
 * Calc. The clients must be installed (.ci/run installs them); a missing one fails these tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { basicString, LibreOffice, requireOpenpyxl, requireSoffice, runPython, scratch } from './clients.js';
import { avanceMapping, cli, colOf, demandeRows, HEADER, jsonFiles, merge, noteOf, readXlsx, root, writeWorkbook, type SheetRows } from './helpers.js';

const TEMPLATE = path.join(root, 'templates', 'avance-bio-sgl.xlsx');
const DATE = '20261124';
const JSON_NAME = `JSON-ANS0000001-${DATE}-001.json`;
const RED = 'FFFFC7CE';
const LO_TIMEOUT = 150_000;

const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** Three demandes with varied content: ints and floats for amounts, real dates, a mandataire, several FINESS. */
function vendorRows(): SheetRows {
  return merge(
    { Fichier: [HEADER] },
    demandeRows('00001', { Commandes: { dateCommande: day(2022, 3, 12), montantSegurHT: 15000 } }),
    demandeRows('00002', {
      Commandes: {
        dateCommande: day(2021, 12, 31),
        regimeTVA: 'HT',
        montantSegurHT: 27450.5,
        isMandataire: 'OUI',
        isClientUnique: 'NON',
        nomMandataire: 'DURAND',
        emailMandataire: 'm.durand@exemple.fr',
        telephoneMandataire: '01 02 03 04 05',
      },
      FINESS: { numeroFINESSGeos: '111111111;111111112' },
      Scénarios: { operateurMessagerie: 'ENO_5 — ENOVACOM' },
    }),
    {
      FINESS: [
        {
          numeroEditeur: '00002',
          numeroFINESSJuridique: '999999992',
          nomClient: 'MARTIN',
          emailClient: 'direction@labo-martin.fr',
          telephoneClient: '01 02 03 04 06',
          numeroFINESSGeos: '222222222',
        },
      ],
      PJ: [{ numeroEditeur: '00002', typeFichier: 'PREUVE_HT', formatFichier: 'PDF' }],
    },
    demandeRows('00003', { Commandes: { dateCommande: day(2024, 2, 29), montantSegurHT: 1234.56 } }),
  );
}

interface Converted {
  code: number;
  stdout: string;
  out: string;
  /** Text of the single JSON file written. */
  text: string;
  json: any;
}

function convert(file: string, env?: Record<string, string>): Converted {
  const out = scratch('out-');
  const r = cli(['convert', file, '-o', out, '--date', DATE], { env });
  expect(r.stderr).toBe('');
  // Only the files to deposit (the output folder may hold other files of the tool).
  const files = jsonFiles(out).filter((f) => f.startsWith('JSON-'));
  expect(files, r.stdout).toEqual([JSON_NAME]);
  const text = fs.readFileSync(path.join(out, JSON_NAME), 'utf8');
  return { code: r.code, stdout: r.stdout, out, text, json: JSON.parse(text) };
}

/** The JSON our tool writes for rows written by the test helpers (exceljs): the reference. */
async function reference(rows: SheetRows): Promise<Converted> {
  const wb = await writeWorkbook(path.join(scratch(), 'reference.xlsx'), rows);
  const c = convert(wb);
  expect(c.code, c.stdout).toBe(0);
  return c;
}

/** Cells to set with openpyxl: dates as {date: 'AAAA-MM-JJ'} (datetime.date), numbers stay int or float. */
interface PyCell {
  sheet: string;
  row: number;
  field: string;
  value: string | number | { date: string };
}

function pyCells(rows: SheetRows): PyCell[] {
  const cells: PyCell[] = [];
  for (const [sheet, list] of Object.entries(rows)) {
    list.forEach((r, i) => {
      for (const [field, v] of Object.entries(r)) {
        if (v === null || v === undefined) continue;
        const value = v instanceof Date ? { date: v.toISOString().slice(0, 10) } : (v as string | number);
        cells.push({ sheet, row: i + 2, field, value });
      }
    });
  }
  return cells;
}

/** A vendor's script: opens a workbook, finds each column by the "(fieldName)" of its header, sets cells. */
const SET_CELLS_PY = `
import datetime, json, re, sys
import openpyxl

src, dst, cells_file = sys.argv[1:4]
with open(cells_file, encoding="utf-8") as f:
    cells = json.load(f)
wb = openpyxl.load_workbook(src)
columns = {}
for ws in wb.worksheets:
    for cell in ws[1]:
        m = re.search(r"\\((\\w+)\\)\\s*$", cell.value) if isinstance(cell.value, str) else None
        if m:
            columns[(ws.title, m.group(1))] = cell.column
for c in cells:
    value = c["value"]
    if isinstance(value, dict):
        value = datetime.date.fromisoformat(value["date"])
    wb[c["sheet"]].cell(row=c["row"], column=columns[(c["sheet"], c["field"])], value=value)
wb.save(dst)
print(openpyxl.__version__)
`;

function openpyxlSetCells(src: string, dst: string, cells: PyCell[]): void {
  const cellsFile = path.join(scratch(), 'cells.json');
  fs.writeFileSync(cellsFile, JSON.stringify(cells));
  runPython(SET_CELLS_PY, [src, dst, cellsFile]);
  expect(fs.existsSync(dst)).toBe(true);
}

async function zipOf(file: string): Promise<JSZip> {
  return JSZip.loadAsync(fs.readFileSync(file));
}

/** The application named in docProps/app.xml: proves which client really wrote the file. */
async function writtenBy(file: string): Promise<string> {
  const app = await (await zipOf(file)).file('docProps/app.xml')?.async('string');
  return /<Application>([^<]*)<\/Application>/.exec(app ?? '')?.[1] ?? '';
}

/** The data validations exceljs read, by cell (exceljs's typings do not declare them). */
function validations(ws: ExcelJS.Worksheet): Record<string, ExcelJS.DataValidation | undefined> {
  return (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations.model;
}

function helpOf(sheet: string, field: string): string {
  return avanceMapping().sheet(sheet)!.columns.find((c) => c.field === field)!.help;
}

describe('the real clients are installed', () => {
  it('openpyxl for /usr/bin/python3', () => {
    expect(requireOpenpyxl()).toMatch(/^\d+\.\d+/);
  });
  it('LibreOffice (soffice)', () => {
    expect(requireSoffice()).toMatch(/LibreOffice \d+\.\d+/);
  });
});

describe('openpyxl', () => {
  it('fills the committed template like a vendor script: same JSON as the same data written with exceljs', async () => {
    const rows = vendorRows();
    const dir = scratch();
    const filled = path.join(dir, 'commandes-openpyxl.xlsx');
    openpyxlSetCells(TEMPLATE, filled, pyCells(rows));

    // It is openpyxl's own package: notes in xl/comments/, reached by absolute targets.
    const zip = await zipOf(filled);
    expect(Object.keys(zip.files)).toContain('xl/comments/comment1.xml');
    expect(await zip.file('xl/worksheets/_rels/sheet3.xml.rels')!.async('string')).toContain('Target="/xl/comments/');
    // Python ints, floats and datetime.date were written as numbers, not text.
    const sheet3 = await zip.file('xl/worksheets/sheet3.xml')!.async('string');
    expect(sheet3).toMatch(/<c r="D2"[^>]*t="n"[^>]*><v>15000<\/v>/);
    expect(sheet3).toMatch(/<c r="D3"[^>]*t="n"[^>]*><v>27450\.5<\/v>/);
    expect(sheet3).toMatch(/<c r="B2"[^>]*t="n"[^>]*><v>44632<\/v>/);

    const ref = await reference(rows);
    const got = convert(filled);
    expect(got.code, got.stdout).toBe(0);
    expect(got.stdout).toContain('3 demandes lues : 3 exportées, 0 rejetée');
    expect(got.json.lignesImport).toEqual(ref.json.lignesImport);
    expect(got.text).toBe(ref.text);
    expect(got.json.lignesImport.map((l: any) => l.commande.dateCommande)).toEqual(['12/03/2022', '31/12/2021', '29/02/2024']);
    expect(got.text).toContain('"montantSegurHT": 27450.50');
    expect(got.text).toContain('"montantSegurHT": 1234.56');

    // The template's column help notes went through openpyxl and our reader into the results workbook.
    const res = await readXlsx(path.join(got.out, 'commandes-openpyxl.resultats.xlsx'));
    const ws = res.getWorksheet('Commandes')!;
    expect(noteOf(ws.getRow(1).getCell(colOf(ws, '(dateCommande)')))).toBe(helpOf('Commandes', 'dateCommande'));
  });

  it('a results workbook fixed and saved by openpyxl converts again (exceljs issue #2797 worked around)', async () => {
    const dir = scratch();
    const bad = merge(
      { Fichier: [HEADER] },
      demandeRows('00001'),
      demandeRows('00002', { Commandes: { regimeTVA: 'HTX' } }),
      demandeRows('00003', { Commandes: { montantSegurHT: '12,345' } }),
    );
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), bad);
    const out1 = path.join(dir, 'out1');
    const first = cli(['convert', wb, '-o', out1, '--date', DATE]);
    expect(first.code).toBe(1);
    const results = path.join(out1, 'c.resultats.xlsx');
    // The results workbook has our notes on the faulty cells, and only there.
    const before = (await readXlsx(results)).getWorksheet('Commandes')!;
    const tvaCol = colOf(before, '(regimeTVA)');
    expect(noteOf(before.getRow(3).getCell(tvaCol))).toMatch(/^xlsx2segur : /);
    expect(noteOf(before.getRow(4).getCell(colOf(before, '(montantSegurHT)')))).toMatch(/^xlsx2segur : /);
    expect([2, 3, 4].map((r) => (before.getRow(r).getCell(tvaCol).fill as any)?.fgColor?.argb)).toEqual([undefined, RED, undefined]);

    // The vendor fixes the two cells with openpyxl and saves.
    const fixed = path.join(dir, 'corrige', 'c.resultats.xlsx');
    fs.mkdirSync(path.dirname(fixed));
    openpyxlSetCells(results, fixed, [
      { sheet: 'Commandes', row: 3, field: 'regimeTVA', value: 'TTC' },
      { sheet: 'Commandes', row: 4, field: 'montantSegurHT', value: 12345 },
    ]);
    const zip = await zipOf(fixed);
    expect(Object.keys(zip.files).some((n) => /^xl\/comments\/comment\d+\.xml$/.test(n))).toBe(true);

    // Plain exceljs 4.4.0 cannot even load it: the workaround in src/read/xlsx.ts is what makes it readable.
    await expect(new ExcelJS.Workbook().xlsx.readFile(fixed)).rejects.toThrow(/comments/);

    const got = convert(fixed);
    expect(got.stdout).toContain('3 demandes lues : 3 exportées, 0 rejetée');
    expect(got.code).toBe(0);
    const ref = await reference(
      merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002'), demandeRows('00003', { Commandes: { montantSegurHT: 12345 } })),
    );
    expect(got.json.lignesImport).toEqual(ref.json.lignesImport);
    expect(got.text).toBe(ref.text);

    // Our old marks were recognised through openpyxl's notes and removed; the help notes kept their text.
    const again = (await readXlsx(path.join(got.out, 'c.resultats.xlsx'))).getWorksheet('Commandes')!;
    const tva = again.getRow(3).getCell(colOf(again, '(regimeTVA)'));
    expect(tva.value).toBe('TTC');
    expect(noteOf(tva)).toBe('');
    expect((tva.fill as any)?.fgColor).toBeUndefined(); // neither the old red nor the row's new green
    expect(noteOf(again.getRow(4).getCell(colOf(again, '(montantSegurHT)')))).toBe('');
    expect(again.getRow(3).getCell(colOf(again, 'Statut [xlsx2segur]')).value).toBe(`Exportée : ${JSON_NAME}, ligne 2`);
    let statusCols = 0;
    again.getRow(1).eachCell((c) => (statusCols += c.value === 'Statut [xlsx2segur]' ? 1 : 0));
    expect(statusCols).toBe(1);
    expect(noteOf(again.getRow(1).getCell(colOf(again, '(regimeTVA)')))).toBe(helpOf('Commandes', 'regimeTVA'));
  });
});

describe('LibreOffice Calc', () => {
  // One private profile for this file: the tests of a file run one after the other.
  let lo: LibreOffice | undefined;
  const calc = () => (lo ??= new LibreOffice());

  it(
    'a workbook re-saved by Calc gives the same JSON and rejections as the original; only the faulty cell is marked',
    async () => {
      const rows = merge(vendorRows(), demandeRows('00004', { Commandes: { montantSegurHT: 12345.678 } }));
      const original = await writeWorkbook(path.join(scratch(), 'commandes.xlsx'), rows);
      const saved = calc().resave(original);
      expect(await writtenBy(saved)).toMatch(/^LibreOffice/);
      const ref = convert(original);
      expect(ref.code, ref.stdout).toBe(1);
      const got = convert(saved);
      expect(got.code, got.stdout).toBe(1);
      expect(got.stdout).toContain('4 demandes lues : 3 exportées, 1 rejetée');
      expect(got.json.lignesImport).toEqual(ref.json.lignesImport);
      expect(got.text).toBe(ref.text);
      expect(got.json.lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001', '00002', '00003']);
      // Calc gives all the amounts one style: the faulty one alone is filled and noted.
      const ws = (await readXlsx(path.join(got.out, 'commandes.resultats.xlsx'))).getWorksheet('Commandes')!;
      const amount = colOf(ws, '(montantSegurHT)');
      expect([2, 3, 4, 5].map((r) => (ws.getRow(r).getCell(amount).fill as any)?.fgColor?.argb)).toEqual([undefined, undefined, undefined, RED]);
      expect(noteOf(ws.getRow(5).getCell(amount))).toContain('plus de deux décimales');
      expect(ws.getRow(5).getCell(amount).value).toBe(12345.678);
    },
    LO_TIMEOUT,
  );

  it(
    'the committed template re-saved by Calc keeps its sheets, headers, column formats and dropdowns',
    async () => {
      const saved = calc().resave(TEMPLATE);
      expect(await writtenBy(saved)).toMatch(/^LibreOffice/);
      const a = await readXlsx(TEMPLATE);
      const b = await readXlsx(saved);
      expect(b.worksheets.map((w) => [w.name, w.state])).toEqual(a.worksheets.map((w) => [w.name, w.state]));
      // The hidden list of messaging operators that the dropdown points to.
      const listsA = a.getWorksheet('Listes')!.getColumn(2).values;
      expect(listsA.length).toBeGreaterThan(300);
      expect(b.getWorksheet('Listes')!.getColumn(2).values).toEqual(listsA);

      let lists = 0;
      for (const spec of avanceMapping().sheets) {
        const wa = a.getWorksheet(spec.name)!;
        const wbk = b.getWorksheet(spec.name)!;
        const headers = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1);
        expect(headers(wbk), spec.name).toEqual(headers(wa));
        const dva = validations(wa);
        const dvb = validations(wbk);
        spec.columns.forEach((col, i) => {
          const letter = wa.getColumn(i + 1).letter;
          const where = `${spec.name}!${letter} (${col.field})`;
          expect(wbk.getColumn(i + 1).numFmt, where).toEqual(wa.getColumn(i + 1).numFmt);
          const orig = dva[`${letter}2`];
          if (!orig) throw new Error(`${where} : le modèle n'a pas de validation en ligne 2`);
          if (orig.type !== 'list') {
            // Input prompts (the column help) survive; Calc writes "any" as type "none".
            expect(dvb[`${letter}2`]?.promptTitle, where).toBe(orig.promptTitle);
            return;
          }
          lists++;
          // Calc only writes validations down to 1000 rows below the last used row (here 1001), whatever the
          // template declared (2001 on the data sheets): check the first and the last row it keeps.
          const last = Math.max(...Object.keys(dva).filter((k) => k.replace(/\d+$/, '') === letter).map((k) => Number(k.slice(letter.length))));
          expect(last, where).toBeGreaterThanOrEqual(2);
          for (const r of new Set([2, Math.min(last, 1001)])) {
            const dv = dvb[`${letter}${r}`];
            expect(dv?.type, `${where} ligne ${r}`).toBe('list');
            expect(dv?.formulae?.[0], `${where} ligne ${r}`).toBe(orig.formulae[0]);
            expect(dv?.showErrorMessage, `${where} ligne ${r}`).toBe(true);
          }
        });
      }
      // OUI/NON, HT/TTC, PJ types and formats, operators: every dropdown column was checked.
      expect(lists).toBe(avanceMapping().sheets.flatMap((s) => s.columns).filter((c) => ['boolean', 'enum', 'code'].includes(c.type)).length);
      expect(lists).toBeGreaterThan(15);
      expect(validations(b.getWorksheet('Scénarios')!)['D2']?.formulae[0]).toBe('Listes!$B$2:$B$356');
    },
    LO_TIMEOUT,
  );

  it(
    'the template filled by typing in Calc (dates typed as real dates), saved as .xlsx, converts with the right dates',
    async () => {
      const rows = vendorRows();
      const mapping = avanceMapping();
      const template = await readXlsx(TEMPLATE);
      const out = path.join(scratch(), 'saisi-dans-calc.xlsx');
      // setFormula is Calc's input parsing: what a user types. Dates are typed in ISO form, which Calc reads
      // as a date in every locale (headless Calc here runs in en-US, where 12/03/2022 would be 3 December).
      // Identifier columns are text-formatted in the template: Calc's UI keeps what is typed there as text,
      // which setString does (setFormula ignores the cell's text format).
      const lines: string[] = [];
      for (const [sheet, list] of Object.entries(rows)) {
        const spec = mapping.sheet(sheet)!;
        const ws = template.getWorksheet(sheet)!;
        lines.push(`sh = doc.Sheets.getByName(${basicString(sheet)})`);
        list.forEach((r, i) => {
          for (const [field, v] of Object.entries(r)) {
            if (v === null || v === undefined) continue;
            const col = colOf(ws, `(${field})`) - 1;
            const text = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
            const how = spec.columns.find((c) => c.field === field)!.textFormat ? 'setString' : 'setFormula';
            lines.push(`sh.getCellByPosition(${col}, ${i + 1}).${how}(${basicString(text)})`);
          }
        });
      }
      calc().runBasic(
        [
          'Sub Main',
          '  Dim load(0) As New com.sun.star.beans.PropertyValue',
          '  load(0).Name = "Hidden"',
          '  load(0).Value = True',
          `  doc = StarDesktop.loadComponentFromURL(ConvertToURL(${basicString(TEMPLATE)}), "_blank", 0, load())`,
          ...lines.map((l) => '  ' + l),
          '  Dim save(0) As New com.sun.star.beans.PropertyValue',
          '  save(0).Name = "FilterName"',
          '  save(0).Value = "Calc MS Excel 2007 XML"',
          `  doc.storeToURL(ConvertToURL(${basicString(out)}), save())`,
          '  doc.close(True)',
          'End Sub',
        ].join('\n'),
      );
      expect(fs.existsSync(out), 'la macro LibreOffice n\'a pas enregistré le classeur').toBe(true);
      expect(await writtenBy(out)).toMatch(/^LibreOffice/);

      // What Calc stored: real dates (date-formatted numbers), numbers for amounts, text identifiers.
      const ws = (await readXlsx(out)).getWorksheet('Commandes')!;
      const dates = [2, 3, 4].map((r) => ws.getRow(r).getCell(colOf(ws, '(dateCommande)')).value);
      for (const d of dates) expect(d).toBeInstanceOf(Date);
      expect((dates as Date[]).map((d) => d.toISOString().slice(0, 10))).toEqual(['2022-03-12', '2021-12-31', '2024-02-29']);
      expect([2, 3, 4].map((r) => ws.getRow(r).getCell(colOf(ws, '(montantSegurHT)')).value)).toEqual([15000, 27450.5, 1234.56]);
      expect(ws.getRow(2).getCell(colOf(ws, '(numeroEditeur)')).value).toBe('00001');

      const ref = await reference(rows);
      for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
        const got = convert(out, { TZ: tz });
        expect(got.code, got.stdout).toBe(0);
        expect(got.json.lignesImport.map((l: any) => l.commande.dateCommande)).toEqual(['12/03/2022', '31/12/2021', '29/02/2024']);
        expect(got.json.lignesImport).toEqual(ref.json.lignesImport);
        expect(got.text).toBe(ref.text);
      }
    },
    LO_TIMEOUT,
  );
});

const SUMMARY_PY = `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Synthèse']
rows = []
for row in ws.iter_rows():
    texts = [str(c.value) for c in row if c.value is not None]
    if not texts:
        continue
    height = ws.row_dimensions[row[0].row].height
    fill = row[0].fill.fgColor.rgb if row[0].fill and row[0].fill.fill_type == 'solid' else None
    rows.append({'texts': texts, 'height': height, 'fill': fill})
print(json.dumps({
    'active': wb.active.title,
    'orientation': ws.page_setup.orientation,
    'fitToWidth': ws.page_setup.fitToWidth,
    'fitToHeight': ws.page_setup.fitToHeight,
    'fitToPage': ws.sheet_properties.pageSetUpPr.fitToPage,
    'widths': {k: v.width for k, v in ws.column_dimensions.items()},
    'rows': rows,
    'sheets': {s.title: [s.page_setup.orientation, s.sheet_properties.pageSetUpPr.fitToPage if s.sheet_properties.pageSetUpPr else None] for s in wb.worksheets},
}))
`;

describe('the Synthèse reads well in Excel and LibreOffice', () => {
  it('rows tall enough for their lines, warnings in orange, printed one page wide in landscape: the samples fit in a few pages', () => {
    const out = scratch('synthese-');
    cli(['convert', path.join(root, 'samples'), '-o', out, '--date', DATE]);
    const file = path.join(out, 'avec-erreurs.resultats.xlsx');
    const seen = JSON.parse(runPython(SUMMARY_PY, [file]));
    expect(seen.active).toBe('Synthèse');
    expect([seen.orientation, seen.fitToWidth, seen.fitToHeight, seen.fitToPage]).toEqual(['landscape', 1, 0, true]);
    // Every sheet prints the same way.
    for (const [name, setup] of Object.entries(seen.sheets)) expect(setup, name).toEqual(['landscape', true]);
    const row = (start: string) => seen.rows.find((r: any) => r.texts[0].startsWith(start));
    expect(row('Avertissements').fill).toBe('FFFFEB9C');
    expect(row('Demandes rejetées').fill).toBe('FFFFC7CE');
    // A demande with four problems: one line each, at least, and its row tall enough for them.
    const many = row('00004');
    expect(many.texts[3].split('\n')).toHaveLength(4);
    expect(many.height).toBeGreaterThanOrEqual(4 * 15);
    // A header longer than its column is wrapped in a taller row, not cut.
    const head = seen.rows.find((r: any) => r.texts[0] === 'Fichier');
    expect(head.texts[1]).toBe('Type de demande à indiquer');
    expect(seen.widths.B * 1.05 >= head.texts[1].length || head.height >= 30).toBe(true);
    // Calc's PDF export of each sample's results workbook: a few pages, not dozens.
    const lo = new LibreOffice();
    for (const name of ['avec-erreurs', 'exemple-specification']) expect(lo.pdfPages(path.join(out, `${name}.resultats.xlsx`)), name).toBeLessThanOrEqual(10);
  }, LO_TIMEOUT);
});
