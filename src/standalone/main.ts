import { byId, compactDate, frenchDate, h, octets, plural, replace } from '../ui/page/dom.js';
import { ProblemsTable } from '../ui/page/problems.js';
import { cssId, demandesTable } from '../ui/page/demandes.js';
import type { Report } from '../ui/page/types.js';
import { STATUS_NAMES, TONES } from '../status/status.js';
import type { Job, Reply } from './protocol.js';

/**
 * dist/xlsx2segur.html, opened from disk: the files the user gives are read here and handed to the engine in
 * a Web Worker (worker.ts, inlined at build time as WORKER_SOURCE), so that the page never freezes. Every
 * change checks again (validate); « Exporter » converts and downloads one zip for the deposit folder.
 */
declare const WORKER_SOURCE: string;

interface Deposit {
  name: string;
  journal: string | null;
  files: { name: string; text?: string }[];
}

const workbooks = new Map<string, File>();
const csvFiles = new Map<string, File>();
let csvName = 'CSV';
let pj: { name: string; files: { path: string; file: File }[] } | null = null;
let deposit: Deposit | null = null;
let lastReport: Report | null = null;
let busy = false;
let worker: Worker | undefined;

const problems = new ProblemsTable(byId<HTMLTableElement>('table-problemes'), byId<HTMLInputElement>('erreurs-seulement'), byId<HTMLButtonElement>('csv-problemes'), byId('compte-problemes'));
const dateInput = byId<HTMLInputElement>('date-depot');
const exportButton = byId<HTMLButtonElement>('exporter');

class PageError extends Error {}

function announce(text: string): void {
  byId('annonce').textContent = text;
}

function showError(e: unknown): void {
  const message = e instanceof PageError ? e.message : `Erreur inattendue dans la page (${(e as Error)?.message ?? String(e)}). Rechargez la page ; si elle revient, la ligne de commande donne le même résultat.`;
  replace(byId('alerte'), h('strong', {}, 'Action impossible : '), message);
  byId('alerte').hidden = false;
  announce('');
}

/** The deposit date as AAAAMMJJ from the field (JJ/MM/AAAA); a date that is not one is said, and null returned. */
function depositDate(): string | null {
  const v = dateInput.value.trim();
  const date = compactDate(v);
  if (date === undefined) {
    showError(new PageError(`Date de dépôt « ${v} » invalide : écrivez-la JJ/MM/AAAA, par exemple 24/11/2026.`));
    dateInput.focus();
    return null;
  }
  return date;
}

function setProgress(label: string | null, value?: number): void {
  byId('progression').hidden = label === null;
  if (label === null) return;
  byId('progression-texte').textContent = label;
  const bar = byId<HTMLProgressElement>('barre');
  if (value === undefined) bar.removeAttribute('value');
  else bar.value = value;
}

// ---- The worker ------------------------------------------------------------------------------------------

function theWorker(): Worker {
  worker ??= new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  return worker;
}

async function jobOf(date: string, exportIt: boolean): Promise<{ job: Job; transfer: ArrayBuffer[] }> {
  const transfer: ArrayBuffer[] = [];
  const read = async (f: File) => {
    const bytes = await f.arrayBuffer();
    transfer.push(bytes);
    return bytes;
  };
  const job: Job = {
    date,
    export: exportIt,
    force: byId<HTMLInputElement>('forcer').checked,
    workbooks: await Promise.all([...workbooks.values()].map(async (f) => ({ name: f.name, bytes: await read(f) }))),
    csv: await Promise.all([...csvFiles.values()].map(async (f) => ({ name: f.name, bytes: await read(f) }))),
    csvName,
    pj: pj && { name: pj.name, files: await Promise.all(pj.files.map(async (f) => ({ path: f.path, bytes: await read(f.file) }))) },
    deposit,
  };
  return { job, transfer };
}

/** Runs the engine on what the user gave; its stages shown on the progress bar. */
async function runJob(label: string, exportIt: boolean): Promise<Extract<Reply, { type: 'report' }>> {
  const date = depositDate();
  if (date === null) throw new PageError('date de dépôt invalide.');
  setProgress(label);
  const { job, transfer } = await jobOf(date, exportIt);
  const w = theWorker();
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      if (r.type === 'progress') setProgress(`${label} — ${r.stage} : ${Math.min(r.value, r.total)} sur ${r.total}`, r.total ? (100 * Math.min(r.value, r.total)) / r.total : undefined);
      else if (r.type === 'failure') reject(new PageError(r.message));
      else resolve(r);
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(job, transfer);
  });
}

/** The action under way: the next one waits for it (a date changed, then « Exporter » clicked: checked, then exported). */
let queue: Promise<unknown> = Promise.resolve();

/**
 * One action at a time, in the order asked (a click during a check is not lost: it waits for it); the page
 * says what is going on.
 */
function action<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
  const next = queue.then(() => runAction(label, work));
  queue = next;
  return next;
}

async function runAction<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
  busy = true;
  document.body.setAttribute('aria-busy', 'true');
  byId('alerte').hidden = true;
  announce(label);
  try {
    return await work();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    busy = false;
    document.body.removeAttribute('aria-busy');
    exportButton.disabled = !canExport();
    setProgress(null);
  }
}

