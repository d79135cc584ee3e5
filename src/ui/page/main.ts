import { ApiError, fileUrl, get, post, upload } from './api.js';
import { byId, compactDate, frenchDate, h, octets, plural, replace } from './dom.js';
import { ProblemsTable } from './problems.js';
import { cssId, demandesTable } from './demandes.js';
import type { ConvertAnswer, DepositFile, Etat, JournalAnswer, LinesAnswer, Report, RetourAnswer, Tone } from './types.js';

/**
 * The page of `xlsx2segur ui`. Each button is one command of the CLI, run by the server in the deposit
 * folder: « Vérifier » is validate, « Exporter » convert, the return files retour, the payments
 * journal --payee/--refusee, the solde solde --from. The statuses and their names come from the server
 * (the status module), as the commands print them.
 */

let etat: Etat;
let lastReport: Report | null = null;
let busy = false;

const problems = new ProblemsTable(byId<HTMLTableElement>('table-problemes'), byId<HTMLInputElement>('erreurs-seulement'), byId<HTMLButtonElement>('csv-problemes'), byId('compte-problemes'));
const dateInput = byId<HTMLInputElement>('date-depot');
const pjInput = byId<HTMLInputElement>('dossier-pj');
const exportButton = byId<HTMLButtonElement>('exporter');

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

function announce(text: string): void {
  byId('annonce').textContent = text;
}

function showError(e: unknown): void {
  const box = byId('alerte');
  const message = e instanceof ApiError ? e.message : `Erreur inattendue dans la page (${(e as Error)?.message ?? String(e)}). Rechargez la page ; si elle revient, la ligne de commande donne le même résultat.`;
  replace(box, h('strong', {}, 'Action impossible : '), message);
  box.hidden = false;
  announce('');
}

function clearError(): void {
  byId('alerte').hidden = true;
}

/**
 * The deposit date as AAAAMMJJ, from the date field (JJ/MM/AAAA, as French people write it whatever the
 * browser's language); undefined when empty (the command takes today). A date that is not one is said on
 * the page, and null is returned: nothing is run.
 */
function depositDate(): string | undefined | null {
  const v = dateInput.value.trim();
  if (!v) return undefined;
  const date = compactDate(v);
  if (date === undefined) {
    showError(new ApiError(`Date de dépôt « ${v} » invalide : écrivez-la JJ/MM/AAAA, par exemple 24/11/2026.`));
    dateInput.focus();
    return null;
  }
  return date;
}

function setProgress(label: string | null, value?: number): void {
  const box = byId('progression');
  const bar = byId<HTMLProgressElement>('barre');
  box.hidden = label === null;
  if (label === null) return;
  byId('progression-texte').textContent = label;
  if (value === undefined) bar.removeAttribute('value');
  else bar.value = value;
}

/** While a check or an export runs, its stage and how far it is, asked of the server. */
async function withProgress<T>(label: string, work: Promise<T>): Promise<T> {
  setProgress(label);
  let running = true;
  const poll = async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 300));
      if (!running) break;
      try {
        const { progression: p } = await get<{ progression: { stage: string; total: number; value: number } | null }>('api/progression');
        if (running && p) setProgress(`${label} — ${p.stage} : ${Math.min(p.value, p.total)} sur ${p.total}`, p.total ? (100 * Math.min(p.value, p.total)) / p.total : undefined);
      } catch {
        // the answer of the action itself says what went wrong
      }
    }
  };
  void poll();
  try {
    return await work;
  } finally {
    running = false;
  }
}

/** Runs one action at a time; the buttons wait, the page says what is going on. */
async function action<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
  if (busy) {
    announce('Une action est déjà en cours : attendez qu\'elle finisse.');
    return undefined;
  }
  busy = true;
  document.body.setAttribute('aria-busy', 'true');
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.action')) b.disabled = true;
  clearError();
  announce(label);
  try {
    return await work();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    busy = false;
    document.body.removeAttribute('aria-busy');
    for (const b of document.querySelectorAll<HTMLButtonElement>('button.action')) b.disabled = false;
    exportButton.disabled = !canExport();
    setProgress(null);
  }
}

