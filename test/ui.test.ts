import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bin, cli, jsonFiles, readJson, root, tmpDir } from './helpers.js';
import { LibreOffice } from './clients.js';
import { excelRef } from '../src/ui/page/problems.js';

/**
 * `xlsx2segur ui` as its user meets it: the real command started with --no-open, its page driven in Debian's
 * chromium (headless, never a browser downloaded by Playwright), every action compared with the CLI's.
 */
const CHROMIUM = '/usr/bin/chromium';
const SAMPLES = ['exemple-specification.xlsx', 'avec-erreurs.xlsx'].map((f) => path.join(root, 'samples', f));
const DATE = '20261124';

let w: string;
let depot: string;
let proc: ChildProcessWithoutNullStreams;
let output = '';
let url: string;
let port: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests the page tried to send anywhere but to its server: the network guard fails the tests if any. */
const outside: string[] = [];
/** Errors the page's console reported (a Content-Security-Policy violation would be one). */
const consoleErrors: string[] = [];
/** When this file's server was started (the temporary folders older than that are other runs'). */
let started = 0;

/** The server's folder in the system's temporary folder: the one that holds the workbooks this test sent. */
function sessionDir(): string {
  const found = fs
    .readdirSync(os.tmpdir())
    .filter((f) => f.startsWith('xlsx2segur-ui-'))
    .map((f) => path.join(os.tmpdir(), f))
    .filter((d) => fs.statSync(d).ctimeMs >= started && fs.existsSync(path.join(d, 'classeurs/avec-erreurs.xlsx')));
  expect(found).toHaveLength(1);
  return found[0];
}

/** Types a date in the deposit date field and leaves it (a changed date checks the workbooks again): once that check is over. */
async function typeDate(p: Page, date: string): Promise<void> {
  await p.fill('#date-depot', date);
  await p.locator('#date-depot').blur();
  await p.waitForSelector('body:not([aria-busy])');
}

/** A plain HTTP request to the server, with the Host header and the headers given. */
function request(pathname: string, opts: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: opts.method ?? 'GET', headers: { Host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The ports of the servers this file started: the only places the page may reach. */
const servers = new Set<number>();

/** Starts `xlsx2segur ui --no-open -o <depot>` and waits for the address it prints. */
async function startUi(dir: string): Promise<{ proc: ChildProcessWithoutNullStreams; url: string; port: number; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'ui', '--no-open', '-o', dir], { cwd: path.dirname(dir), env: { ...process.env, BROWSER: '/bin/false', XLSX2SEGUR_LOCK_WAIT: '1' } });
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (text += t));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (t: string) => {
      text += t;
      const m = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(text);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`ui s'est arrêté (${code}) : ${text}`)));
  });
  const p = Number(new URL(address).port);
  servers.add(p);
  return { proc: child, url: address, port: p, output: () => text };
}

beforeAll(async () => {
  // The page's bundle (npm run build makes it; a targeted run of this file may come right after tsc).
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-page.mjs')], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  started = Date.now() - 1000;
  w = tmpDir('x2s-ui-');
  depot = path.join(w, 'depot');
  const first = await startUi(depot);
  ({ proc, url, port } = first);
  output = first.output();
  proc.stdout.on('data', (t: string) => (output += t));
  proc.stderr.on('data', (t: string) => (output += t));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--lang=fr-FR'], env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LANGUAGE: 'fr' } });
  context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true, locale: 'fr-FR' });
  await context.route('**', (route) => {
    const target = route.request().url();
    if ([...servers].some((p) => target.startsWith(`http://127.0.0.1:${p}/`))) return route.continue();
    outside.push(target);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => outside.push(`erreur de la page : ${e.message}`));
  // A Content-Security-Policy violation, or any other fault, is reported on the console.
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`${m.text()} ${m.location().url}`)));
});

afterAll(async () => {
  await browser?.close();
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
});

