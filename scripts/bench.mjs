// Benchmark of the whole cycle (run with `npm run bench`, which builds first). See the « Performances »
// section of the README.
//
//   node scripts/bench.mjs [--sizes 10000,50000] [--runs 3] [--dir DOSSIER] [--regenerate] [--keep] [--generate-only]
//                          [--kinds exceljs,openpyxl] [--only convert,validate,…]
//   BENCH_SIZES=1000,2000 npm run bench      (the sizes, when --sizes is not given)
//
// For each size it generates (once, deterministically) two avance workbooks made like one filled from the
// template: one by exceljs's streaming writer (shared strings), one by openpyxl (/usr/bin/python3, inline
// strings, the template's notes rewritten by openpyxl: scripts/bench-openpyxl.py). Then, for each workbook,
// it measures in child processes, alternated, median of --runs:
//   - two references: a bare exceljs read (every cell touched; on the openpyxl file, a copy whose notes
//     exceljs can find, as read/xlsx.ts normalises it, since exceljs crashes on the file itself) and a full
//     SheetJS read (the `xlsx` package, a devDependency used by nothing else);
//   - every command of the cycle, through the real command line: convert, validate, retour (a fake ASP
//     return made from the JSON files convert wrote: every line accepted with a FINBIO number, one in 50
//     rejected), retour --workbook, journal --payee (a file of the accepted numbers), journal, solde --from
//     <results workbook>, solde --from <deposit folder>;
//   - convert in dist/xlsx2segur.html, opened from disk in Debian's chromium (headless, playwright-core), when
//     /usr/bin/chromium is there: the time from « Exporter » to the zip downloaded, and the CPU time of the
//     browser's processes meanwhile (--only 'convert dans la page').
// Each child reports its peak RSS and CPU time (process.resourceUsage()) on stderr when it exits; for the
// commands that is done by a preloaded module (--import), so the command line itself runs unchanged.
// Results: tables on stdout and bench/results.json; each target of issue 13 is said « atteint » or « non
// atteint » (« non mesuré » when its size was not run). The benchmark reports; it never fails on a target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RSS_TAG = '@@xlsx2segur-bench maxRSS=';
/** Bump when the generated workbooks change, so that cached ones are made again. */
const GENERATOR_VERSION = 5;
const DATE = '20261124';
const CHROMIUM = '/usr/bin/chromium';

/** The template's columns in a sheet's header row: [field, column number] for each column the mapping knows. */
function headerColumns(ws, spec) {
  const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
  const cols = [];
  ws.getRow(1).eachCell((cell, c) => {
    const f = typeof cell.value === 'string' ? fieldOfHeader(cell.value, known) : undefined;
    if (f) cols.push([f, c]);
  });
  return cols;
}

// ---------------------------------------------------------------------------------------------------------
// Child (b): the bare exceljs read.
if (process.argv[2] === '--read-child') {
  const { default: ExcelJS } = await import('exceljs');
  const hook = () => {
    const u = process.resourceUsage();
    fs.writeSync(2, `\n${RSS_TAG}${u.maxRSS} cpu=${u.userCPUTime + u.systemCPUTime}\n`);
  };
  process.on('exit', hook);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[3]);
  let cells = 0;
  let chars = 0;
  wb.eachSheet((ws) =>
    ws.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell({ includeEmpty: false }, (cell) => {
        const v = cell.value;
        cells++;
        if (typeof v === 'string') chars += v.length;
      }),
    ),
  );
  process.stdout.write(JSON.stringify({ cells, chars }) + '\n');
  process.exit(0);
}