/**
 * Something to export: a valid demande; with « exporter même les demandes déjà exportées », any demande our
 * checks accept; with « nouveau numéro », an avance the ASP rejected.
 */
function canExport(): boolean {
  const force = byId<HTMLInputElement>('forcer').checked;
  const renumber = byId<HTMLInputElement>('renumeroter').checked;
  return Boolean(lastReport && lastReport.demandes.some((d) => d.status === 'valide' || (force && d.status !== 'rejetee') || (renumber && d.status === 'rejetee_asp')));
}

// ---- Workbooks -------------------------------------------------------------------------------------------

/** Sends the files chosen or dropped (workbooks; CSV files make one workbook), then checks them all. */
async function addFiles(list: FileList | File[]): Promise<void> {
  const files = [...list];
  if (!files.length) return;
  const csv = files.filter((f) => /\.csv$/i.test(f.name));
  const others = files.filter((f) => !csv.includes(f));
  const folder = csv.length ? (csv[0].webkitRelativePath.split('/').slice(-2, -1)[0] || 'classeur-csv') : '';
  const sends = [...others.map((f) => ({ name: f.name, file: f })), ...csv.map((f) => ({ name: `${folder}/${f.name}`, file: f }))];
  const total = sends.reduce((n, s) => n + s.file.size, 0) || 1;
  // A file refused (not a workbook, too big) does not stop the others: what to do is said once they are checked.
  const refused: string[] = [];
  await action(`Envoi de ${plural(sends.length, 'fichier', 'fichiers')}…`, async () => {
    let done = 0;
    for (const [n, s] of sends.entries()) {
      const label = `Envoi de ${s.file.name} (${n + 1}/${sends.length})`;
      setProgress(label, (100 * done) / total);
      try {
        const r = await upload<{ inputs: string[] }>(`api/entrees/${s.name.split('/').map(encodeURIComponent).join('/')}`, s.file, (sent) => setProgress(label, (100 * (done + sent)) / total));
        etat.entrees = r.inputs;
      } catch (e) {
        refused.push(e instanceof Error ? e.message : String(e));
      }
      done += s.file.size;
    }
  });
  if (refused.length < sends.length) await check();
  if (refused.length) showError(new ApiError(refused.join(' ')));
}

async function check(): Promise<void> {
  if (!etat.entrees.length) {
    renderWorkbooks(null);
    return;
  }
  const date = depositDate();
  if (date === null) return;
  const r = await action(`Vérification de ${plural(etat.entrees.length, 'classeur', 'classeurs')}…`, async () => {
    return withProgress(`Vérification de ${plural(etat.entrees.length, 'classeur', 'classeurs')}`, post<ConvertAnswer>('api/verifier', { date, pj: pjInput.value }));
  });
  if (!r) return;
  showReport(r.report);
  announce(`Vérification terminée : ${describeTotals(r.report)}.`);
}

function describeCounts(statuses: Record<string, number>, command: 'convert' | 'validate'): string {
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  const always = [command === 'convert' ? 'exportee' : 'valide', 'rejetee'];
  const parts = Object.keys(etat.statuts)
    .filter((c) => always.includes(c) || (statuses[c] ?? 0) > 0)
    .map((c) => `${statuses[c] ?? 0} ${(statuses[c] ?? 0) > 1 ? etat.statuts[c][1] : etat.statuts[c][0]}`);
  return `${plural(total, 'demande lue', 'demandes lues')} : ${parts.join(', ')}`;
}

function describeTotals(r: Report): string {
  return `${describeCounts(r.totals.statuses, r.command)} ; ${plural(r.totals.errors, 'erreur', 'erreurs')}, ${plural(r.totals.warnings, 'avertissement', 'avertissements')}`;
}