describe('xlsx2segur ui: a cell in Excel\'s own form', () => {
  it('sheet!cell, the sheet quoted when Excel would quote it; a whole row when no column is known', () => {
    expect(excelRef({ sheet: 'Commandes', row: 12, column: 'D' })).toBe('Commandes!D12');
    expect(excelRef({ sheet: 'Scénarios', row: 7, column: 'D' })).toBe('Scénarios!D7');
    expect(excelRef({ sheet: 'Mes commandes', row: 2, column: 'AA' })).toBe("'Mes commandes'!AA2");
    expect(excelRef({ sheet: "L'été", row: 1, column: 'A' })).toBe("'L''été'!A1");
    expect(excelRef({ sheet: '2026', row: 1, column: 'A' })).toBe("'2026'!A1");
    expect(excelRef({ sheet: 'AB12', row: 1, column: 'A' })).toBe("'AB12'!A1");
    expect(excelRef({ sheet: 'Fichier', row: 3 })).toBe('Fichier!3:3');
    expect(excelRef({})).toBe('');
  });
});

describe('xlsx2segur ui: the server', () => {
  it('prints its address on 127.0.0.1 with a token, and serves the page with a strict Content-Security-Policy', async () => {
    expect(output).toContain(`xlsx2segur ui — dossier de dépôt ${depot}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/$/);
    const r = await request(new URL(url).pathname);
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.body).toContain('<html lang="fr">');
    expect((await request(new URL(url).pathname, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a request without the token, with another token, or with another Host, in French', async () => {
    const token = new URL(url).pathname.split('/')[1];
    for (const p of ['/', '/api/etat', `/${'x'.repeat(token.length)}/`, `/${token.slice(0, -1)}/api/etat`, `/${token}x/`]) {
      const r = await request(p);
      expect([p, r.status]).toEqual([p, 403]);
      expect(r.body).toContain("Accès refusé : l'adresse ne porte pas le bon jeton");
    }
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.1.evil.example:${port}`]) {
      const r = await request(`/${token}/api/etat`, { host });
      expect([host, r.status]).toEqual([host, 403]);
      expect(JSON.parse(r.body).erreur).toContain(`Accès refusé : cette adresse (${host}) n'est pas celle de l'interface xlsx2segur`);
    }
    const posted = await request(`/${token}/api/verifier`, { method: 'POST', headers: { Origin: 'http://evil.example' } });
    expect(posted.status).toBe(403);
    expect(JSON.parse(posted.body).erreur).toContain("requête venue d'une autre page");
    // The token and the right Host: the API answers.
    const ok = await request(`/${token}/api/etat`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).dossier).toBe(depot);
  });
});

