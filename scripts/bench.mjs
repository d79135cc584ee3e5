// Benchmark of `convert` against a bare exceljs read of the same workbook (run with `npm run bench`,
// which builds first). See the « Performances » section of the README.
//
//   node scripts/bench.mjs [--sizes 1000,10000,50000] [--runs N] [--dir DOSSIER] [--regenerate] [--keep] [--generate-only]
//
// For each size it generates (once, deterministically, with exceljs's streaming writer) an avance workbook
// made like one filled from the template, then, in the same run and on the same file, measures in child
// processes:
//   (a) the real command line: node bin/xlsx2segur.js convert <classeur> -o <tmp> --date 20261124
//       (JSON files, journal and results workbook);
//   (b) a bare exceljs read: new ExcelJS.Workbook().xlsx.readFile(), then every cell's value is touched.
// Each child reports its peak RSS (process.resourceUsage().maxRSS) on stderr when it exits; for (a) that is
// done by a preloaded module (--import), so the command line itself runs unchanged.
// Results: a table on stdout and bench/results.json. The benchmark reports; it never fails on a target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RSS_TAG = '@@xlsx2segur-bench maxRSS=';
/** Bump when the generated workbooks change, so that cached ones are made again. */
const GENERATOR_VERSION = 3;
const DATE = '20261124';

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
const sizes = option('--sizes', '1000,10000,50000')
  .split(',')
  .map((s) => Number(s.trim().replace(/[_ ]/g, '')))
  .filter((n) => Number.isInteger(n) && n > 0);
const runs = Math.max(1, Number(option('--runs', '1')) || 1);
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
  const tmp = `${file}.${process.pid}.tmp`;
  const out = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: true });
  for (const k of ['creator', 'lastModifiedBy', 'created', 'modified', 'title', 'subject', 'keywords']) if (template[k] !== undefined) out[k] = template[k];
  // One sheet after the other, each committed before the next is begun: the zip takes its entries in
  // turn, and a sheet written while another is still open would wait in memory.
  for (const ws of template.worksheets) {
    const w = out.addWorksheet(ws.name, { state: ws.state, views: ws.views, properties: ws.properties });
    (ws.columns ?? []).forEach((c, i) => {
      const col = w.getColumn(i + 1);
      if (c.width !== undefined) col.width = c.width;
      if (c.style && Object.keys(c.style).length) col.style = c.style;
    });
    w.dataValidations.model = { ...ws.dataValidations.model };
    // The template's own rows (headers, Notice, Listes), with their styles and notes.
    let next = 1;
    ws.eachRow({ includeEmpty: true }, (row, r) => {
      const o = w.getRow(r);
      if (row.height) o.height = row.height;
      row.eachCell({ includeEmpty: true }, (cell, c) => {
        const oc = o.getCell(c);
        oc.value = cell.value;
        oc.style = cell.style;
        if (cell.note) oc.note = cell.note;
      });
      o.commit();
      next = r + 1;
    });
    const spec = mapping.sheet(ws.name);
    if (spec) {
      const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
      const cols = [];
      ws.getRow(1).eachCell((cell, c) => {
        const f = typeof cell.value === 'string' ? fieldOfHeader(cell.value, known) : undefined;
        if (f) cols.push([f, c]);
      });
      const put = (data) => {
        const row = w.getRow(next++);
        for (const [f, c] of cols) if (data[f] !== undefined && data[f] !== null) row.getCell(c).value = data[f];
        row.commit();
      };
      if (spec.role === 'header') put(HEADER);
      else {
        for (let i = 1; i <= n; i++) {
          for (const r of demande(i)[ws.name]) put(r);
          // Let the zip stream take the rows now and then.
          if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
        }
      }
    }
    await w.commit();
  }
  await out.commit();
  // The streaming writer stamps every zip entry with the current time: fixed dates, so that the same size
  // gives the same bytes (the compressed data is reused as is).
  const zip = await JSZip.loadAsync(fs.readFileSync(tmp));
  for (const f of Object.values(zip.files)) f.date = new Date(Date.UTC(2021, 9, 25));
  fs.writeFileSync(tmp, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  fs.renameSync(tmp, file);
}