function tone(code: string): Tone {
  return etat.tons[code] ?? 'info';
}

function showReport(r: Report): void {
  lastReport = r;
  renderWorkbooks(r);
  problems.set(r.issues);
  exportButton.disabled = !canExport();
}

function resultsButtons(results: string | null): HTMLElement | null {
  if (!results) return null;
  const name = baseName(results);
  return h(
    'span',
    { class: 'boutons' },
    'Classeur de résultats : ',
    h('a', { href: fileUrl(name), download: name, title: `Télécharger ${name}` }, name),
    ' ',
    h('button', { type: 'button', class: 'secondaire petit', 'aria-label': `Ouvrir ${name} dans le tableur`, onclick: () => openFile(name) }, 'Ouvrir'),
  );
}

function renderWorkbooks(r: Report | null): void {
  const box = byId('liste-classeurs');
  if (!r) {
    replace(box, etat.entrees.length ? '' : h('p', { class: 'aide' }, 'Aucun classeur pour l\'instant.'));
    return;
  }
  const failures = r.failures.map((f) =>
    h('li', { class: 'bad' }, f.message, etat.entrees.includes(f.file) ? [' ', h('button', { type: 'button', class: 'secondaire petit action', 'aria-label': `Retirer ${f.file}`, onclick: () => removeWorkbook(f.file) }, 'Retirer')] : null),
  );
  const skipped = r.skipped.map((s) => h('li', {}, s.message));
  const cards = r.workbooks.map((w) => {
    const name = baseName(w.file);
    const demandes = r.demandes.filter((d) => d.file === w.file);
    return h(
      'article',
      { class: 'classeur', 'aria-labelledby': `wb-${cssId(name)}` },
      h('h3', { id: `wb-${cssId(name)}` }, name, h('span', { class: 'sub' }, ` — ${w.kind === 'avance' ? 'avance' : 'solde'}${w.numeroAns ? `, numéro ANS ${w.numeroAns}` : ''}`)),
      h('p', { class: 'compte' }, describeCounts(w.statuses, r.command), '.'),
      h('p', {}, resultsButtons(w.results), ' ', h('button', { type: 'button', class: 'secondaire petit action', 'aria-label': `Retirer ${name}`, onclick: () => removeWorkbook(name) }, 'Retirer')),
      demandes.length
        ? demandesTable(name, demandes, tone)
        : h('p', { class: 'aide' }, 'Aucune demande dans ce classeur.'),
    );
  });
  replace(
    box,
    h('p', { class: 'compte', id: 'totaux' }, `Date de dépôt ${frenchDate(r.date)} — ${describeTotals(r)}.`),
    !r.journal.found ? h('p', { class: 'aide' }, `Aucun journal dans ${r.outDir} : les demandes ne sont pas comparées à un dépôt précédent.`) : null,
    failures.length ? h('div', { class: 'echecs', role: 'alert' }, h('p', {}, h('strong', {}, 'Fichiers non traités :')), h('ul', {}, failures)) : null,
    skipped.length ? h('ul', {}, skipped) : null,
    cards,
  );
}


async function removeWorkbook(name: string): Promise<void> {
  const r = await action(`Retrait de ${name}…`, () => post<{ inputs: string[] }>(`api/entrees/${encodeURIComponent(name)}`, {}, 'DELETE'));
  if (!r) return;
  etat.entrees = r.inputs;
  announce(`${name} retiré.`);
  if (etat.entrees.length) await check();
  else {
    lastReport = null;
    renderWorkbooks(null);
    problems.set([]);
  }
}

async function openFile(name: string): Promise<void> {
  const r = await action(`Ouverture de ${name}…`, () => post<{ ouvert: string }>('api/ouvrir', { nom: name }));
  if (r) announce(`${r.ouvert} ouvert dans le programme associé aux classeurs.`);
}