// Child (c): a full SheetJS read.
if (process.argv[2] === '--sheetjs-child') {
  const { default: XLSX } = await import('xlsx');
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeSync(2, `\n${RSS_TAG}${u.maxRSS} cpu=${u.userCPUTime + u.systemCPUTime}\n`);
  });
  const wb = XLSX.read(fs.readFileSync(process.argv[3]));
  let cells = 0;
  let chars = 0;
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name];
    for (const k in ws) {
      if (k[0] === '!') continue;
      const v = ws[k].v;
      cells++;
      if (typeof v === 'string') chars += v.length;
    }
  }
  process.stdout.write(JSON.stringify({ cells, chars }) + '\n');
  process.exit(0);
}

// Child (d): convert in dist/xlsx2segur.html (file://, Debian's chromium, headless, through playwright-core):
// the workbook given and checked, then the time from « Exporter » to the zip downloaded, said on stdout.
/** CPU seconds used so far by a process and all its descendants (the browser's processes), from /proc. */
function treeCpuSeconds(root) {
  const procs = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([root]);
  let ticks = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
  }
  for (const p of procs) if (mine.has(p.pid)) ticks += p.ticks;
  return ticks / 100;
}

if (process.argv[2] === '--page-child') {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(pathToFileURL(path.join(root, 'dist', 'xlsx2segur.html')).href);
    await page.waitForSelector('body[data-pret]');
    await page.fill('#date-depot', `${DATE.slice(6)}/${DATE.slice(4, 6)}/${DATE.slice(0, 4)}`);
    await page.locator('#date-depot').blur();
    await page.setInputFiles('#choix-classeurs', process.argv[3]);
    const idle = () => page.waitForFunction(() => !document.body.hasAttribute('aria-busy'), undefined, { timeout: 0 });
    await page.waitForSelector('#totaux', { timeout: 0 });
    await idle();
    const t0 = performance.now();
    const cpu0 = treeCpuSeconds(process.pid);
    await Promise.all([page.waitForEvent('download', { timeout: 0 }), page.click('#exporter')]);
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = treeCpuSeconds(process.pid) - cpu0;
    await idle();
    const files = await page.$$eval('#table-export tbody tr', (trs) => trs.length);
    process.stdout.write(JSON.stringify({ seconds, cpuSeconds, files }) + '\n');
  } finally {
    await browser.close();
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// Options.
function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} : valeur attendue`);
  return v;
}
const flag = (name) => process.argv.includes(name);
const sizes = option('--sizes', process.env.BENCH_SIZES || '10000,50000')
  .split(',')
  .map((s) => Number(s.trim().replace(/[_ ]/g, '')))
  .filter((n) => Number.isInteger(n) && n > 0);
const runs = Math.max(1, Number(option('--runs', '3')) || 1);
const kinds = option('--kinds', 'exceljs,openpyxl').split(',').filter((k) => k === 'exceljs' || k === 'openpyxl');
const COMMANDS = ['convert', 'validate', 'retour', 'retour --workbook', 'journal --payee', 'journal', 'solde --from', 'solde --from dossier'];
const only = option('--only', '')
  .split(',')
  .map((c) => c.trim())
  .filter(Boolean);
const measured = (c) => !only.length || only.includes(c) || (c.startsWith('lecture') && only.includes('lectures'));
const benchDir = path.resolve(option('--dir', path.join(os.tmpdir(), 'xlsx2segur-bench')));
const regenerate = flag('--regenerate');
const keep = flag('--keep');
if (!sizes.length) throw new Error('--sizes : aucune taille');
if (Math.max(...sizes) > 99999) throw new Error('--sizes : 99 999 demandes au plus (numéros éditeur de 5 chiffres)');

// ---------------------------------------------------------------------------------------------------------
// Generation: the template's sheets (Notice, data sheets with their header, notes, formats and dropdowns,
// hidden Listes) copied into a streaming WorkbookWriter, then the data rows streamed below the headers.
const { default: ExcelJS } = await import('exceljs');
const { default: JSZip } = await import('jszip');
const { loadMapping, mappingPathFor } = await import('../dist/mapping/load.js');
const { buildTemplate } = await import('../dist/template/template.js');
const { avanceExample } = await import('../dist/template/example.js');
const { fieldOfHeader } = await import('../dist/read/sheet.js');
const { workbookBytes } = await import('../dist/util/xlsx-write.js');
const { streamedWorkbookBytes } = await import('../dist/template/streamed.js');
const { normalisePackage } = await import('../dist/read/xlsx.js');

const mapping = loadMapping(mappingPathFor('avance'));
const pad = (n, w) => String(n).padStart(w, '0');
const OPERATEURS = ['GIP_1', 'ENO_5', 'WRA_3', 'GCS_2', 'MAI_15'];

/** The rows of demande i (1-based), by sheet; a few carry deliberate faults (see the README). */
function demande(i) {
  const num = pad(i, 5);
  const mandataire = i % 3 === 0;
  const ht = i % 4 === 0;
  const day = ((i * 7) % 28) + 1;
  const month = ((i * 5) % 12) + 1;
  const year = 2022 + (i % 3);
  const commande = {
    numeroEditeur: num,
    // Mostly Excel dates; one in ten typed as text, as people do.
    dateCommande: i % 10 === 0 ? `${pad(day, 2)}/${pad(month, 2)}/${year}` : new Date(Date.UTC(year, month - 1, day)),
    regimeTVA: ht ? 'HT' : 'TTC',
    montantSegurHT: 10000 + ((i * 137) % 20000) + (i % 100) / 100,
    isMandataire: mandataire ? 'OUI' : 'NON',
    isClientUnique: mandataire ? 'NON' : 'OUI',
    nomMandataire: mandataire ? `MANDATAIRE ${i}` : null,
    emailMandataire: mandataire ? `mandataire${i}@exemple.fr` : null,
    telephoneMandataire: mandataire ? `01 23 45 ${pad(i % 100, 2)} 00` : null,
  };
  // 2 FINESS rows (one juridique, two géographiques) or, for a mandataire, 3 (two juridiques).
  const finess = [];
  const juridiques = mandataire ? [[0, 1], [2]] : [[0, 1]];
  juridiques.forEach((geos, k) => {
    const jur = String(100000000 + i * 10 + k);
    for (const g of geos) {
      finess.push({
        numeroEditeur: num,
        numeroFINESSJuridique: jur,
        // Every 89th demande: a name in lower case (a warning, the demande is still accepted).
        nomClient: i % 89 === 0 ? `labo ${i}-${k + 1}` : `LABO ${i}-${k + 1}`,
        // Every 97th demande: an invalid e-mail address (an error: the demande is rejected).
        emailClient: i % 97 === 0 ? `client${i}.${k + 1}-labo.fr` : `client${i}.${k + 1}@labo.fr`,
        telephoneClient: `02 40 ${pad(i % 100, 2)} ${pad(k, 2)} 00`,
        numeroFINESSGeos: String(500000000 + i * 10 + g),
      });
    }
  });
  const pj = [
    { numeroEditeur: num, typeFichier: 'BON_COMMANDE', formatFichier: 'PDF', nomFichier: i % 2 ? null : `BIO-SGL-Va1-BDC-${num}.pdf` },
    ht
      ? { numeroEditeur: num, typeFichier: 'PREUVE_HT', formatFichier: 'PDF', nomFichier: null }
      : { numeroEditeur: num, typeFichier: 'ATTESTATION_HONNEUR', formatFichier: i % 5 ? 'PDF' : 'JPG', nomFichier: null },
  ];
  const scenario = {
    numeroEditeur: num,
    isIdRef: i % 2 ? 'OUI' : 'NON',
    isIdSlave: 'NON',
    operateurMessagerie: OPERATEURS[i % OPERATEURS.length],
    isSendingFluxIntraSIH: 'NON',
    isProSanteConnectNeeded: 'NON',
    isDirecToDMP: 'OUI',
    isPFIToDMP: 'NON',
    isDirectToMSSPro: 'OUI',
    isPFIToMSSPro: 'NON',
    isDirectToMSSCitoyen: 'NON',
    isPFIToMSSCitoyen: 'NON',
  };
  return { Commandes: [commande], FINESS: finess, PJ: pj, Scénarios: [scenario] };
}

const HEADER = {
  numeroAns: 'ANS0050000',
  SIRET: '44223344500000',
  profilReferentielIdentite: 'OUI',
  profilEsclaveIdentite: 'NON',
  profilMailiz: 'OUI',
  profilEnvironnementHospitalier: 'NON',
};

async function generate(n, file) {
  const template = buildTemplate(mapping, avanceExample);
  // The template's sheets copied by exceljs's streaming writer, the data rows streamed below the headers:
  // what solde does (src/template/streamed.ts), with the benchmark's rows; the same size, the same bytes.
  const rowsOf = (sheet) => {
    const spec = mapping.sheet(sheet);
    if (!spec) return undefined;
    const cols = headerColumns(template.getWorksheet(sheet), spec);
    const rows = spec.role === 'header' ? [HEADER] : Array.from({ length: n }, (_, i) => demande(i + 1)[sheet]).flat();
    return {
      count: rows.length,
      write(row, i) {
        for (const [f, c] of cols) if (rows[i][f] !== undefined && rows[i][f] !== null) row.getCell(c).value = rows[i][f];
      },
    };
  };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, await streamedWorkbookBytes(template, rowsOf));
  fs.renameSync(tmp, file);
}

/**
 * The same workbook written by openpyxl: the template (written by our template writer) loaded by openpyxl,
 * the same data rows set below the same template rows, saved by openpyxl (inline strings, its own notes
 * parts). The rows go to python as JSON lines.
 */
async function generateOpenpyxl(n, file) {
  const template = buildTemplate(mapping, avanceExample);
  const tmpl = `${file}.${process.pid}.modele.xlsx`;
  const lines = `${file}.${process.pid}.jsonl`;
  const tmp = `${file}.${process.pid}.tmp.xlsx`;
  fs.writeFileSync(tmpl, await workbookBytes(template));
  const fd = fs.openSync(lines, 'w');
  let pending = [];
  const flush = () => {
    if (pending.length) fs.writeSync(fd, pending.join(''));
    pending = [];
  };
  const jsonValue = (v) => (v instanceof Date ? { d: v.toISOString().slice(0, 10) } : v);
  for (const ws of template.worksheets) {
    const spec = mapping.sheet(ws.name);
    if (!spec) continue;
    let next = 1;
    ws.eachRow({ includeEmpty: true }, (_row, r) => (next = r + 1));
    const cols = headerColumns(ws, spec);
    const put = (data) => {
      const c = [];
      for (const [f, col] of cols) if (data[f] !== undefined && data[f] !== null) c.push([col, jsonValue(data[f])]);
      pending.push(JSON.stringify({ s: ws.name, r: next++, c }) + '\n');
      if (pending.length >= 5000) flush();
    };
    if (spec.role === 'header') put(HEADER);
    else for (let i = 1; i <= n; i++) for (const r of demande(i)[ws.name]) put(r);
  }
  flush();
  fs.closeSync(fd);
  try {
    const r = await run([path.join(root, 'scripts', 'bench-openpyxl.py'), tmpl, lines, tmp], '/usr/bin/python3');
    if (r.code !== 0) throw new Error(`openpyxl (/usr/bin/python3) : code ${r.code}\n${r.stderr}`);
    fs.renameSync(tmp, file);
  } finally {
    for (const f of [tmpl, lines, tmp]) fs.rmSync(f, { force: true });
  }
}

/** A copy of the openpyxl workbook that exceljs 4.4.0 can open (notes renamed, as read/xlsx.ts does). */
async function exceljsCopy(file, copy) {
  const buffer = fs.readFileSync(file);
  const fixed = await normalisePackage(buffer, await JSZip.loadAsync(buffer));
  // Deflated again (JSZip stores by default), so that exceljs inflates as much as from the original.
  const zip = await JSZip.loadAsync(fixed);
  fs.writeFileSync(copy, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

/** The workbook of n demandes written by `kind`, made when missing (or with --regenerate). */
async function workbookFor(n, kind) {
  fs.mkdirSync(benchDir, { recursive: true });
  const file = path.join(benchDir, kind === 'openpyxl' ? `avance-${n}.openpyxl.xlsx` : `avance-${n}.xlsx`);
  const meta = `${file}.meta.json`;
  const expected = JSON.stringify({ generator: GENERATOR_VERSION, kind, demandes: n, mapping: fs.readFileSync(mappingPathFor('avance'), 'utf8').length });
  const readable = kind === 'openpyxl' ? file.replace(/\.xlsx$/, '.exceljs.xlsx') : file;
  if (!regenerate && fs.existsSync(file) && fs.existsSync(readable) && fs.existsSync(meta) && fs.readFileSync(meta, 'utf8') === expected) return { file, readable, generated: false, seconds: 0 };
  const t0 = performance.now();
  if (kind === 'openpyxl') {
    await generateOpenpyxl(n, file);
    await exceljsCopy(file, readable);
  } else await generate(n, file);
  fs.writeFileSync(meta, expected);
  return { file, readable, generated: true, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------------------
// Measures.
const RSS_HOOK = `data:text/javascript,import fs from "node:fs";process.on("exit",()=>{const u=process.resourceUsage();fs.writeSync(2,"\\n${RSS_TAG}"+u.maxRSS+" cpu="+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

function run(args, command = process.execPath) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = new RegExp(`${RSS_TAG}(\\d+) cpu=(\\d+)`).exec(stderr);
      resolve({
        code,
        seconds,
        rssMB: m ? Number(m[1]) / 1024 : NaN,
        cpuSeconds: m ? Number(m[2]) / 1e6 : NaN,
        stdout,
        stderr: stderr.replace(new RegExp(`\\n?${RSS_TAG}\\d+ cpu=\\d+\\n?`), ''),
      });
    });
  });
}