function canExport(): boolean {
  const force = byId<HTMLInputElement>('forcer').checked;
  return Boolean(lastReport && lastReport.demandes.some((d) => d.status === 'valide' || (force && d.status !== 'rejetee')));
}

// ---- Checking and showing --------------------------------------------------------------------------------

async function check(): Promise<void> {
  renderInputs();
  if (!workbooks.size && !csvFiles.size) {
    lastReport = null;
    replace(byId('liste-classeurs'), h('p', { class: 'aide' }, "Aucun classeur pour l'instant."));
    problems.set([]);
    return;
  }
  const r = await action('Vérification…', () => runJob('Vérification', false));
  if (!r) return;
  showReport(r.report);
  announce(`Vérification terminée : ${describeTotals(r.report)}.`);
}

function showReport(r: Report): void {
  lastReport = r;
  renderWorkbooks(r);
  problems.set(r.issues);
  exportButton.disabled = !canExport();
}

function describeCounts(statuses: Record<string, number>, command: Report['command']): string {
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  const always = [command === 'convert' ? 'exportee' : 'valide', 'rejetee'];
  const names = STATUS_NAMES as Record<string, [string, string]>;
  const parts = Object.keys(names)
    .filter((c) => always.includes(c) || (statuses[c] ?? 0) > 0)
    .map((c) => `${statuses[c] ?? 0} ${(statuses[c] ?? 0) > 1 ? names[c][1] : names[c][0]}`);
  return `${plural(total, 'demande lue', 'demandes lues')} : ${parts.join(', ')}`;
}

function describeTotals(r: Report): string {
  return `${describeCounts(r.totals.statuses, r.command)} ; ${plural(r.totals.errors, 'erreur', 'erreurs')}, ${plural(r.totals.warnings, 'avertissement', 'avertissements')}`;
}


function renderWorkbooks(r: Report): void {
  const cards = r.workbooks.map((w) => {
    const demandes = r.demandes.filter((d) => d.file === w.file);
    return h(
      'article',
      { class: 'classeur', 'aria-labelledby': `wb-${cssId(w.file)}` },
      h('h3', { id: `wb-${cssId(w.file)}` }, w.file, h('span', { class: 'sub' }, ` — ${w.kind === 'avance' ? 'avance' : 'solde'}${w.numeroAns ? `, numéro ANS ${w.numeroAns}` : ''}`)),
      h('p', { class: 'compte' }, describeCounts(w.statuses, r.command), '.'),
      demandes.length ? demandesTable(w.file, demandes, (code) => (TONES as Record<string, string>)[code] ?? 'info') : h('p', { class: 'aide' }, 'Aucune demande dans ce classeur.'),
    );
  });
  const failures = r.failures.map((f) => h('li', { class: 'bad' }, f.message));
  replace(
    byId('liste-classeurs'),
    h('p', { class: 'compte', id: 'totaux' }, `Date de dépôt ${frenchDate(r.date)} — ${describeTotals(r)}.`),
    !r.journal.found ? h('p', { class: 'aide attention' }, 'Aucun journal donné : les demandes ne sont pas comparées à un dépôt précédent (pas de protection contre un double dépôt).') : null,
    failures.length ? h('div', { class: 'echecs', role: 'alert' }, h('p', {}, h('strong', {}, 'Fichiers non traités :')), h('ul', {}, failures)) : null,
    r.skipped.length ? h('ul', {}, r.skipped.map((s) => h('li', {}, s.message))) : null,
    cards,
  );
}

// ---- Export ----------------------------------------------------------------------------------------------