// ---- Export ----------------------------------------------------------------------------------------------

async function exportFiles(): Promise<void> {
  const date = depositDate();
  if (date === null) return;
  const r = await action('Export des fichiers JSON…', async () => {
    return withProgress(
      'Export',
      post<ConvertAnswer>('api/exporter', {
        date,
        pj: pjInput.value,
        force: byId<HTMLInputElement>('forcer').checked,
        renumber: byId<HTMLInputElement>('renumeroter').checked,
      }),
    );
  });
  if (!r) return;
  showReport(r.report);
  renderExport(r.report);
  announce(`Export terminé : ${plural(r.report.jsonFiles.length, 'fichier JSON écrit', 'fichiers JSON écrits')}.`);
  await refreshDeposit();
}

function renderExport(r: Report): void {
  const box = byId('resultat-export');
  if (!r.jsonFiles.length) {
    replace(box, h('p', { class: 'compte' }, 'Aucun fichier JSON écrit : aucune demande valide n\'était à exporter (les autres sont rejetées, ou déjà dans le journal).'));
    return;
  }
  replace(
    box,
    h('p', {}, `Déposez chaque fichier sur le portail de l'ASP en indiquant ce qui est écrit à côté. Date de dépôt : ${frenchDate(r.date)} (elle est dans le nom des fichiers : déposez-les ce jour-là).`),
    !r.pjChecked ? h('p', { class: 'aide' }, 'Pièces justificatives non vérifiées et aucun .zip construit : indiquez le dossier des pièces puis exportez à nouveau pour les construire.') : null,
    h(
      'div',
      { class: 'defile' },
      h(
        'table',
        { id: 'table-export' },
        h('caption', {}, 'Fichiers écrits, et quoi saisir sur le portail'),
        h(
          'thead',
          {},
          h('tr', {}, ['Fichier JSON', 'Type de demande', 'Numéro ANS', 'Dossiers ASP (solde)', 'Lignes', 'Pièces justificatives'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        h(
          'tbody',
          {},
          r.jsonFiles.map((f) =>
            h(
              'tr',
              { 'data-fichier': f.file },
              h('th', { scope: 'row' }, h('a', { href: fileUrl(f.file), download: f.file }, f.file)),
              h('td', { 'data-col': 'type' }, f.kind),
              h('td', { 'data-col': 'ans' }, h('code', {}, f.numeroAns)),
              h('td', {}, f.portalValues.length ? f.portalValues.join(', ') : '—'),
              h('td', {}, String(f.lines)),
              h('td', {}, f.zip ? h('a', { href: fileUrl(f.zip.file), download: f.zip.file }, `${f.zip.file} (${octets(f.zip.bytes)})`) : '—'),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---- Returns, payments, solde, journal ---------------------------------------------------------------------

function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function addReturns(list: FileList | File[]): Promise<void> {
  const files = [...list];
  if (!files.length) return;
  const r = await action(`Enregistrement de ${plural(files.length, 'fichier de retour', 'fichiers de retour')}…`, async () => {
    const fichiers = await Promise.all(files.map(async (f) => ({ nom: f.name, base64: base64Of(await f.arrayBuffer()) })));
    return post<RetourAnswer>('api/retour', { fichiers });
  });
  if (!r) return;
  const mark = { acceptee: '✓', rejetee: '✗', 'non-rapprochee': '?' } as const;
  const acc = r.lines.filter((l) => l.statut === 'acceptee').length;
  const rej = r.lines.filter((l) => l.statut === 'rejetee').length;
  replace(
    byId('resultat-retour'),
    h('ul', { class: 'lignes' }, [
      ...r.lines.map((l) => h('li', { class: l.statut === 'acceptee' ? 'ok' : 'bad' }, `${mark[l.statut]} ${l.file}, ligne ${l.numLigne ?? '?'} (${l.kind}) : ${l.message}`)),
      ...r.failures.map((f) => h('li', { class: 'bad' }, `✗ ${f.message}`)),
    ]),
    h('p', { class: 'compte' }, `${plural(acc, 'ligne acceptée', 'lignes acceptées')}, ${plural(rej, 'rejetée', 'rejetées')}, ${plural(r.lines.length - acc - rej, 'non rapprochée', 'non rapprochées')}.`),
  );
  announce('Réponses de l\'ASP enregistrées dans le journal.');
  await refreshDeposit();
  if (etat.entrees.length) await check();
}

async function payments(state: 'payee' | 'refusee'): Promise<void> {
  const text = byId<HTMLTextAreaElement>('numeros').value;
  const r = await action('Enregistrement des paiements…', () => post<LinesAnswer>('api/paiements', { [state]: text }));
  if (!r) return;
  renderLines(byId('resultat-paiements'), r.lignes);
  announce(r.exitCode === 0 ? 'Numéros enregistrés dans le journal.' : 'Certains numéros n\'ont pas été pris en compte : voir ci-dessous.');
  await refreshDeposit();
}

async function solde(): Promise<void> {
  const r = await action('Préparation du classeur de solde…', () => post<LinesAnswer>('api/solde', { nonPayees: byId<HTMLInputElement>('non-payees').checked }));
  if (!r) return;
  const box = byId('resultat-solde');
  renderLines(box, r.lignes);
  for (const c of r.classeurs ?? []) box.append(h('p', {}, h('a', { class: 'bouton', href: fileUrl(c), download: c }, `Télécharger ${c}`), ' ', h('button', { type: 'button', class: 'secondaire', onclick: () => openFile(c) }, 'Ouvrir dans le tableur')));
  announce(r.classeurs?.length ? 'Classeur de solde écrit.' : 'Aucun classeur de solde écrit : voir ci-dessous.');
  await refreshDeposit();
}

function renderLines(box: HTMLElement, lines: string[]): void {
  replace(box, h('ul', { class: 'lignes' }, lines.map((l) => h('li', { class: l.startsWith('✗') ? 'bad' : l.startsWith('✓') ? 'ok' : '' }, l))));
}

async function refreshDeposit(): Promise<void> {
  try {
    const [j, f] = await Promise.all([get<JournalAnswer>('api/journal'), get<{ fichiers: DepositFile[] }>('api/fichiers')]);
    renderJournal(j);
    renderFiles(f.fichiers);
  } catch (e) {
    showError(e);
  }
}

function renderJournal(j: JournalAnswer): void {
  const box = byId('contenu-journal');
  if (j.absent || !j.entries.length) {
    replace(box, h('p', { class: 'aide' }, `Pas encore de journal (${j.journal}) : il est créé au premier export.`));
    return;
  }
  replace(
    box,
    h('p', {}, `${plural(j.entries.length, 'demande exportée', 'demandes exportées')} — ${j.journal}`),
    h(
      'div',
      { class: 'defile' },
      h(
        'table',
        { id: 'table-journal' },
        h('caption', {}, 'Demandes exportées depuis ce dossier, et ce que l\'ASP en a dit'),
        h('thead', {}, h('tr', {}, ['Type', 'Numéro ANS', 'N° éditeur', 'Dossier ASP', 'Fichier', 'Ligne', 'Date de dépôt', 'État'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          j.entries.map((e) =>
            h(
              'tr',
              { 'data-demande': e.numeroEditeur },
              h('td', {}, e.kind),
              h('td', {}, e.numeroAns),
              h('th', { scope: 'row' }, e.numeroEditeur),
              h('td', {}, e.numeroASP ?? '—'),
              h('td', {}, e.file),
              h('td', {}, String(e.numLigne)),
              h('td', {}, e.date ? frenchDate(e.date) : '—'),
              h('td', { class: `statut ${tone(e.status)}`, 'data-status': e.status }, e.statusLabel),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderFiles(files: DepositFile[]): void {
  const box = byId('fichiers-depot');
  if (!files.length) {
    replace(box, h('p', { class: 'aide' }, 'Le dossier de dépôt est vide.'));
    return;
  }
  replace(
    box,
    h(
      'ul',
      { class: 'fichiers' },
      files.map((f) =>
        h(
          'li',
          {},
          h('a', { href: fileUrl(f.nom), download: f.nom }, f.nom),
          ` (${octets(f.octets)})`,
          /\.xlsx$/i.test(f.nom) ? [' ', h('button', { type: 'button', class: 'secondaire petit', onclick: () => openFile(f.nom) }, `Ouvrir ${f.nom}`)] : null,
        ),
      ),
    ),
  );
}

// ---- Wiring ----------------------------------------------------------------------------------------------

function dropZone(zone: HTMLElement, take: (files: FileList) => void): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('survol');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('survol'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('survol');
    if (e.dataTransfer?.files.length) take(e.dataTransfer.files);
  });
}

async function start(): Promise<void> {
  // A file dropped beside a zone is not opened by the browser in place of the page.
  for (const t of ['dragover', 'drop']) window.addEventListener(t, (e) => e.preventDefault());
  const choose = byId<HTMLInputElement>('choix-classeurs');
  choose.addEventListener('change', () => {
    const files = [...(choose.files ?? [])];
    choose.value = '';
    void addFiles(files);
  });
  const csvFolder = byId<HTMLInputElement>('choix-dossier-csv');
  csvFolder.addEventListener('change', () => {
    const files = [...(csvFolder.files ?? [])].filter((f) => /\.csv$/i.test(f.name));
    csvFolder.value = '';
    if (files.length) void addFiles(files);
    else showError(new ApiError('Ce dossier ne contient aucun fichier .csv : choisissez le dossier où Excel a enregistré les feuilles en CSV.'));
  });
  const returns = byId<HTMLInputElement>('choix-retours');
  returns.addEventListener('change', () => {
    const files = [...(returns.files ?? [])];
    returns.value = '';
    void addReturns(files);
  });
  dropZone(byId('depot-zone'), (f) => void addFiles(f));
  dropZone(byId('retour-zone'), (f) => void addReturns(f));
  byId('reverifier').addEventListener('click', () => void check());
  byId('vider').addEventListener('click', async () => {
    const r = await action('Retrait des classeurs…', () => post<{ inputs: string[] }>('api/entrees', {}, 'DELETE'));
    if (!r) return;
    etat.entrees = r.inputs;
    lastReport = null;
    renderWorkbooks(null);
    problems.set([]);
    announce('Classeurs retirés.');
  });
  dateInput.addEventListener('change', () => void (etat.entrees.length && check()));
  exportButton.addEventListener('click', () => void exportFiles());
  for (const id of ['forcer', 'renumeroter']) byId(id).addEventListener('change', () => (exportButton.disabled = busy || !canExport()));
  byId('payees').addEventListener('click', () => void payments('payee'));
  byId('refusees').addEventListener('click', () => void payments('refusee'));
  byId('preparer-solde').addEventListener('click', () => void solde());
  byId('rafraichir-journal').addEventListener('click', () => void refreshDeposit());
  for (const id of ['reverifier', 'vider', 'payees', 'refusees', 'preparer-solde', 'rafraichir-journal']) byId(id).classList.add('action');

  try {
    etat = await get<Etat>('api/etat');
  } catch (e) {
    showError(e);
    return;
  }
  byId('dossier').textContent = etat.dossier;
  const t = etat.aujourdhui;
  dateInput.value = frenchDate(t);
  renderWorkbooks(null);
  problems.set([]);
  await refreshDeposit();
  if (etat.entrees.length) await check();
  document.body.dataset.pret = 'oui';
}

void start();
