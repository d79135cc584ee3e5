import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexEntries, TooMuchData, verifyEntry } from '../src/read/xlsx.js';
import { cli, demandeRows, HEADER, jsonFiles, merge, readJson, root, tmpDir, writeWorkbook, type CliResult } from './helpers.js';

/**
 * The corpus of broken inputs (test/fixtures/broken/, written by scripts/make-broken-fixtures.mjs) is
 * converted in one batch with a good workbook: every broken file gets exit code 2 and a French message
 * naming it and its fault, and the rest of the batch is converted all the same.
 * expected.json maps each fixture to the fragment its message must hold (null: the file is converted).
 */
const FIXTURES = path.join('test', 'fixtures', 'broken');
const expected: Record<string, string | null> = readJson(path.join(root, FIXTURES, 'expected.json'));
const failing = Object.entries(expected).filter((e): e is [string, string] => e[1] !== null);
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('broken inputs: exit 2, a French message naming each file and its fault; the rest of the batch is converted', () => {
  let run: CliResult;
  let out: string;
  let lines: string[];
  beforeAll(() => {
    out = path.join(tmpDir(), 'out');
    // The folder is expanded (its workbooks, its .xls/.xlsb/.ods and its CSV folders), with the good workbook.
    run = cli(['convert', FIXTURES, 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124']);
    lines = plain(run.stdout).split('\n');
  }, 120_000);

  it('the corpus is small on disk and complete', () => {
    const names = fs.readdirSync(path.join(root, FIXTURES)).filter((n) => n !== 'expected.json').sort();
    expect(names).toEqual(Object.keys(expected).sort());
    for (const n of names) {
      const p = path.join(root, FIXTURES, n);
      const size = fs.statSync(p).isDirectory() ? fs.readdirSync(p).reduce((s, f) => s + fs.statSync(path.join(p, f)).size, 0) : fs.statSync(p).size;
      expect(size, n).toBeLessThan(100 * 1024);
    }
  });

  it('exit code 2, nothing on stderr, no unexpected error', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain('erreur inattendue');
  });

  it.each(failing)('%s: « %s »', (name, fragment) => {
    // The message starts with the file's path (for a CSV folder, the folder or one of its CSV files).
    const mine = lines.filter((l) => l.startsWith(`✗ ${path.join(FIXTURES, name)}`));
    expect(mine, `aucun message pour ${name} :\n${run.stdout}`).toHaveLength(1);
    expect(mine[0]).toContain(fragment);
    expect(mine[0]).toMatch(/^✗ \S+ : /);
  });

  it('the summary counts the failed files, and names each of them', () => {
    expect(lines.find((l) => l.startsWith('Total :'))).toContain(`${failing.length} fichiers en échec`);
    expect(lines.filter((l) => l.startsWith('✗ '))).toHaveLength(failing.length);
  });

  it('the good workbook is converted', () => {
    expect(jsonFiles(out)).toContain('JSON-ANS0000001-20261124-001.json');
    const j = readJson(path.join(out, 'JSON-ANS0000001-20261124-001.json'));
    expect(j.lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001']);
    expect(fs.existsSync(path.join(out, 'exemple-specification.resultats.xlsx'))).toBe(true);
  });

  it('.xlsm: its values are read and converted; its results workbook is an .xlsx without macros', async () => {
    const j = readJson(path.join(out, 'JSON-ANS0000002-20261124-001.json'));
    expect(j.lignesImport).toHaveLength(1);
    expect(j.lignesImport[0]).toMatchObject({ numeroEditeur: '00001', commande: { dateCommande: '12/03/2022', regimeTVA: 'TTC', montantSegurHT: 15000 } });
    // The input does hold a VBA project…
    const input = await JSZip.loadAsync(fs.readFileSync(path.join(root, FIXTURES, 'macros.xlsm')));
    expect(input.file('xl/vbaProject.bin')).not.toBeNull();
    // …its results workbook does not.
    expect(fs.existsSync(path.join(out, 'macros.resultats.xlsx'))).toBe(true);
    const res = await JSZip.loadAsync(fs.readFileSync(path.join(out, 'macros.resultats.xlsx')));
    expect(Object.keys(res.files).filter((n) => /vba|\.bin$/i.test(n))).toEqual([]);
    const types = await res.file('[Content_Types].xml')!.async('string');
    expect(types).not.toMatch(/macroEnabled|vbaProject/);
    expect(types).toContain('spreadsheetml.sheet.main+xml');
    for (const rels of Object.keys(res.files).filter((n) => n.endsWith('.rels'))) {
      expect(await res.file(rels)!.async('string')).not.toMatch(/vbaProject/);
    }
  });
});

describe('decompression guard: an entry is inflated chunk by chunk without being kept, and stopped past its limit', () => {
  it.each([
    ['zlib', true],
    ['JSZip stream', false],
  ])('%s', async (_, useZlib) => {
    const bytes = fs.readFileSync(path.join(root, FIXTURES, 'bombe-cachee.xlsx'));
    const zip = await JSZip.loadAsync(bytes);
    // The archive's own records, which the JSZip stream path compares with (JSZip's private fields unused).
    indexEntries('bombe-cachee.xlsx', zip, bytes);
    // An honest entry: its size.
    const rels = zip.file('_rels/.rels')!;
    const relsSize = (await rels.async('nodebuffer')).length;
    expect(await verifyEntry(rels, relsSize, { zlib: useZlib })).toBe(relsSize);
    await expect(verifyEntry(rels, relsSize - 1, { zlib: useZlib })).rejects.toBeInstanceOf(TooMuchData);
    // 32 MB behind a declared 4 KB: stopped early, never inflated whole.
    const bomb = zip.file('xl/worksheets/sheet1.xml')!;
    const err = await verifyEntry(bomb, 4096, { zlib: useZlib }).catch((e) => e);
    expect(err).toBeInstanceOf(TooMuchData);
    expect(Number((err as Error).message)).toBeLessThan(20 * 1024 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------------

/** Values a spreadsheet would take for formulas (or DDE) if they were written as such. */
const FORMULA_LIKE = ['=HYPERLINK("http://x","y")', '@SUM(1)', '+33 1 23', '-1', '=1+1', '-2+3', '+SUM(A1:A2)', '=cmd|\' /C calc\'!A0'];

const decode = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!).replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

interface XmlCell {
  part: string;
  ref: string;
  type: string | undefined;
  formula: string | undefined;
  value: string | undefined;
}

/** Every cell of every sheet of a workbook, as its XML says: type, formula, value (shared strings resolved). */
async function xmlCells(file: string): Promise<XmlCell[]> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const sstXml = (await zip.file('xl/sharedStrings.xml')?.async('string')) ?? '';
  const texts = (xml: string) => [...xml.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>|<t\b[^>]*\/>/g)].map((m) => decode(m[1] ?? '')).join('');
  const sst = [...sstXml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]));
  const cells: XmlCell[] = [];
  for (const part of Object.keys(zip.files).filter((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))) {
    const xml = await zip.file(part)!.async('string');
    for (const m of xml.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = m[1];
      const inner = m[2] ?? '';
      const ref = /\br="([^"]+)"/.exec(attrs)?.[1] ?? '';
      const type = /\bt="([^"]+)"/.exec(attrs)?.[1];
      const f = /<f\b[^>]*>([\s\S]*?)<\/f>|<f\b[^>]*\/>/.exec(inner);
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      const value = type === 's' ? sst[Number(v)] : type === 'inlineStr' ? texts(/<is>([\s\S]*?)<\/is>/.exec(inner)?.[1] ?? '') : v === undefined ? undefined : decode(v);
      cells.push({ part, ref, type, formula: f ? decode(f[1] ?? '') : undefined, value });
    }
  }
  return cells;
}