/** The workbook of n demandes, made when missing (or with --regenerate). */
async function workbookFor(n) {
  fs.mkdirSync(benchDir, { recursive: true });
  const file = path.join(benchDir, `avance-${n}.xlsx`);
  const meta = `${file}.meta.json`;
  const expected = JSON.stringify({ generator: GENERATOR_VERSION, demandes: n, mapping: fs.readFileSync(mappingPathFor('avance'), 'utf8').length });
  if (!regenerate && fs.existsSync(file) && fs.existsSync(meta) && fs.readFileSync(meta, 'utf8') === expected) return { file, generated: false, seconds: 0 };
  const t0 = performance.now();
  await generate(n, file);
  fs.writeFileSync(meta, expected);
  return { file, generated: true, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------------------
// Measures.
const RSS_HOOK = `data:text/javascript,import fs from "node:fs";process.on("exit",()=>{const u=process.resourceUsage();fs.writeSync(2,"\\n${RSS_TAG}"+u.maxRSS+" cpu="+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

function run(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function measureRead(file) {
  const r = await run([path.join(root, 'scripts', 'bench.mjs'), '--read-child', file]);
  if (r.code !== 0) throw new Error(`lecture exceljs de ${file} : code ${r.code}\n${r.stderr}`);
  return r;
}

async function measureConvert(file, n) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx2segur-bench-out-'));
  try {
    const r = await run(['--import', RSS_HOOK, path.join(root, 'bin', 'xlsx2segur.js'), 'convert', file, '-o', out, '--date', DATE]);
    // 1: some demandes are rejected on purpose (one in 97).
    if (r.code !== 1) throw new Error(`convert ${file} : code ${r.code}, 1 attendu\n${r.stdout}\n${r.stderr}`);
    const names = fs.readdirSync(out);
    const json = names.filter((f) => /^JSON-.*\.json$/.test(f));
    const results = names.filter((f) => f.endsWith('.resultats.xlsx'));
    const expected = Math.ceil((n - Math.floor(n / 97)) / 200);
    if (results.length !== 1) throw new Error(`convert ${file} : pas de classeur de résultats\n${r.stdout}`);
    if (json.length !== expected) throw new Error(`convert ${file} : ${json.length} fichiers JSON, ${expected} attendus\n${r.stdout}`);
    return { ...r, jsonFiles: json.length, resultsBytes: fs.statSync(path.join(out, results[0])).size };
  } finally {
    if (keep) process.stderr.write(`  sorties gardées : ${out}\n`);
    else fs.rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (flag('--generate-only')) {
  for (const n of sizes) {
    const wb = await workbookFor(n);
    process.stdout.write(`${wb.file}${wb.generated ? ` (généré en ${wb.seconds.toFixed(1)} s)` : ' (déjà généré)'}\n`);
  }
  process.exit(0);
}

const rows = [];
for (const n of sizes) {
  const wb = await workbookFor(n);
  const bytes = fs.statSync(wb.file).size;
  process.stderr.write(
    `${n} demandes : ${wb.file} (${(bytes / 1048576).toFixed(1)} Mo${wb.generated ? `, généré en ${wb.seconds.toFixed(1)} s` : ', déjà généré'})\n`,
  );
  const reads = [];
  const converts = [];
  for (let k = 0; k < runs; k++) {
    // Alternated, so that neither always runs on a warmer machine.
    const b = await measureRead(wb.file);
    process.stderr.write(`  (b) lecture exceljs : ${b.seconds.toFixed(2)} s, ${b.rssMB.toFixed(0)} Mo\n`);
    const a = await measureConvert(wb.file, n);
    process.stderr.write(`  (a) convert         : ${a.seconds.toFixed(2)} s, ${a.rssMB.toFixed(0)} Mo (${a.jsonFiles} fichiers JSON)\n`);
    reads.push(b);
    converts.push(a);
  }
  const a = median(converts.map((x) => x.seconds));
  const b = median(reads.map((x) => x.seconds));
  rows.push({
    demandes: n,
    workbookBytes: bytes,
    convertSeconds: a,
    readSeconds: b,
    ratio: a / b,
    convertPeakRssMB: Math.max(...converts.map((x) => x.rssMB)),
    readPeakRssMB: Math.max(...reads.map((x) => x.rssMB)),
    demandesPerSecond: n / a,
    jsonFiles: converts[0].jsonFiles,
    resultsWorkbookBytes: converts[0].resultsBytes,
    runs,
    convertRuns: converts.map((x) => x.seconds),
    readRuns: reads.map((x) => x.seconds),
    // Processor time (user + system) of the child processes: less sensitive than wall time to a busy machine.
    convertCpuSeconds: median(converts.map((x) => x.cpuSeconds)),
    readCpuSeconds: median(reads.map((x) => x.cpuSeconds)),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Report.
const by = (n) => rows.find((r) => r.demandes === n);
const targets = [];
if (by(10000)) targets.push({ target: 'convert ≤ 1,5 × lecture à 10 000', value: `${by(10000).ratio.toFixed(2)} ×`, met: by(10000).ratio <= 1.5 });
if (by(50000)) targets.push({ target: 'RSS max < 1 Go à 50 000', value: `${by(50000).convertPeakRssMB.toFixed(0)} Mo`, met: by(50000).convertPeakRssMB < 1024 });
if (by(10000) && by(50000)) {
  const g = by(50000).convertSeconds / by(10000).convertSeconds;
  targets.push({ target: 'temps 50 000 ≤ 6 × temps 10 000', value: `${g.toFixed(2)} ×`, met: g <= 6 });
}

const fmt = (n) => n.toLocaleString('fr-FR').replace(/\u202f/g, ' ');
const table = [
  ['demandes', 'classeur', '(a) convert', '(b) lecture', 'a/b', 'RSS max (a)', 'RSS max (b)', 'demandes/s'],
  ...rows.map((r) => [
    fmt(r.demandes),
    `${(r.workbookBytes / 1048576).toFixed(1)} Mo`,
    `${r.convertSeconds.toFixed(2)} s`,
    `${r.readSeconds.toFixed(2)} s`,
    r.ratio.toFixed(2),
    `${r.convertPeakRssMB.toFixed(0)} Mo`,
    `${r.readPeakRssMB.toFixed(0)} Mo`,
    fmt(Math.round(r.demandesPerSecond)),
  ]),
];
const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
const line = (r) => '| ' + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ') + ' |';
const rule = '|' + widths.map((w, c) => ' ' + (c === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':') + ' ').join('|') + '|';
const lines = [line(table[0]), rule, ...table.slice(1).map(line)];
process.stdout.write(`\nxlsx2segur convert, Node ${process.version}, ${os.cpus().length} cœurs, ${runs} mesure(s) par taille (médiane)\n\n${lines.join('\n')}\n`);
if (targets.length) {
  process.stdout.write('\n');
  for (const t of targets) process.stdout.write(`${t.met ? 'atteint    ' : 'non atteint'}  ${t.target} : ${t.value}\n`);
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  totalMemoryMB: Math.round(os.totalmem() / 1048576),
  runs,
  workbooks: benchDir,
  sizes: rows,
  targets,
};
fs.mkdirSync(path.join(root, 'bench'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(`\nRésultats : bench/results.json\n`);
