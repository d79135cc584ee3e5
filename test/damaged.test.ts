/**
 * Damaged archives: an entry whose bytes are not what the archive declares (CRC-32, sizes, local header
 * against central directory) refuses its workbook before anything is written from it, whether the entry is
 * read or only copied into the results workbook; an entry lying about its size is stopped with bounded
 * memory. Fixtures from test/fixtures/broken/ (scripts/make-broken-fixtures.mjs), and larger files built here.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { DamagedEntry, indexEntries, rawEntry, verifyEntry } from '../src/read/xlsx.js';
import { XlsxPackage } from '../src/read/package.js';
import { crc32 } from '../src/util/zip-write.js';
import { UserError } from '../src/util/errors.js';
import { runPython } from './clients.js';
import { bin, cli, jsonFiles, readJson, root, tmpDir } from './helpers.js';
import { craftZip, deflatedNoiseThenSpaces, MiB, minimalWorkbook, noise, sheetXml } from './zip-craft.js';

const FIXTURES = path.join('test', 'fixtures', 'broken');
const fixture = (name: string) => path.join(FIXTURES, name);
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The CRC-32 bit by bit, as the zip specification defines it: the reference the tables must match. */
function crcReference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('CRC-32 (table-driven, for Node 20)', () => {
  it('gives the standard check value, the reference on every length, and continues from a previous value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const data = noise(1000);
    for (let n = 0; n <= 40; n++) expect(crc32(data.subarray(0, n)), `${n} octets`).toBe(crcReference(data.subarray(0, n)));
    expect(crc32(data)).toBe(crcReference(data));
    expect(crc32(data.subarray(333), crc32(data.subarray(0, 333)))).toBe(crc32(data));
  });
});

/**
 * Runs the command line in a child whose peak resident memory (process.resourceUsage().maxRSS) a preloaded
 * module writes to a file when it exits; returns the run, its summary lines and that peak in bytes.
 */
function measured(args: string[]) {
  const dir = tmpDir('x2s-rss-');
  const rssFile = path.join(dir, 'maxrss');
  const preload = path.join(dir, 'maxrss.mjs');
  fs.writeFileSync(preload, "import fs from 'node:fs';\nprocess.on('exit', () => fs.writeFileSync(process.env.X2S_MAXRSS_FILE, String(process.resourceUsage().maxRSS)));\n");
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, bin, ...args], { cwd: root, env: { ...process.env, X2S_MAXRSS_FILE: rssFile }, encoding: 'utf8' });
  const maxRss = Number(fs.readFileSync(rssFile, 'utf8')) * 1024;
  return { code: r.status, stdout: plain(r.stdout), stderr: r.stderr, lines: plain(r.stdout).split('\n'), maxRss };
}

/** Converts, and returns the run with the lines of the summary. */
function convert(inputs: string[], out: string) {
  const run = cli(['convert', ...inputs, '-o', out, '--date', '20261124']);
  return { ...run, lines: plain(run.stdout).split('\n') };
}