describe('xlsx2segur ui: the page, as the CLI', () => {
  it('checks the workbooks dropped at once: each demande with the status validate gives it, each problem with its cell', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-pret="oui"]');
    expect(await page.locator('#dossier').textContent()).toBe(depot);
    // Every field has a label a screen reader announces.
    const unlabelled = await page.$$eval('input, textarea', (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id));
    expect(unlabelled).toEqual([]);
    // The template to fill, as `xlsx2segur template avance` writes it.
    const [model] = await Promise.all([page.waitForEvent('download'), page.click('a[download="avance-bio-sgl.xlsx"]')]);
    expect(cli(['template', 'avance', '-o', path.join(w, 'modele.xlsx')]).code).toBe(0);
    expect(fs.readFileSync((await model.path())!).equals(fs.readFileSync(path.join(w, 'modele.xlsx')))).toBe(true);
    await typeDate(page, '24/11/2026');
    await page.setInputFiles('#choix-classeurs', SAMPLES);
    await page.waitForSelector('#totaux');

    const cli1 = cli(['validate', ...SAMPLES, '-o', path.join(w, 'controle'), '--date', DATE, '--json']);
    expect(cli1.code).toBe(1);
    const want = JSON.parse(cli1.stdout);
    const shown = await page.$$eval('table.demandes tbody tr', (rows) => rows.map((r) => ({ n: r.getAttribute('data-demande'), code: r.querySelector('[data-status]')!.getAttribute('data-status'), label: r.querySelector('[data-status]')!.textContent })));
    expect(shown).toEqual(want.demandes.map((d: any) => ({ n: d.numeroEditeur, code: d.status, label: d.statusLabel })));
    expect(shown.filter((d) => d.code === 'rejetee').length).toBe(6);
    expect(await page.locator('#totaux').textContent()).toBe('Date de dépôt 24/11/2026 — 8 demandes lues : 2 valides, à exporter, 6 rejetées ; 16 erreurs, 1 avertissement.');

    // The main screen, for the README (docs/ui.png is regenerated only when asked).
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    const shot = process.env.UPDATE_SCREENSHOT === '1' ? path.join(root, 'docs/ui.png') : path.join(w, 'ui.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    expect(fs.readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');

    // At 200 % zoom, 1280×720 is a 640×360 page: nothing wider than the window, every table scrolls in its own box.
    await page.setViewportSize({ width: 640, height: 360 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 720 });

    // The problems table: the CLI's problems, each with its cell in Excel's form.
    const rows = () => page.$$eval('#table-problemes tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const problems = await rows();
    const ref = (i: any) => `${i.sheet}!${i.column}${i.row}`;
    expect(problems.map((p) => [p[0], p[1], p[4]])).toEqual(want.issues.map((i: any) => [path.basename(i.file), i.column ? ref(i) : `${i.sheet}!${i.row}:${i.row}`, i.code]));
    expect(problems).toContainEqual(['avec-erreurs.xlsx', 'Commandes!B3', '00002', 'Erreur', 'DATE_INVALIDE', "dateCommande : « 31/02/2022 » n'est pas une date valide au format JJ/MM/AAAA."]);
    // Errors only, then sorted by code (its button, with the keyboard).
    await page.check('#erreurs-seulement');
    expect((await rows()).length).toBe(16);
    await page.focus('#table-problemes button[data-col="code"]');
    await page.keyboard.press('Enter');
    const codes = (await rows()).map((r) => r[4]!);
    expect(codes).toEqual([...codes].sort((a, b) => a.localeCompare(b, 'fr', { numeric: true })));
    expect(await page.getAttribute('#table-problemes th:nth-child(5)', 'aria-sort')).toBe('ascending');
    // Downloaded as CSV: the rows shown, for Excel in French.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-problemes')]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFClasseur;Cellule;Demande;Gravité;Code;Message\r\n')).toBe(true);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(17);
    await page.uncheck('#erreurs-seulement');

  });

  it("exports: the JSON files and results workbooks are byte for byte those convert writes, each file shown with what to type on the portal", async () => {
    await page.click('#exporter');
    await page.waitForSelector('#table-export');
    const other = path.join(w, 'cli');
    expect(cli(['convert', ...SAMPLES, '-o', other, '--date', DATE]).code).toBe(1);
    const names = jsonFiles(other);
    expect(names).toEqual(['JSON-ANS0000001-20261124-001.json', 'JSON-ANS0000099-20261124-001.json']);
    expect(jsonFiles(depot)).toEqual(names);
    for (const n of names) expect(fs.readFileSync(path.join(depot, n)).equals(fs.readFileSync(path.join(other, n))), n).toBe(true);
    // The results workbooks too, though the page checked the workbooks (validate) before exporting them.
    for (const n of ['exemple-specification.resultats.xlsx', 'avec-erreurs.resultats.xlsx']) expect(fs.readFileSync(path.join(depot, n)).equals(fs.readFileSync(path.join(other, n))), n).toBe(true);
    const portal = await page.$$eval('#table-export tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-fichier'), tr.querySelector('[data-col="type"]')!.textContent, tr.querySelector('[data-col="ans"]')!.textContent]));
    expect(portal).toEqual([
      [names[0], 'avance', 'ANS0000001'],
      [names[1], 'avance', 'ANS0000099'],
    ]);
    // The statuses are convert's now; the results workbook is downloaded as written in the deposit folder.
    const statuses = await page.$$eval('table.demandes [data-status]', (tds) => tds.map((td) => td.getAttribute('data-status')));
    expect(statuses.filter((s) => s === 'exportee')).toHaveLength(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download="avec-erreurs.resultats.xlsx"]')]);
    expect(download.suggestedFilename()).toBe('avec-erreurs.resultats.xlsx');
    expect(fs.readFileSync((await download.path())!).equals(fs.readFileSync(path.join(depot, 'avec-erreurs.resultats.xlsx')))).toBe(true);
    // The workbooks were kept in the system's temporary folder, never in the deposit folder.
    expect(fs.readdirSync(depot).filter((f) => f.endsWith('.xlsx') && !f.includes('.resultats.'))).toEqual([]);
    expect(fs.readFileSync(path.join(sessionDir(), 'classeurs/avec-erreurs.xlsx')).equals(fs.readFileSync(SAMPLES[1]))).toBe(true);
  });

  it("records the ASP's return dropped, and the journal shows it as journal --json does", async () => {
    const deposited = readJson(path.join(depot, 'JSON-ANS0000001-20261124-001.json'));
    deposited.impId = 'IMP-1';
    for (const l of deposited.lignesImport) Object.assign(l, { numeroASP: 'FINBIO000006', codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
    const answer = path.join(w, 'reponse.json');
    fs.writeFileSync(answer, JSON.stringify(deposited, null, 2));
    // Dropped on its zone, as a file dragged from the downloads folder.
    await page.evaluate(
      ([name, text]) => {
        const data = new DataTransfer();
        data.items.add(new File([text], name, { type: 'application/json' }));
        document.getElementById('retour-zone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      ['reponse.json', fs.readFileSync(answer, 'utf8')],
    );
    await page.waitForSelector('#resultat-retour li');
    expect(await page.locator('#resultat-retour li').allTextContents()).toEqual(['✓ reponse.json, ligne 1 (avance) : demande 00001 acceptée, dossier FINBIO000006.']);
    await page.waitForSelector('#table-journal [data-status="acceptee_asp"]');
    const journal = JSON.parse(cli(['journal', '-o', depot, '--json']).stdout);
    const rows = await page.$$eval('#table-journal tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-demande'), tr.querySelector('[data-status]')!.getAttribute('data-status'), tr.querySelector('[data-status]')!.textContent]));
    expect(rows).toEqual(journal.entries.map((e: any) => [e.numeroEditeur, e.status, e.statusLabel]));
    expect(rows.map((r) => r[1])).toEqual(['acceptee_asp', 'deja_exportee']);
    // The demande's status in the workbook list too (checked again after the return).
    await page.waitForSelector('table.demandes [data-status="acceptee_asp"]');
  });

  it('marks a payment, then prepares the solde workbook from the deposit folder', async () => {
    await page.fill('#numeros', 'FINBIO000006 FINBIO999999');
    await page.click('#payees');
    await page.waitForSelector('#resultat-paiements li');
    expect(await page.locator('#resultat-paiements li').allTextContents()).toEqual([
      '✓ FINBIO000006 (demande 00001) : avance payée.',
      '✗ FINBIO999999 : aucune avance acceptée de ce numéro dans le journal.',
      expect.stringMatching(/^Classeur de résultats mis à jour : /),
    ]);
    await page.waitForSelector('#table-journal [data-status="payee"]');
    await page.click('#preparer-solde');
    await page.waitForSelector('#resultat-solde a[download="solde-bio-sgl.xlsx"]');
    expect(await page.locator('#resultat-solde li').first().textContent()).toContain(`solde-bio-sgl.xlsx — numéro ANS ANS0000001 : 1 avance payée`);
    expect(fs.existsSync(path.join(depot, 'solde-bio-sgl.xlsx'))).toBe(true);
  });

  it('says what to do when an action cannot be done', async () => {
    await page.fill('#date-depot', '31/02/2026');
    await page.locator('#date-depot').blur();
    await page.waitForSelector('#alerte:not([hidden])');
    expect(await page.locator('#alerte').textContent()).toBe('Action impossible : Date de dépôt « 31/02/2026 » invalide : écrivez-la JJ/MM/AAAA, par exemple 24/11/2026.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('date-depot');
    await typeDate(page, '24/11/2026');
    await page.fill('#dossier-pj', path.join(w, 'absent'));
    await page.click('#reverifier');
    await page.waitForSelector('#alerte:not([hidden])');
    expect(await page.locator('#alerte').textContent()).toContain(`--pj ${path.join(w, 'absent')} : ce dossier de pièces justificatives est introuvable.`);
    await page.fill('#dossier-pj', '');
    // A folder of CSV files that are not CSV: the CLI's message, the other workbooks checked all the same; then taken away.
    await page.setInputFiles('#choix-dossier-csv', path.join(root, 'test/fixtures/broken/csv-binaire'));
    await page.waitForSelector('.echecs li');
    expect(await page.locator('.echecs li').textContent()).toContain("csv-binaire/Commandes.csv : ce fichier n'est pas un fichier CSV (contenu binaire, une archive zip : un classeur .xlsx renommé en .csv ?)");
    expect(await page.locator('table.demandes tbody tr').count()).toBe(8);
    await page.click('button[aria-label="Retirer csv-binaire"]');
    await page.waitForSelector('.echecs', { state: 'detached' });
    // The deposit folder held by another command (this test's process, alive): the page says so, nothing is written.
    const lock = path.join(depot, 'xlsx2segur.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command: 'convert', token: 'autre' }));
    const journalBefore = fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json'));
    await page.fill('#numeros', 'FINBIO000006');
    await page.click('#refusees');
    await page.waitForSelector('#alerte:not([hidden])');
    expect(await page.locator('#alerte').textContent()).toContain(`Le dossier ${depot} est occupé par une autre commande`);
    expect(fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json')).equals(journalBefore)).toBe(true);
    fs.rmSync(lock);
  });
});

describe('xlsx2segur ui: the PJ folder', () => {
  it('checked in the folder chosen, one .zip beside the JSON file, offered on the page: the bytes convert --pj writes', async () => {
    const base = tmpDir('x2s-ui-pj-');
    const pieces = path.join(base, 'pieces');
    fs.mkdirSync(pieces);
    for (const t of ['BDC', 'HT']) fs.writeFileSync(path.join(pieces, `BIO-SGL-Va1-${t}-00001.pdf`), `%PDF-1.4\n${'x'.repeat(500)}\n%%EOF\n`);
    const second = await startUi(path.join(base, 'depot'));
    const p = await context.newPage();
    try {
      await p.goto(second.url);
      await p.waitForSelector('body[data-pret="oui"]');
      await typeDate(p, '24/11/2026');
      await p.fill('#dossier-pj', pieces);
      await p.setInputFiles('#choix-classeurs', SAMPLES[0]);
      await p.waitForSelector('#totaux');
      await p.click('#exporter');
      await p.waitForSelector('#table-export');
      const zip = 'JSON-ANS0000001-20261124-001.zip';
      const spaces = (t: string | null) => (t ?? '').replace(/[\s\u202f]/g, ' ');
      const size = fs.statSync(path.join(base, 'depot', zip)).size;
      expect(spaces(await p.locator('#table-export tbody tr td').last().textContent())).toBe(spaces(`${zip} (${size.toLocaleString('fr-FR')} octets)`));
      expect(cli(['convert', SAMPLES[0], '-o', path.join(base, 'cli'), '--date', DATE, '--pj', pieces]).code).toBe(0);
      for (const f of [zip, 'JSON-ANS0000001-20261124-001.json']) expect(fs.readFileSync(path.join(base, 'depot', f)).equals(fs.readFileSync(path.join(base, 'cli', f))), f).toBe(true);
      const [download] = await Promise.all([p.waitForEvent('download'), p.click(`#table-export a[download="${zip}"]`)]);
      expect(fs.readFileSync((await download.path())!).equals(fs.readFileSync(path.join(base, 'cli', zip)))).toBe(true);
    } finally {
      await p.close();
      const stopped = new Promise((resolve) => second.proc.once('exit', resolve));
      second.proc.kill('SIGINT');
      expect(await stopped).toBe(0);
    }
  });
});

describe('xlsx2segur ui: a workbook given as CSV files', () => {
  it('a sample exported sheet by sheet by LibreOffice, chosen as a folder: each demande with the status validate gives the same inputs', async () => {
    const sheets = ['Fichier', 'Commandes', 'FINESS', 'PJ', 'Scénarios'];
    const folder = new LibreOffice().csvFolder(SAMPLES[1], sheets, path.join(w, 'export-csv'));
    await page.setInputFiles('#choix-dossier-csv', folder);
    // Its own table (not that of avec-erreurs.xlsx), once every file is sent and the check is over.
    const table = page.locator('table.demandes', { has: page.locator('caption', { hasText: new RegExp(`^Demandes de ${path.basename(folder)}(,|$)`) }) });
    await table.waitFor();
    await page.waitForSelector('body:not([aria-busy])');
    // The page checks it with the workbooks it holds, in their order: validate on those very inputs.
    const { entrees } = JSON.parse((await request(`${new URL(url).pathname}api/etat`)).body) as { entrees: string[] };
    expect(entrees.at(-1)).toBe(path.basename(folder));
    const held = entrees.map((e) => path.join(sessionDir(), 'classeurs', e));
    const all = JSON.parse(cli(['validate', ...held, '-o', depot, '--date', DATE, '--json']).stdout);
    const want = all.demandes.filter((d: any) => d.file === held.at(-1));
    const shown = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => ({ n: r.getAttribute('data-demande'), code: r.querySelector('[data-status]')!.getAttribute('data-status'), label: r.querySelector('[data-status]')!.textContent })));
    expect(shown.length).toBe(7);
    expect(shown).toEqual(want.map((d: any) => ({ n: d.numeroEditeur, code: d.status, label: d.statusLabel })));
    await page.click(`button[aria-label="Retirer ${path.basename(folder)}"]`);
    await table.waitFor({ state: 'detached' });
  });
});

describe('xlsx2segur ui: the network guard', () => {
  it('sent nothing anywhere but to its own server, and broke no rule of its Content-Security-Policy', () => {
    expect(outside).toEqual([]);
    // The only errors: the two actions refused above (missing PJ folder, folder held), which the page said.
    const refused = (action: string) => new RegExp(`^Failed to load resource: the server responded with a status of 400 \\(Bad Request\\) http://127\\.0\\.0\\.1:\\d+/[\\w-]+/api/${action}$`);
    expect(consoleErrors).toEqual([expect.stringMatching(refused('verifier')), expect.stringMatching(refused('paiements'))]);
  });
});

describe('xlsx2segur ui: Ctrl-C', () => {
  it('stops cleanly on SIGINT: exit code 0, the temporary folder removed', async () => {
    const session = sessionDir();
    const code = await new Promise<number | null>((resolve) => {
      proc.on('exit', (c) => resolve(c));
      proc.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(output).toContain('Interface arrêtée.');
    expect(fs.existsSync(session)).toBe(false);
    await expect(request('/')).rejects.toThrow();
  });
});