const cli = (args) => run(['--import', RSS_HOOK, path.join(root, 'bin', 'xlsx2segur.js'), ...args]);
const tmpDir = (what) => fs.mkdtempSync(path.join(os.tmpdir(), `xlsx2segur-bench-${what}-`));
const checked = (what, r, codes) => {
  if (!codes.includes(r.code)) throw new Error(`${what} : code ${r.code}, ${codes.join(' ou ')} attendu\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return r;
};

/** The ASP's answer to every JSON file of a deposit folder: accepted with a FINBIO number, one in 50 rejected. */
function fakeReturns(depot, into) {
  fs.mkdirSync(into, { recursive: true });
  const files = [];
  const payees = [];
  let k = 0;
  for (const name of fs.readdirSync(depot).filter((f) => /^JSON-.*\.json$/.test(f)).sort()) {
    const json = JSON.parse(fs.readFileSync(path.join(depot, name), 'utf8'));
    for (const line of json.lignesImport) {
      k++;
      if (k % 50 === 0) Object.assign(line, { numeroASP: null, codeTraitement: 'E7', libelleTraitement: 'Pièce illisible' });
      else {
        const numero = `FINBIO${pad(k, 6)}`;
        Object.assign(line, { numeroASP: numero, codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
        payees.push(numero);
      }
    }
    const file = path.join(into, `retour-${name}`);
    fs.writeFileSync(file, JSON.stringify(json));
    files.push(file);
  }
  const payeesFile = path.join(into, 'payees.txt');
  fs.writeFileSync(payeesFile, payees.join('\n') + '\n');
  return { files, payeesFile };
}

/**
 * One round of every measure on one workbook, each command on its own copy of the deposit folder (so each
 * finds what the cycle leaves before it). Returns { measure name: run }.
 */
async function round(wb, n) {
  const out = {};
  const dirs = [];
  const dir = (what) => {
    const d = tmpDir(what);
    dirs.push(d);
    return d;
  };
  const note = (name, r) => {
    out[name] = r;
    process.stderr.write(`    ${name.padEnd(20)} ${r.seconds.toFixed(2).padStart(7)} s  CPU ${Number.isNaN(r.cpuSeconds) ? '      -' : r.cpuSeconds.toFixed(2).padStart(7)} s  ${Number.isNaN(r.rssMB) ? '    -' : r.rssMB.toFixed(0).padStart(5)} Mo\n`);
  };
  try {
    if (measured('lecture exceljs')) {
      const r = await run([path.join(root, 'scripts', 'bench.mjs'), '--read-child', wb.readable]);
      note('lecture exceljs', checked(`lecture exceljs de ${wb.readable}`, r, [0]));
    }
    if (measured('lecture SheetJS')) {
      const r = await run([path.join(root, 'scripts', 'bench.mjs'), '--sheetjs-child', wb.file]);
      note('lecture SheetJS', checked(`lecture SheetJS de ${wb.file}`, r, [0]));
    }
    const depot = dir('depot');
    // 1: some demandes are rejected on purpose (one in 97).
    const conv = checked(`convert ${wb.file}`, await cli(['convert', wb.file, '-o', depot, '--date', DATE, '-q']), [1]);
    const json = fs.readdirSync(depot).filter((f) => /^JSON-.*\.json$/.test(f));
    const expected = Math.ceil((n - Math.floor(n / 97)) / 200);
    if (json.length !== expected) throw new Error(`convert ${wb.file} : ${json.length} fichiers JSON, ${expected} attendus\n${conv.stdout}`);
    if (measured('convert')) note('convert', conv);
    if (measured('convert dans la page') && fs.existsSync(CHROMIUM)) {
      const r = checked('convert dans la page', await run([path.join(root, 'scripts', 'bench.mjs'), '--page-child', wb.file]), [0]);
      const got = JSON.parse(r.stdout.trim().split('\n').pop());
      if (got.files !== expected) throw new Error(`convert dans la page ${wb.file} : ${got.files} fichiers JSON, ${expected} attendus`);
      // The time from « Exporter » to the zip, as the page's user waits for it, and the CPU time of all the
      // browser's processes meanwhile; their memory is not measured.
      note('convert dans la page', { ...r, seconds: got.seconds, cpuSeconds: got.cpuSeconds, rssMB: NaN });
    }
    if (measured('validate')) note('validate', checked('validate', await cli(['validate', wb.file, '-o', dir('validate'), '--date', DATE, '-q']), [1]));
    const { files, payeesFile } = fakeReturns(depot, dir('retours'));
    const copy = (what) => {
      const d = dir(what);
      fs.cpSync(depot, d, { recursive: true });
      return d;
    };
    // What the later commands need is run even when it is not measured.
    const later = (...cs) => cs.some(measured);
    const d1 = copy('retour');
    if (later('retour', 'journal --payee', 'journal', 'solde --from', 'solde --from dossier')) {
      const ret = checked('retour', await cli(['retour', ...files, '-o', d1]), [0, 1]);
      if (measured('retour')) note('retour', ret);
    }
    if (measured('retour --workbook')) note('retour --workbook', checked('retour --workbook', await cli(['retour', ...files, '-o', copy('retour-classeur'), '--workbook', wb.file]), [0, 1]));
    if (later('journal --payee', 'journal', 'solde --from', 'solde --from dossier')) {
      const pay = checked('journal --payee', await cli(['journal', '-o', d1, '--payee', payeesFile]), [0]);
      if (measured('journal --payee')) note('journal --payee', pay);
    }
    if (measured('journal')) note('journal', checked('journal', await cli(['journal', '-o', d1]), [0]));
    if (measured('solde --from')) {
      const results = fs.readdirSync(d1).find((f) => f.endsWith('.resultats.xlsx'));
      const target = path.join(dir('solde'), 'solde.xlsx');
      note('solde --from', checked('solde --from', await cli(['solde', '--from', path.join(d1, results), '-o', target]), [0]));
    }
    if (measured('solde --from dossier')) {
      const target = path.join(dir('solde-dossier'), 'solde.xlsx');
      note('solde --from dossier', checked('solde --from dossier', await cli(['solde', '--from', d1, '-o', target]), [0]));
    }
  } finally {
    if (keep) process.stderr.write(`    sorties gardées : ${dirs.join(' ')}\n`);
    else for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (flag('--generate-only')) {
  for (const n of sizes) {
    for (const kind of kinds) {
      const wb = await workbookFor(n, kind);
      process.stdout.write(`${wb.file}${wb.generated ? ` (généré en ${wb.seconds.toFixed(1)} s)` : ' (déjà généré)'}\n`);
    }
  }
  process.exit(0);
}

/** results[kind][n][measure] = { seconds, cpuSeconds, rssMB, runs } (medians; peak RSS the highest). */
const results = {};
const MEASURES = ['lecture exceljs', 'lecture SheetJS', ...COMMANDS, 'convert dans la page'];
for (const n of sizes) {
  const books = [];
  for (const kind of kinds) {
    const wb = await workbookFor(n, kind);
    const bytes = fs.statSync(wb.file).size;
    process.stderr.write(`${n} demandes, ${kind} : ${wb.file} (${(bytes / 1048576).toFixed(1)} Mo${wb.generated ? `, généré en ${wb.seconds.toFixed(1)} s` : ', déjà généré'})\n`);
    books.push({ kind, wb, bytes, rounds: [] });
  }
  // Alternated: round k of every workbook before round k + 1, so that none always runs on a warmer machine.
  for (let k = 0; k < runs; k++) {
    for (const b of books) {
      process.stderr.write(`  ${n} demandes, ${b.kind}, mesure ${k + 1}/${runs} :\n`);
      b.rounds.push(await round(b.wb, n));
    }
  }
  for (const b of books) {
    const byMeasure = {};
    for (const m of MEASURES) {
      const rs = b.rounds.map((r) => r[m]).filter(Boolean);
      if (!rs.length) continue;
      byMeasure[m] = {
        seconds: median(rs.map((r) => r.seconds)),
        cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
        rssMB: Math.max(...rs.map((r) => r.rssMB)),
        runs: rs.map((r) => Number(r.seconds.toFixed(3))),
      };
    }
    ((results[b.kind] ??= {})[n] = { workbookBytes: b.bytes, measures: byMeasure });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report.
const fmt = (n) => n.toLocaleString('fr-FR').replace(/\u202f/g, ' ');
const num = (x, d = 2) => x.toFixed(d).replace('.', ',');
const get = (kind, n, m) => results[kind]?.[n]?.measures[m];
const targets = [];
const target = (text, value, met) => targets.push({ target: text, value, met });
for (const kind of kinds) {
  const k10 = (m) => get(kind, 10000, m);
  const conv = k10('convert');
  for (const [ref, max] of [
    ['lecture SheetJS', 0.8],
    ['lecture exceljs', 1.0],
  ]) {
    const text = `${kind}, 10 000 : convert ≤ ${num(max, 1)} × ${ref}`;
    if (conv && k10(ref)) {
      const r = conv.seconds / k10(ref).seconds;
      const cpu = conv.cpuSeconds / k10(ref).cpuSeconds;
      target(text, `${num(r)} × (${num(conv.seconds)} s / ${num(k10(ref).seconds)} s ; en temps CPU : ${num(cpu)} ×)`, r <= max);
    } else target(text, 'non mesuré', null);
  }
  {
    const text = `${kind}, 10 000 : convert dans la page (fichier ouvert du disque, chromium sans écran) ≤ 1,5 × convert`;
    const p = k10('convert dans la page');
    if (conv && p) target(text, `${num(p.seconds / conv.seconds)} × (${num(p.seconds)} s / ${num(conv.seconds)} s ; en temps CPU : ${num(p.cpuSeconds / conv.cpuSeconds)} ×)`, p.seconds / conv.seconds <= 1.5);
    else target(text, fs.existsSync(CHROMIUM) ? 'non mesuré' : `non mesuré (pas de ${CHROMIUM})`, null);
  }
  for (const c of ['retour', 'retour --workbook']) {
    const text = `${kind}, 10 000 : ${c} ≤ 0,5 × convert`;
    if (conv && k10(c)) {
      const r = k10(c).seconds / conv.seconds;
      target(text, `${num(r)} × (${num(k10(c).seconds)} s ; en temps CPU : ${num(k10(c).cpuSeconds / conv.cpuSeconds)} ×)`, r <= 0.5);
    } else target(text, 'non mesuré', null);
  }
  for (const c of COMMANDS) {
    const big = get(kind, 50000, c);
    const small = get(kind, 10000, c);
    target(`${kind}, 50 000 : ${c}, RSS max < 768 Mo`, big ? `${big.rssMB.toFixed(0)} Mo` : 'non mesuré', big ? big.rssMB < 768 : null);
    const g = big && small ? big.seconds / small.seconds : undefined;
    const value = g !== undefined ? `${num(g)} × (en temps CPU : ${num(big.cpuSeconds / small.cpuSeconds)} ×)` : 'non mesuré';
    target(`${kind}, 50 000 : ${c} ≤ 5,5 × son temps à 10 000`, value, g !== undefined ? g <= 5.5 : null);
  }
}

let report = `\nxlsx2segur, cycle entier, Node ${process.version}, ${os.cpus().length} cœurs, charge ${os.loadavg().map((l) => num(l)).join(' / ')}, ${runs} mesure(s) par taille (médiane ; RSS : le plus haut)\n`;
for (const kind of kinds) {
  const ns = sizes.filter((n) => results[kind]?.[n]);
  const header = ['mesure', ...ns.flatMap((n) => [`${fmt(n)} : durée`, 'CPU', 'RSS max'])];
  const body = MEASURES.filter((m) => ns.some((n) => get(kind, n, m))).map((m) => [
    m,
    ...ns.flatMap((n) => {
      const x = get(kind, n, m);
      return x ? [`${num(x.seconds)} s`, Number.isNaN(x.cpuSeconds) ? '-' : `${num(x.cpuSeconds)} s`, Number.isNaN(x.rssMB) ? '-' : `${x.rssMB.toFixed(0)} Mo`] : ['-', '-', '-'];
    }),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r) => '| ' + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, c) => ' ' + (c === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':') + ' ').join('|') + '|';
  const sizesText = ns.map((n) => `${fmt(n)} : ${(results[kind][n].workbookBytes / 1048576).toFixed(1)} Mo`).join(', ');
  report += `\nClasseur écrit par ${kind === 'openpyxl' ? 'openpyxl (chaînes en ligne, notes du modèle)' : 'exceljs (flux, chaînes partagées)'} — ${sizesText}\n\n${[line(header), rule, ...body.map(line)].join('\n')}\n`;
}
report += '\n';
for (const t of targets) report += `${t.met === null ? 'non mesuré' : t.met ? 'atteint    ' : 'non atteint'}  ${t.target} : ${t.value}\n`;
process.stdout.write(report);

const saved = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  loadAverage: os.loadavg(),
  totalMemoryMB: Math.round(os.totalmem() / 1048576),
  runs,
  workbooks: benchDir,
  results,
  targets,
};
fs.mkdirSync(path.join(root, 'bench'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(saved, null, 2) + '\n');
process.stdout.write(`\nRésultats : bench/results.json\n`);