describe('an amount changed in the shared strings, its CRC-32 left as it was', () => {
  it('(control: openpyxl refuses the file as corrupt)', () => {
    const out = runPython(
      ['import sys, zipfile, openpyxl', 'try:', '    openpyxl.load_workbook(sys.argv[1])', '    print("lu")', 'except zipfile.BadZipFile as e:', '    print("refusé :", e)'].join('\n'),
      [path.join(root, fixture('crc-modifie.xlsx'))],
    );
    expect(out).toContain("refusé : Bad CRC-32 for file 'xl/sharedStrings.xml'");
  });

  it('is refused: exit 2, a French message naming the file and the part; no JSON, no results workbook, no journal', () => {
    const out = path.join(tmpDir(), 'out');
    const run = convert([fixture('crc-modifie.xlsx')], out);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    const mine = run.lines.filter((l) => l.startsWith('✗ '));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toContain(
      `✗ ${fixture('crc-modifie.xlsx')} : fichier endommagé : le contenu de l'archive .xlsx ne correspond pas à ce qu'elle déclare (fichier modifié ou abîmé après son enregistrement). ` +
        'Excel proposerait de le réparer : ouvrez-le dans Excel, enregistrez-le à nouveau, puis relancez la commande (détail : ',
    );
    expect(mine[0]).toMatch(/\(détail : partie xl\/sharedStrings\.xml : somme de contrôle CRC-32 [0-9a-f]{8} au lieu de [0-9a-f]{8} déclarée\)\.$/);
    // Nothing was written: the run read nothing, so it made no folder.
    expect(fs.existsSync(out)).toBe(false);
  });

  it('in a batch: the good workbook is converted, and nothing written holds the changed amount', async () => {
    const out = path.join(tmpDir(), 'out');
    const run = convert([fixture('crc-modifie.xlsx'), 'samples/exemple-specification.xlsx'], out);
    expect(run.code).toBe(2);
    expect(run.lines.filter((l) => l.startsWith('✗ '))).toHaveLength(1);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.xlsx'))).toEqual(['exemple-specification.resultats.xlsx']);
    const journal = readJson(path.join(out, 'xlsx2segur-journal.json'));
    expect(journal.entries.map((e: { source: string }) => e.source)).toEqual(['exemple-specification.xlsx']);
    for (const f of fs.readdirSync(out)) {
      const bytes = fs.readFileSync(path.join(out, f));
      const texts = f.endsWith('.xlsx') ? await Promise.all(Object.values((await JSZip.loadAsync(bytes)).files).map((e) => e.async('string'))) : [bytes.toString('utf8')];
      for (const t of texts) expect(t, f).not.toMatch(/95000[,.]00/);
    }
  });

  it('(control: the same file with its CRC-32 made right is read, and gives the changed amount)', async () => {
    const dir = tmpDir();
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(root, fixture('crc-modifie.xlsx'))));
    // Each part's content added again: JSZip computes its CRC-32 (it would copy an unchanged entry as it is).
    for (const e of Object.values(zip.files)) if (!e.dir) zip.file(e.name, await e.async('nodebuffer'));
    const file = path.join(dir, 'crc-juste.xlsx');
    fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    const run = convert([file], path.join(dir, 'out'));
    expect(run.code).toBe(0);
    const j = readJson(path.join(dir, 'out', 'JSON-ANS0000002-20261124-001.json'));
    expect(j.lignesImport[0].commande.montantSegurHT).toBe(95000);
  });

  it('an entry copied without being opened through openZip is checked before it is copied', async () => {
    const bytes = fs.readFileSync(path.join(root, fixture('crc-modifie.xlsx')));
    const zip = await JSZip.loadAsync(bytes);
    indexEntries('crc-modifie.xlsx', zip, bytes);
    const sst = zip.file('xl/sharedStrings.xml')!;
    const err = await rawEntry(sst, 'crc-modifie.xlsx').catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^crc-modifie\.xlsx : fichier endommagé : .*partie xl\/sharedStrings\.xml : somme de contrôle CRC-32/);
    // Both ways of inflating see it: zlib on the stored bytes, and JSZip's stream (with the archive's records).
    for (const useZlib of [true, false]) {
      const e = await verifyEntry(sst, 10 * MiB, { zlib: useZlib }).catch((x) => x);
      expect(e, `zlib ${useZlib}`).toBeInstanceOf(DamagedEntry);
      expect((e as Error).message).toMatch(/^somme de contrôle CRC-32 /);
    }
    // An honest entry of the same archive is copied as it is stored.
    const styles = zip.file('xl/styles.xml')!;
    expect((await rawEntry(styles, 'crc-modifie.xlsx'))?.crc).toBe(crc32(await styles.async('nodebuffer')));
  });
});

