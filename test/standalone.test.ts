import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cli, root, tmpDir } from './helpers.js';
import { PYTHON } from './clients.js';
import { excelRef } from '../src/ui/page/problems.js';
import zlib from 'node:zlib';
import { craftZip, deflatedNoiseThenSpaces, MiB, minimalWorkbook, sheetXml } from './zip-craft.js';

/**
 * dist/xlsx2segur.html as its user meets it: opened from disk (file://) in Debian's chromium, headless, with
 * nothing allowed to leave the page; the engine runs in the page's worker, and what it gives is the CLI's:
 * statuses and problems as validate --json, the JSON files and PJ zips byte for byte as convert --pj, the
 * results workbooks part for part (the page deflates with the browser's CompressionStream, not Node's zlib), the
 * journal's entries.
 */
const CHROMIUM = '/usr/bin/chromium';
const NAMES = ['exemple-specification.xlsx', '450-demandes.xlsx', 'avec-erreurs.xlsx'];
const SAMPLES = NAMES.map((n) => path.join(root, 'samples', n));
const DATE = '20261124';
const PAGE = path.join(root, 'dist', 'xlsx2segur.html');

let w: string;
let pjDir: string;
let browser: Browser;
let context: BrowserContext;
/** Requests the page tried to send anywhere but to its own file, blob: and data: URLs. */
const outside: string[] = [];
/** Errors on the console of the page or of its worker (a Content-Security-Policy violation would be one). */
const consoleErrors: string[] = [];

/** The PJ the samples name (read from the CLI's JSON files): all given but two, one missing and one a PNG named .pdf. */
function makePj(dir: string): void {
  const plain = path.join(w, 'sans-pj');
  cli(['convert', ...SAMPLES, '-o', plain, '--date', DATE, '-q']);
  const names = new Set<string>();
  for (const n of fs.readdirSync(plain).filter((f) => /^JSON-.*\.json$/.test(f))) for (const m of fs.readFileSync(path.join(plain, n), 'utf8').matchAll(/"nomFichier": "([^"]+)"/g)) names.add(m[1]);
  const list = [...names];
  expect(list.length).toBeGreaterThan(400);
  fs.mkdirSync(dir, { recursive: true });
  list.slice(1).forEach((name, i) => fs.writeFileSync(path.join(dir, name), i === 0 ? Buffer.from('\x89PNG\r\n\x1a\n.....', 'latin1') : `%PDF-1.4\n${name} ${'x'.repeat(i % 50)}`));
}

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`erreur de la page : ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`${m.text()} ${m.location().url}`)));
  page.on('worker', (wk) => wk.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`worker : ${m.text()}`))));
  await page.goto(`file://${PAGE}`);
  await page.waitForSelector('body[data-pret]');
  return page;
}

async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'), undefined, { timeout: 120_000 });
}

/** The date typed and left, the samples and the PJ folder given, once the check is over. */
async function giveInputs(page: Page): Promise<void> {
  await page.fill('#date-depot', '24/11/2026');
  await page.locator('#date-depot').blur();
  await page.setInputFiles('#choix-classeurs', SAMPLES);
  await page.setInputFiles('#dossier-pj', pjDir);
  await idle(page);
  await page.waitForSelector('#totaux');
}

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const z = await JSZip.loadAsync(fs.readFileSync(file));
  const out = new Map<string, Buffer>();
  for (const [name, f] of Object.entries(z.files)) if (!f.dir) out.set(name, await f.async('nodebuffer'));
  return out;
}