/** Each formula-like value is in the results workbook as a text cell, and no cell holds a formula. */
async function expectWrittenAsText(file: string, values: string[]) {
  const cells = await xmlCells(file);
  expect(cells.filter((c) => c.formula !== undefined)).toEqual([]);
  for (const v of values) {
    const holding = cells.filter((c) => c.value === v);
    expect(holding.length, `${v} absent de ${file}`).toBeGreaterThan(0);
    for (const c of holding) expect(['s', 'inlineStr'], `${v} en ${c.part} ${c.ref}`).toContain(c.type);
  }
}

describe('values starting with =, +, - or @ are copied into the results workbook as text, never as formulas', () => {
  it('(control: the XML reading sees a formula and a text cell for what they are)', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Feuil1');
    ws.getCell('A1').value = { formula: 'HYPERLINK("http://x","y")', result: 'y' } as never;
    ws.getCell('A2').value = '=HYPERLINK("http://x","y")';
    const file = path.join(tmpDir(), 'temoin.xlsx');
    await wb.xlsx.writeFile(file);
    const cells = await xmlCells(file);
    expect(cells.find((c) => c.ref === 'A1')).toMatchObject({ formula: 'HYPERLINK("http://x","y")' });
    expect(cells.find((c) => c.ref === 'A2')).toMatchObject({ type: 's', formula: undefined, value: '=HYPERLINK("http://x","y")' });
  });

  const withValues = (num: string, nom: string, tel: string) => demandeRows(num, { FINESS: { nomClient: nom, telephoneClient: tel } });

  it('from a workbook', async () => {
    const dir = tmpDir();
    const rows = merge(
      { Fichier: [HEADER] },
      withValues('00001', FORMULA_LIKE[0], FORMULA_LIKE[2]),
      withValues('00002', FORMULA_LIKE[1], FORMULA_LIKE[3]),
      withValues('00003', FORMULA_LIKE[5], FORMULA_LIKE[4]),
      withValues('00004', FORMULA_LIKE[7], FORMULA_LIKE[6]),
    );
    const file = await writeWorkbook(path.join(dir, 'formules.xlsx'), rows);
    const out = path.join(dir, 'out');
    const r = cli(['convert', file, '-o', out, '--date', '20261124', '--json']);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    await expectWrittenAsText(path.join(out, 'formules.resultats.xlsx'), FORMULA_LIKE);
  });

  it('from a CSV folder', async () => {
    const dir = tmpDir();
    const csv = path.join(dir, 'export');
    fs.mkdirSync(csv);
    const q = (c: string) => (/[;"\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    const write = (name: string, rows: string[][]) => fs.writeFileSync(path.join(csv, `${name}.csv`), rows.map((r) => r.map(q).join(';')).join('\r\n') + '\r\n');
    const nums = ['00001', '00002', '00003', '00004'];
    write('Fichier', [['numeroAns', 'SIRET'], [HEADER.numeroAns, HEADER.SIRET]]);
    write('Commandes', [
      ['numeroEditeur', 'dateCommande', 'regimeTVA', 'montantSegurHT', 'isMandataire', 'isClientUnique', 'nomMandataire', 'emailMandataire', 'telephoneMandataire'],
      ...nums.map((n) => [n, '12/03/2022', 'TTC', '15000', 'NON', 'OUI', '', '', '']),
    ]);
    write('FINESS', [
      ['numeroEditeur', 'numeroFINESSJuridique', 'nomClient', 'emailClient', 'telephoneClient', 'numeroFINESSGeos'],
      ...nums.map((n, i) => [n, '130000011', FORMULA_LIKE[i * 2], 'contact@labo-port.fr', FORMULA_LIKE[i * 2 + 1], '130000029']),
    ]);
    write('PJ', [['numeroEditeur', 'typeFichier', 'formatFichier', 'nomFichier'], ...nums.map((n) => [n, 'BON_COMMANDE', 'PDF', ''])]);
    write('Scénarios', [
      ['numeroEditeur', 'isIdRef', 'isIdSlave', 'operateurMessagerie', 'isSendingFluxIntraSIH', 'isProSanteConnectNeeded', 'isDirecToDMP', 'isPFIToDMP', 'isDirectToMSSPro', 'isPFIToMSSPro', 'isDirectToMSSCitoyen', 'isPFIToMSSCitoyen'],
      ...nums.map((n) => [n, 'NON', 'NON', 'GIP_1', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON']),
    ]);
    const out = path.join(dir, 'out');
    const r = cli(['convert', csv, '-o', out, '--date', '20261124', '--json']);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    // The CSV cells are text: "-1" stays the text "-1", never the number -1.
    await expectWrittenAsText(path.join(out, 'export.resultats.xlsx'), FORMULA_LIKE);
  });
});