function download(name: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function exportFiles(): Promise<void> {
  const r = await action('Export…', () => runJob('Export', true));
  if (!r || !r.zip) return;
  const name = `xlsx2segur-depot-${r.report.date}.zip`;
  download(name, r.zip);
  if (r.journal !== undefined) {
    const names = new Set([...(deposit?.files ?? []).map((f) => f.name), ...(r.names ?? [])]);
    deposit = { name: deposit?.name ?? 'dossier de dépôt', journal: r.journal, files: [...names].map((n) => ({ name: n })) };
    renderDeposit('le journal de cet export');
  }
  renderExport(r.report, name);
  showReport(r.report);
  announce(`Export terminé : ${plural(r.report.jsonFiles.length, 'fichier JSON', 'fichiers JSON')} dans ${name}.`);
}

function renderExport(r: Report, zipName: string): void {
  const files = r.jsonFiles.map((f) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, f.file),
      h('td', {}, f.kind),
      h('td', {}, f.numeroAns),
      h('td', {}, plural(f.lines, 'ligne', 'lignes')),
      h('td', {}, f.zip ? `${f.zip.file} (${octets(f.zip.bytes)})` : '—'),
    ),
  );
  replace(
    byId('resultat-export'),
    h('p', { class: 'compte' }, r.jsonFiles.length ? `${plural(r.jsonFiles.length, 'fichier JSON', 'fichiers JSON')} dans ${zipName}, téléchargé.` : `Aucun fichier JSON à déposer ; ${zipName} (téléchargé) contient les classeurs de résultats.`),
    r.jsonFiles.length
      ? h(
          'table',
          { id: 'table-export' },
          h('caption', {}, 'À déposer sur le portail de l’ASP : pour chaque fichier, le type de demande et le numéro ANS à indiquer.'),
          h('thead', {}, h('tr', {}, ['Fichier', 'Type', 'Numéro ANS', 'Lignes', 'Pièces'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, files),
        )
      : null,
  );
}

// ---- What the user gives ---------------------------------------------------------------------------------

function renderInputs(): void {
  const names = [...workbooks.keys(), ...(csvFiles.size ? [`${csvName} (${plural(csvFiles.size, 'fichier CSV', 'fichiers CSV')})`] : [])];
  replace(
    byId('liste-entrees'),
    names.map((n) => h('li', {}, n)),
  );
}

function addFiles(list: File[]): void {
  for (const f of list) {
    if (/\.csv$/i.test(f.name)) {
      csvFiles.set(f.name, f);
      const folder = f.webkitRelativePath.split('/');
      if (folder.length > 1) csvName = folder[0];
    } else workbooks.set(f.name, f);
  }
  void check();
}

function setPj(list: File[]): void {
  const files = list.filter((f) => f.webkitRelativePath.includes('/'));
  if (!files.length) {
    pj = null;
    showError(new PageError('Ce dossier de pièces est vide : choisissez le dossier qui contient les pièces justificatives.'));
    return;
  }
  pj = { name: files[0].webkitRelativePath.split('/')[0], files: files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), file: f })) };
  const e = byId('etat-pj');
  e.textContent = `Dossier « ${pj.name} » : ${plural(pj.files.length, 'fichier', 'fichiers')}. Les pièces y sont vérifiées, un .zip est construit par fichier JSON.`;
  void check();
}

function renderDeposit(what: string): void {
  const e = byId('etat-depot');
  const entries = deposit?.journal ? (JSON.parse(deposit.journal).entries?.length ?? 0) : 0;
  e.className = deposit?.journal ? 'aide garde' : 'aide attention';
  e.textContent = deposit?.journal
    ? `Dépôt précédent : ${what}, ${plural(entries, 'demande déjà exportée', 'demandes déjà exportées')}. ${entries > 1 ? 'Elles ne sont pas exportées' : entries === 1 ? "Elle n'est pas exportée" : 'Rien ne sera exporté'} à nouveau, et la numérotation des fichiers continue.`
    : `Le dossier « ${deposit?.name} » n'a pas de journal : la page ne peut pas vous protéger d'un double dépôt.`;
}

async function setJournal(file: File): Promise<void> {
  deposit = { name: 'dossier de dépôt', journal: await file.text(), files: [] };
  renderDeposit(`le journal ${file.name}`);
  void check();
}

async function setDepositFolder(list: File[]): Promise<void> {
  const top = list.filter((f) => f.webkitRelativePath.split('/').length === 2);
  if (!list.length) return;
  const name = list[0].webkitRelativePath.split('/')[0];
  const journal = top.find((f) => f.name === 'xlsx2segur-journal.json');
  const files = await Promise.all(top.map(async (f) => ({ name: f.name, text: /\.json$/i.test(f.name) ? await f.text() : undefined })));
  deposit = { name, journal: journal ? await journal.text() : null, files };
  renderDeposit(`le dossier « ${name} »`);
  void check();
}

// ---- Wiring ----------------------------------------------------------------------------------------------

function onFiles(id: string, take: (files: File[]) => void): void {
  const input = byId<HTMLInputElement>(id);
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) take(files);
  });
}

function start(): void {
  for (const t of ['dragover', 'drop']) window.addEventListener(t, (e) => e.preventDefault());
  const zone = byId('depot-zone');
  zone.addEventListener('dragover', () => zone.classList.add('survol'));
  zone.addEventListener('dragleave', () => zone.classList.remove('survol'));
  zone.addEventListener('drop', (e) => {
    zone.classList.remove('survol');
    if (e.dataTransfer?.files.length) addFiles([...e.dataTransfer.files]);
  });
  onFiles('choix-classeurs', addFiles);
  onFiles('choix-dossier-csv', (files) => addFiles(files.filter((f) => /\.csv$/i.test(f.name))));
  onFiles('dossier-pj', setPj);
  onFiles('choix-journal', (files) => void setJournal(files[0]));
  onFiles('choix-dossier-depot', (files) => void setDepositFolder(files));
  byId('vider').addEventListener('click', () => {
    workbooks.clear();
    csvFiles.clear();
    void check();
  });
  dateInput.addEventListener('change', () => void check());
  byId('forcer').addEventListener('change', () => (exportButton.disabled = busy || !canExport()));
  exportButton.addEventListener('click', () => void exportFiles());
  const now = new Date();
  dateInput.value = `${String(now.getDate()).padStart(2, '0')}/${String(now.getMonth() + 1).padStart(2, '0')}/${now.getFullYear()}`;
  problems.set([]);
  document.body.dataset.pret = 'oui';
}

start();