async function exportZip(page: Page): Promise<Map<string, Buffer>> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#exporter')]);
  const file = path.join(w, `export-${Date.now()}.zip`);
  await download.saveAs(file);
  await idle(page);
  return unzip(file);
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-page.mjs')], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  w = tmpDir('x2s-page-');
  pjDir = path.join(w, 'pieces');
  makePj(pjDir);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--lang=fr-FR'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true, locale: 'fr-FR' });
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (/^(file|blob|data):/.test(target)) return route.continue();
    outside.push(target);
    return route.abort();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('dist/xlsx2segur.html, opened from disk', () => {
  it('holds its script and style inline, under a Content-Security-Policy of default-src none', () => {
    const html = fs.readFileSync(PAGE, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; worker-src blob:/);
    expect(csp).not.toMatch(/unsafe|connect-src|https?:/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
  });

  it('checks, exports what the CLI exports (same bytes), and with its journal given back exports nothing twice', async () => {
    const page = await openPage();
    expect(await page.textContent('#etat-depot')).toContain('la page ne peut pas vous protéger d\'un double dépôt');
    await giveInputs(page);

    // Statuses and problems: those of validate --json on the same inputs, date and PJ folder.
    const want = JSON.parse(cli(['validate', ...SAMPLES, '--date', DATE, '--pj', 'pieces', '--json'], { cwd: w }).stdout);
    const shown = await page.$$eval('table.demandes tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-demande'), r.querySelector('[data-status]')!.getAttribute('data-status'), r.querySelector('[data-status]')!.textContent]));
    expect(shown).toEqual(want.demandes.map((d: any) => [d.numeroEditeur, d.status, d.statusLabel]));
    expect(new Set(shown.map((s) => s[1]))).toEqual(new Set(['valide', 'rejetee']));
    const problems = await page.$$eval('#table-problemes tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(problems.map((p) => [p[0], p[1], p[3], p[4], p[5]!.replace(/ \(\d+ demandes? concernées?\)$/, '')])).toEqual(
      want.issues.map((i: any) => [path.basename(i.file), excelRef(i), i.severity === 'erreur' ? 'Erreur' : 'Avertissement', i.code, i.message.replace(i.file, path.basename(i.file))]),
    );
    expect(problems.map((p) => p[4])).toEqual(expect.arrayContaining(['PJ_ABSENTE', 'PJ_FORMAT_REEL']));

    // Export: the CLI's convert --pj in an empty deposit folder gives the same files.
    const files = await exportZip(page);
    const depot = path.join(w, 'depot');
    cli(['convert', ...SAMPLES, '-o', depot, '--date', DATE, '--pj', 'pieces', '-q'], { cwd: w }); // the page names the PJ folder as the CLI given its name
    const onDisk = fs.readdirSync(depot).filter((n) => !n.startsWith('.') && n !== 'xlsx2segur.lock');
    expect([...files.keys()].sort()).toEqual(onDisk.sort());
    const json = onDisk.filter((n) => n.endsWith('.json') && n.startsWith('JSON-'));
    expect(json.length).toBeGreaterThan(1);
    for (const n of json) expect(files.get(n)!.toString('utf8'), n).toBe(fs.readFileSync(path.join(depot, n), 'utf8'));
    const zips = onDisk.filter((n) => n.endsWith('.zip'));
    expect(zips.length).toBe(json.length);
    for (const n of zips) expect(files.get(n)!.equals(fs.readFileSync(path.join(depot, n))), n).toBe(true);
    for (const n of onDisk.filter((x) => x.endsWith('.resultats.xlsx'))) {
      const a = await JSZip.loadAsync(files.get(n)!);
      const b = await JSZip.loadAsync(fs.readFileSync(path.join(depot, n)));
      expect(Object.keys(a.files), n).toEqual(Object.keys(b.files));
      for (const part of Object.keys(b.files).filter((p) => !b.files[p].dir)) expect((await a.file(part)?.async('nodebuffer'))?.equals((await b.file(part)?.async('nodebuffer'))!), `${n} ${part}`).toBe(true);
    }
    const journal = JSON.parse(files.get('xlsx2segur-journal.json')!.toString('utf8'));
    expect(journal).toEqual(JSON.parse(fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json'), 'utf8')));
    expect(journal.entries.length).toBeGreaterThan(400);

    // A second run, the journal of the first given back: every demande already exported, nothing to export.
    const journalFile = path.join(w, 'xlsx2segur-journal.json');
    fs.writeFileSync(journalFile, files.get('xlsx2segur-journal.json')!);
    await page.close();
    const again = await openPage();
    await again.setInputFiles('#choix-journal', journalFile);
    await giveInputs(again);
    expect(await again.textContent('#etat-depot')).toContain(`${journal.entries.length} demandes déjà exportées`);
    const statuses = await again.$$eval('table.demandes [data-status]', (tds) => tds.map((td) => td.getAttribute('data-status')));
    expect(statuses.filter((s) => s === 'deja_exportee').length).toBe(journal.entries.length);
    expect(statuses.filter((s) => s === 'valide')).toEqual([]);
    expect(await again.isDisabled('#exporter')).toBe(true);
    await again.close();

    // The same with the deposit folder the CLI wrote given instead of its journal.
    const third = await openPage();
    await third.setInputFiles('#choix-dossier-depot', depot);
    await giveInputs(third);
    expect(await third.textContent('#etat-depot')).toContain(`le dossier « depot », ${journal.entries.length} demandes déjà exportées`);
    expect(await third.$$eval('table.demandes [data-status="deja_exportee"]', (tds) => tds.length)).toBe(journal.entries.length);
    await third.close();

    expect(outside).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 240_000);
  it('keeps the CLI’s guards on a damaged archive: the bomb stopped at its declared size, data after the deflate stream refused', async () => {
    const bomb = path.join(w, 'menteur.xlsx');
    fs.writeFileSync(bomb, craftZip(minimalWorkbook({ name: '', deflated: deflatedNoiseThenSpaces(1 * MiB, 200), size: 2 * MiB, crc: 0 })));
    const sheet = Buffer.from(sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'));
    const junk = path.join(w, 'queue.xlsx');
    fs.writeFileSync(junk, craftZip(minimalWorkbook({ name: '', data: sheet, deflated: Buffer.concat([zlib.deflateRawSync(sheet), Buffer.from('de trop')]) })));
    const page = await openPage();
    await page.fill('#date-depot', '24/11/2026');
    await page.locator('#date-depot').blur();
    await page.setInputFiles('#choix-classeurs', [bomb, junk]);
    await idle(page);
    const failures = await page.$$eval('.echecs li', (lis) => lis.map((li) => li.textContent));
    expect(failures).toEqual([
      expect.stringContaining(`menteur.xlsx : archive .xlsx suspecte (bombe de décompression ?) : l'entrée « xl/worksheets/sheet1.xml » contient plus de données que les ${2 * MiB} octets déclarés ; la décompression est arrêtée.`),
      expect.stringMatching(/^queue.xlsx : fichier endommagé : .*partie xl\/worksheets\/sheet1.xml : données compressées illisibles/),
    ]);
    for (const f of [bomb, junk]) expect(cli(['validate', f, '--date', DATE]).stdout).toContain(path.basename(f) === 'menteur.xlsx' ? 'bombe de décompression' : 'fichier endommagé');
    await page.close();
    expect(consoleErrors).toEqual([]);
  }, 120_000);
  it('reads a folder of CSV files as the CLI does: the same statuses and JSON file', async () => {
    // The sample's sheets saved as CSV (« ; », UTF-8 with BOM, dates JJ/MM/AAAA), as Excel would.
    const dir = path.join(w, 'csv-exemple');
    const script = `
import csv, datetime, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
for ws in wb.worksheets:
    with open(f"{sys.argv[2]}/{ws.title}.csv", "w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f, delimiter=";")
        for row in ws.iter_rows(values_only=True):
            out.writerow(["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, datetime.datetime) else ("Oui" if v else "Non") if isinstance(v, bool) else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).replace(".", ",") if isinstance(v, float) else str(v) for v in row])
`;
    fs.mkdirSync(dir);
    const made = spawnSync(PYTHON, ['-c', script, SAMPLES[0], dir], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const depot = path.join(w, 'depot-csv');
    cli(['convert', dir, '-o', depot, '--date', DATE, '-q']);
    const json = fs.readdirSync(depot).filter((n) => /^JSON-.*\.json$/.test(n));
    expect(json).toHaveLength(1);

    const page = await openPage();
    await page.fill('#date-depot', '24/11/2026');
    await page.locator('#date-depot').blur();
    await page.setInputFiles('#choix-dossier-csv', dir);
    await idle(page);
    expect(await page.$$eval('table.demandes [data-status]', (tds) => tds.map((td) => td.getAttribute('data-status')))).toEqual(['valide']);
    const files = await exportZip(page);
    expect(files.get(json[0])!.toString('utf8')).toBe(fs.readFileSync(path.join(depot, json[0]), 'utf8'));
    expect([...files.keys()].sort()).toEqual([json[0], 'csv-exemple.resultats.xlsx', 'xlsx2segur-journal.json']);
    await page.close();
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