describe('sizes: an entry declaring another size than it has, a local header disagreeing with the central directory', () => {
  it.each([
    ['taille-mensongere.xlsx', /\(détail : partie docProps\/app\.xml : \d+ octets décompressés au lieu des \d+ déclarés\)\.$/],
    ['en-tete-local.xlsx', /\(détail : partie xl\/styles\.xml : la taille décompressée diffère entre l'en-tête local \(\d+\) et le répertoire central de l'archive \(\d+\)\)\.$/],
  ])('%s is refused before anything is written', (name, detail) => {
    // docProps/app.xml is never read, only copied into the results workbook: it is checked all the same.
    const out = path.join(tmpDir(), 'out');
    const run = convert([fixture(name)], out);
    expect(run.code).toBe(2);
    const mine = run.lines.filter((l) => l.startsWith('✗ '));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toContain(`✗ ${fixture(name)} : fichier endommagé : `);
    expect(mine[0]).toMatch(detail);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a deflate stream that ends before the compressed size the archive declares', () => {
    const sheet = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>';
    const deflated = Buffer.concat([zlib.deflateRawSync(Buffer.from(sheet)), Buffer.from('données cachées')]);
    const dir = tmpDir();
    const file = path.join(dir, 'queue.xlsx');
    fs.writeFileSync(file, craftZip(minimalWorkbook({ name: '', deflated, size: sheet.length, crc: crc32(Buffer.from(sheet)) })));
    const run = convert([file], path.join(dir, 'out'));
    expect(run.code).toBe(2);
    expect(run.lines.find((l) => l.startsWith('✗ '))).toMatch(/fichier endommagé : .*partie xl\/worksheets\/sheet1\.xml : le flux compressé s'arrête après \d+ des \d+ octets déclarés\)\.$/);
  });
});

describe('an entry lying about its size is stopped with bounded memory', () => {
  it('400 MiB declared, more behind it: refused, the peak memory of the run stays far below what it declares', () => {
    // 3 MiB of noise (so that the ratio looks sane: about 130 for 1) then 410 MiB of spaces, behind a declared
    // 400 MiB. Checking it used to inflate up to the declared size in memory (about 500 MB of RSS).
    const dir = tmpDir();
    const file = path.join(dir, 'menteur.xlsx');
    const declared = 400 * MiB;
    fs.writeFileSync(file, craftZip(minimalWorkbook({ name: '', deflated: deflatedNoiseThenSpaces(3 * MiB, 410), size: declared, crc: 0 })));
    expect(fs.statSync(file).size).toBeLessThan(5 * MiB);
    const r = measured(['convert', file, '-o', path.join(dir, 'out'), '--date', '20261124']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`(bombe de décompression ?) : l'entrée « xl/worksheets/sheet1.xml » contient plus de données que les ${declared} octets déclarés ; la décompression est arrêtée.`);
    expect(r.maxRss).toBeGreaterThan(0);
    expect(r.maxRss).toBeLessThan(200 * 1000 * 1000);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('a sheet Excel would repair is refused once, naming the sheet and the row', () => {
  it('row 2 repeated 1 000 times: one message, a small summary, bounded memory; nothing written', () => {
    const out = path.join(tmpDir(), 'out');
    const r = measured(['convert', fixture('lignes-repetees.xlsx'), '-o', out, '--date', '20261124']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const mine = r.lines.filter((l) => l.startsWith('✗ '));
    expect(mine).toEqual([
      `✗ ${fixture('lignes-repetees.xlsx')} : fichier endommagé : dans la feuille « Commandes », la ligne 2 apparaît plusieurs fois. ` +
        'Excel proposerait de le réparer : ouvrez-le dans Excel, enregistrez-le à nouveau, puis relancez la commande ' +
        "(détail : partie xl/worksheets/sheet2.xml : élément <row> de la ligne 2 répété ; les lignes d'une feuille se suivent dans l'ordre, chacune une fois).",
    ]);
    // The work done: the row is named in that one message only (it used to be listed 1 001 times in each of
    // 1 001 messages), and the run stays small.
    expect(r.stdout.match(/ligne 2\b/g)).toHaveLength(2);
    expect(r.stdout.length).toBeLessThan(2000);
    expect(r.maxRss).toBeLessThan(200 * 1000 * 1000);
    expect(fs.existsSync(out)).toBe(false);
  });
});

/** The rows of the one sheet of a workbook made of this sheet XML (and these shared strings), as read. */
async function readRows(xml: string, opts: { sharedStrings?: string[]; focus?: number[] } = {}) {
  // Stored, not deflated: these shapes compress so well that the decompression guard would refuse them first.
  const pkg = await XlsxPackage.open('forme.xlsx', craftZip(minimalWorkbook({ name: '', data: xml, stored: true }, { ...opts, stored: true })));
  const grid = await pkg.grid(pkg.sheets[0]);
  if (opts.focus) grid.focus!(opts.focus);
  return [...grid.rows()];
}

const fault = async (xml: string, opts: { sharedStrings?: string[] } = {}) => {
  const e = await readRows(xml, opts).catch((x) => x);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
};

const cellV = (ref: string, v: string | number, t = '') => `<c r="${ref}"${t ? ` t="${t}"` : ''}><v>${v}</v></c>`;

describe('the reader refuses what Excel refuses, with the sheet and the row', () => {
  it.each([
    ['rows out of order', `<row r="3">${cellV('A3', 1)}</row><row r="2">${cellV('A2', 2)}</row>`, 'dans la feuille « Commandes », la ligne 2 vient après la ligne 3'],
    ['a row number beyond Excel', `<row r="1048577">${cellV('A1048577', 1)}</row>`, 'une ligne porte le numéro « 1048577 »'],
    ['a cell given twice', `<row r="2">${cellV('A2', 1)}${cellV('A2', 2)}</row>`, 'la cellule A2 apparaît plusieurs fois'],
    ['cells out of order', `<row r="2">${cellV('C2', 1)}${cellV('B2', 2)}</row>`, 'la cellule B2 vient après la cellule C2'],
    ['a cell of another row', `<row r="2">${cellV('A5', 1)}</row>`, 'une cellule de la ligne 2 a la référence « A5 »'],
    ['a column beyond XFD', `<row r="2">${cellV('XFE2', 1)}</row>`, 'une cellule de la ligne 2 a la référence « XFE2 »'],
    ['overlapping merged ranges', `<row r="1">${cellV('A1', 1)}</row><row r="2">${cellV('B2', 2)}</row>`, 'chevauche une autre plage fusionnée', '<mergeCells><mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/></mergeCells>'],
    ['a row left open', `<row r="1">${cellV('A1', 1)}`, 'la ligne 1 est incomplète'],
    ['a cell left open', `<row r="1"><c r="A1"><v>1</v></row>`, 'la cellule A1 est incomplète'],
  ])('%s', async (_, rows, what, after = '') => {
    const message = await fault(sheetXml(rows, after));
    expect(message).toMatch(/^forme\.xlsx : fichier endommagé : dans la feuille « Commandes », /);
    expect(message).toContain(what);
    expect(message).toContain('Excel proposerait de le réparer');
  });

  it('a shared string the workbook does not have (huge index, or none)', async () => {
    for (const v of ['99999999999', '2', '', '-1']) {
      const message = await fault(sheetXml(`<row r="1">${cellV('A1', 'x', 's').replace('<v>x</v>', `<v>${v}</v>`)}</row>`), { sharedStrings: ['<t>a</t>', '<t>b</t>'] });
      expect(message, v).toContain(`la cellule A1 renvoie à la chaîne partagée n° ${v.trim()}, que le classeur n'a pas (il en a 2)`);
    }
    expect(await readRows(sheetXml(`<row r="1">${cellV('A1', 1, 's')}</row>`), { sharedStrings: ['<t>a</t>', '<t>b</t>'] })).toMatchObject([{ row: 1, values: [undefined, 'b'] }]);
  });
});

/**
 * Shapes that cost the reader time quadratic in their size are read in linear time. Each of these (but the
 * nested string, which was already read in one pass) ran past 30 s before; now a tenth of a second. They are
 * stored, not deflated, as an attacker would (the decompression guard refuses them deflated, ratio > 200).
 * A regression shows as the test's timeout, never as a timed assertion.
 */
describe('bounded cost for any XML shape', () => {
  const N = 200_000;

  it(`${N} rows left open (each "<row" used to scan to the end of its window)`, async () => {
    expect(await fault(sheetXml('<row>'.repeat(N)))).toContain('la ligne 1 est incomplète');
  });

  it(`${N} cells left open in a row, and ${N} "<v " without ">" in a cell`, async () => {
    expect(await fault(sheetXml(`<row r="1">${'<c>'.repeat(N)}</row>`))).toContain('la cellule A1 est incomplète');
    const rows = await readRows(sheetXml(`<row r="1"><c r="A1">${'<v '.repeat(N)}</c><c r="B1"><v>7</v></c></row>`));
    expect(rows.map((r) => [r.row, r.values[1], r.values[2]])).toEqual([[1, null, 7]]);
  });

  it('a text of 1 000 000 "row" before the first row (the start tag was looked for backwards from each)', async () => {
    expect(await fault(sheetXml('row'.repeat(1_000_000) + `<row r="1">${cellV('A1', 1)}</row>`))).toContain('XML inattendu parmi les lignes');
  });

  it(`a shared string of ${N} "<t " without ">", and one with ${N} phonetic runs left open: refused as damaged`, async () => {
    const row = sheetXml(`<row r="1">${cellV('A1', 0, 's')}</row>`);
    expect(await fault(row, { sharedStrings: ['<t '.repeat(N) + '<t>fin</t>'] })).toContain('partie xl/sharedStrings.xml : balise illisible');
    expect(await fault(row, { sharedStrings: ['<t>début</t>' + '<rPh>'.repeat(N)] })).toMatch(/partie xl\/sharedStrings\.xml : <\/si> ne ferme pas|jamais fermé/);
  });

  it(`an inline string nested ${N} elements deep (no recursion anywhere)`, async () => {
    const deep = '<r>'.repeat(N) + '<t>au fond</t>' + '</r>'.repeat(N);
    expect(await readRows(sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is>${deep}</is></c></row>`))).toMatchObject([{ row: 1, values: [undefined, 'au fond'] }]);
  });

  it(`${N / 2} merged ranges and ${N / 2} rows (every range was tried at every row)`, async () => {
    const n = N / 2;
    let rows = '';
    let merges = '';
    for (let r = 1; r <= n; r++) {
      rows += `<row r="${r}">${cellV(`A${r}`, r)}</row>`;
      merges += `<mergeCell ref="A${r}:C${r}"/>`;
    }
    const read = await readRows(sheetXml(rows, `<mergeCells count="${n}">${merges}</mergeCells>`));
    expect(read).toHaveLength(n);
    expect(read[n - 1].values).toEqual([undefined, n, n, n]);
  });

  it('a range merged over the whole sheet: once focused on two columns, a row holds those two only', async () => {
    let rows = '';
    for (let r = 1; r <= 50_000; r++) rows += `<row r="${r}">${r === 1 ? cellV('A1', 'tout', 'inlineStr').replace('<v>tout</v>', '<is><t>tout</t></is>') : cellV(`XFD${r}`, r)}</row>`;
    const read = await readRows(sheetXml(rows, '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'), { focus: [1, 2] });
    expect(read).toHaveLength(50_000);
    // The work: two values per row, not 16 384.
    for (const r of [read[1], read[49_999]]) expect([r.values.length, r.values[1], r.values[2]]).toEqual([3, 'tout', 'tout']);
  });
});
