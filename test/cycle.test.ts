import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type ExcelJS from 'exceljs';
import { cli, colOf, demandeRows, HEADER, jsonFiles, merge, noteOf, readJson, readXlsx, tmpDir, writeWorkbook } from './helpers.js';
import { runPython } from './clients.js';

/**
 * The work cycle as a vendor lives it, on one deposit folder, run after run: every results workbook read
 * back (statuses, fills, notes) tells the journal's story.
 */

const RED = 'FFFFC7CE';
const BLUE = 'FFDDEBF7';
const GREEN = 'FFC6EFCE';

const fillOf = (c: ExcelJS.Cell) => (c.fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb;

/** Statut and Problèmes of the data rows of the Commandes sheet, with the status fill. */
async function rowsOf(file: string) {
  const ws = (await readXlsx(file)).getWorksheet('Commandes')!;
  const st = colOf(ws, 'Statut [xlsx2segur]');
  const pb = colOf(ws, 'Problèmes [xlsx2segur]');
  const out: { num: unknown; status: unknown; fill: unknown; problems: unknown }[] = [];
  ws.eachRow((row, i) => {
    if (i > 1) out.push({ num: row.getCell(1).value, status: row.getCell(st).value, fill: fillOf(row.getCell(st)), problems: row.getCell(pb).value ?? null });
  });
  return { ws, rows: out };
}

/** The Synthèse's rows, each as its values joined by " | ". */
async function synthese(file: string): Promise<string> {
  const lines: string[] = [];
  (await readXlsx(file)).getWorksheet('Synthèse')!.eachRow((row) => lines.push((row.values as unknown[]).filter((v) => v !== undefined && v !== null && v !== '').join(' | ')));
  return lines.join('\n');
}

/** openpyxl, as a vendor's script or a save from a spreadsheet: sets cells of the Commandes sheet by reference. */
function editWithOpenpyxl(file: string, cells: Record<string, string | number>) {
  runPython(
    `import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Commandes']
for ref, v in json.loads(sys.argv[2]).items():
    ws[ref].value = v
wb.save(sys.argv[1])`,
    [file, JSON.stringify(cells)],
  );
}

describe('re-running is harmless', () => {
  it('the same convert twice: the second says "0 rejetée, N déjà exportées", exits 0, writes no JSON and still says where each demande went', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'commandes.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002'), demandeRows('00003')));
    expect(cli(['convert', wb, '-o', depot, '--date', '20261124']).code).toBe(0);
    const living = path.join(depot, 'commandes.resultats.xlsx');
    expect((await rowsOf(living)).rows.map((r) => [r.status, r.fill])).toEqual([1, 2, 3].map((n) => [`Exportée : JSON-ANS0000001-20261124-001.json, ligne ${n}`, GREEN]));

    const before = fs.readdirSync(depot).sort();
    const again = cli(['convert', wb, '-o', depot, '--date', '20261125']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("3 demandes lues : 0 exportée, 0 rejetée, 3 déjà exportées (en attente de l'ASP)");
    expect(again.stdout).toContain('Aucun fichier JSON écrit : rien de nouveau à exporter');
    expect(jsonFiles(depot)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    // The living workbook now says where each went and when; the version it replaced is in the history.
    expect((await rowsOf(living)).rows.map((r) => [r.status, r.fill, r.problems])).toEqual(
      [1, 2, 3].map((n) => [`Déjà exportée : JSON-ANS0000001-20261124-001.json, ligne ${n}, le 24/11/2026 ; en attente de la réponse de l'ASP`, BLUE, null]),
    );
    expect(fs.readdirSync(path.join(depot, 'historique'))).toHaveLength(1);
    expect(fs.readdirSync(depot).filter((f) => f !== 'historique').sort()).toEqual(before);
    const syn = await synthese(living);
    expect(syn).toContain("Demandes déjà exportées (en attente de l'ASP) | 3");
    expect(syn).toContain('Demandes rejetées | 0');
    expect(syn).toContain('Aucun fichier JSON écrit par cette conversion.');

    // A third identical run leaves the workbook byte for byte as it was: no new history copy.
    const bytes = fs.readFileSync(living);
    expect(cli(['convert', wb, '-o', depot, '--date', '20261125']).code).toBe(0);
    expect(fs.readFileSync(living).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.join(depot, 'historique'))).toHaveLength(1);

    // --json says the same.
    const rep = JSON.parse(cli(['convert', wb, '-o', depot, '--date', '20261125', '--json']).stdout);
    expect(rep.totals).toMatchObject({ statuses: { exportee: 0, rejetee: 0, deja_exportee: 3 }, needsAction: 0, jsonFiles: 0, errors: 0 });
    expect(rep.demandes[1]).toMatchObject({ status: 'deja_exportee', jsonFile: 'JSON-ANS0000001-20261124-001.json', numLigne: 2, date: '20261124' });
  });

  it('--renumber twice: only the avance it renumbers is news; the second run exports nothing', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'lot.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002')));
    expect(cli(['convert', wb, '-o', depot, '--date', '20261124']).code).toBe(0);
    const deposited = readJson(path.join(depot, 'JSON-ANS0000001-20261124-001.json'));
    deposited.lignesImport[0].numeroASP = 'FINBIO000010';
    Object.assign(deposited.lignesImport[0], { codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
    Object.assign(deposited.lignesImport[1], { codeTraitement: 'E7', libelleTraitement: 'Pièce illisible' });
    const ret = path.join(dir, 'retour.json');
    fs.writeFileSync(ret, JSON.stringify(deposited));
    expect(cli(['retour', ret, '-o', depot]).code).toBe(0);

    const first = JSON.parse(cli(['convert', wb, '-o', depot, '--date', '20261125', '--renumber', '--json']).stdout);
    expect(first.demandes.map((d: any) => [d.numeroEditeur, d.status])).toEqual([['00001', 'acceptee_asp'], ['00003', 'exportee']]);
    const second = cli(['convert', wb, '-o', depot, '--date', '20261125', '--renumber', '--json']);
    expect(second.code).toBe(0);
    const rep = JSON.parse(second.stdout);
    expect(rep.jsonFiles).toEqual([]);
    expect(rep.demandes.map((d: any) => [d.numeroEditeur, d.status, d.renumberedFrom])).toEqual([['00001', 'acceptee_asp', null], ['00003', 'deja_exportee', '00002']]);
    expect(jsonFiles(depot)).toEqual(['JSON-ANS0000001-20261124-001.json', 'JSON-ANS0000001-20261125-001.json']);
  });

  it('a demande already exported whose content changed is an error naming what changed; nothing is exported', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const rows = merge({ Fichier: [HEADER] }, demandeRows('00001', { Commandes: { montantSegurHT: 27450 } }), demandeRows('00002'));
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), rows);
    expect(cli(['convert', wb, '-o', depot, '--date', '20261124']).code).toBe(0);
    rows.Commandes[0].montantSegurHT = 28000;
    await writeWorkbook(wb, rows);
    const r = cli(['convert', wb, '-o', depot, '--date', '20261125', '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.jsonFiles).toEqual([]);
    expect(rep.demandes.map((d: any) => d.status)).toEqual(['rejetee', 'deja_exportee']);
    const issue = rep.issues.find((i: any) => i.code === 'DEJA_EXPORTEE_MODIFIEE');
    expect(issue).toMatchObject({ demande: '00001', sheet: 'Commandes', row: 2, column: 'A' });
    expect(issue.message).toContain('commande.montantSegurHT : 27450 → 28000');
    expect(issue.message).toContain("l'ASP détient cette version");
    // Put back, it is simply already exported again.
    rows.Commandes[0].montantSegurHT = 27450;
    await writeWorkbook(wb, rows);
    expect(cli(['convert', wb, '-o', depot, '--date', '20261125']).code).toBe(0);
  });
});

describe('one living results workbook per input', () => {
  it('corrections come back through the results workbook: the same file is updated, no old mark survives, the replaced version is kept', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'commandes.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002', { Commandes: { montantSegurHT: '12,345', regimeTVA: 'HTX' } })));
    expect(cli(['convert', wb, '-o', depot, '--date', '20261124']).code).toBe(1);
    const living = path.join(depot, 'commandes.resultats.xlsx');
    let { ws, rows } = await rowsOf(living);
    const amount = colOf(ws, '(montantSegurHT)');
    const regime = colOf(ws, '(regimeTVA)');
    expect(rows[1]).toMatchObject({ status: 'Rejetée : 2 erreurs à corriger (voir Problèmes)', fill: RED });
    expect(fillOf(ws.getRow(3).getCell(amount))).toBe(RED);
    expect(noteOf(ws.getRow(3).getCell(amount))).toContain('plus de deux décimales');

    // The vendor fixes one of the two cells (openpyxl: a script, or the way a spreadsheet saves) and converts that workbook.
    editWithOpenpyxl(living, { [`${String.fromCharCode(64 + amount)}3`]: '12 345,00' });
    let r = cli(['convert', living, '-o', depot, '--date', '20261125']);
    expect(r.code).toBe(1);
    expect(fs.readdirSync(depot).filter((f) => f.endsWith('.xlsx'))).toEqual(['commandes.resultats.xlsx']);
    ({ ws, rows } = await rowsOf(living));
    expect(fillOf(ws.getRow(3).getCell(amount))).not.toBe(RED); // corrected: the red is gone, and its note
    expect(noteOf(ws.getRow(3).getCell(amount))).toBe('');
    expect(fillOf(ws.getRow(3).getCell(regime))).toBe(RED); // still wrong: still marked
    expect(rows[1]).toMatchObject({ status: 'Rejetée : 1 erreur à corriger (voir Problèmes)' });
    expect(String(rows[1].problems)).not.toContain('MONTANT_DECIMALES');
    expect(rows[0].status).toMatch(/^Déjà exportée : JSON-ANS0000001-20261124-001\.json, ligne 1/);

    // Second correction: exported now; the history keeps each version replaced.
    editWithOpenpyxl(living, { [`${String.fromCharCode(64 + regime)}3`]: 'TTC' });
    r = cli(['convert', living, '-o', depot, '--date', '20261125']);
    expect(r.stdout).toContain('2 demandes lues : 1 exportée, 0 rejetée, 1 déjà exportée');
    expect(r.code).toBe(0);
    ({ ws, rows } = await rowsOf(living));
    expect(rows.map((x) => [x.status, x.problems])).toEqual([
      ["Déjà exportée : JSON-ANS0000001-20261124-001.json, ligne 1, le 24/11/2026 ; en attente de la réponse de l'ASP", null],
      ['Exportée : JSON-ANS0000001-20261125-001.json, ligne 1', null],
    ]);
    expect(fillOf(ws.getRow(3).getCell(regime))).not.toBe(RED);
    const history = fs.readdirSync(path.join(depot, 'historique'));
    expect(history).toHaveLength(2);
    const oldest = (await rowsOf(path.join(depot, 'historique', history.sort()[0]))).rows;
    expect(oldest[1].status).toBe('Rejetée : 2 erreurs à corriger (voir Problèmes)');
    expect(readJson(path.join(depot, 'JSON-ANS0000001-20261125-001.json')).lignesImport.map((l: any) => [l.numeroEditeur, l.commande.regimeTVA])).toEqual([['00002', 'TTC']]);

    // validate never undoes convert: the journal's state for each, exit 0.
    const vr = cli(['validate', living, '-o', depot, '--date', '20261125', '--json']);
    expect(vr.code).toBe(0);
    expect(JSON.parse(vr.stdout).demandes.map((d: any) => d.status)).toEqual(['deja_exportee', 'deja_exportee']);
    // The original workbook, with its two faults, validated again: 00002 was exported corrected, so the
    // faulty version is a change to a demande the ASP holds. The corrected workbook goes to the history.
    const v = JSON.parse(cli(['validate', wb, '-o', depot, '--date', '20261125', '--json']).stdout);
    expect(v.demandes.map((d: any) => d.status)).toEqual(['deja_exportee', 'rejetee']);
    expect(fs.readdirSync(path.join(depot, 'historique'))).toHaveLength(4);

    // The ASP accepts both. openpyxl dropped the workbook's mark, so the journal knows the demandes from two
    // names of one workbook (commandes.xlsx, commandes.resultats.xlsx): its living workbook is brought up
    // to date once.
    const returns = path.join(dir, 'retours');
    fs.mkdirSync(returns);
    jsonFiles(depot).forEach((f, k) => {
      const j = readJson(path.join(depot, f));
      for (const l of j.lignesImport) Object.assign(l, { numeroASP: `FINBIO00000${k + 1}`, codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
      fs.writeFileSync(path.join(returns, `retour-${f}`), JSON.stringify(j));
    });
    const sources = new Set(readJson(path.join(depot, 'xlsx2segur-journal.json')).entries.map((e: any) => e.source));
    expect([...sources].sort()).toEqual(['commandes.resultats.xlsx', 'commandes.xlsx']);
    const rr = cli(['retour', ...fs.readdirSync(returns).map((f) => path.join(returns, f)), '-o', depot]);
    expect(rr.code).toBe(0);
    // (Its last run was the validate of the original workbook just above: 00002 is shown changed since.)
    expect(rr.stdout.split('\n').filter((l) => l.startsWith('Classeur de résultats mis à jour'))).toEqual([`Classeur de résultats mis à jour : ${living} : 2 demandes lues : 0 valide, à exporter, 1 rejetée, 1 acceptée par l'ASP`]);
    expect((await rowsOf(living)).rows[0].status).toMatch(/^Acceptée par l'ASP/);
  });

  it('validate into a folder without a journal says so in one line; into the deposit folder it shows « Valide, à exporter » for new demandes', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const rows = merge({ Fichier: [HEADER] }, demandeRows('00001'));
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), rows);
    const fresh = cli(['validate', wb, '-o', path.join(dir, 'neuf'), '--date', '20261124']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout.split('\n').filter((l) => l.includes('Aucun journal'))).toEqual([`Aucun journal dans ${path.join(dir, 'neuf')} : les demandes ne sont pas comparées à un dépôt précédent.`]);
    expect(cli(['convert', wb, '-o', depot, '--date', '20261124']).code).toBe(0);
    const wb2 = await writeWorkbook(path.join(dir, 'c.xlsx'), merge(rows, demandeRows('00002')));
    const r = cli(['validate', wb2, '-o', depot, '--date', '20261124']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Aucun journal');
    const { rows: shown } = await rowsOf(path.join(depot, 'c.resultats.xlsx'));
    expect(shown.map((x) => x.status)).toEqual(["Déjà exportée : JSON-ANS0000001-20261124-001.json, ligne 1, le 24/11/2026 ; en attente de la réponse de l'ASP", 'Valide, à exporter']);
  });

  it('a living workbook that cannot be replaced gets a clear message; the JSON and the journal are kept', async () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    // Something the tool cannot replace stands where the workbook goes (as a file open in Excel on Windows).
    fs.mkdirSync(path.join(depot, 'c.resultats.xlsx'), { recursive: true });
    const r = cli(['convert', wb, '-o', depot, '--date', '20261124']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${path.join(depot, 'c.resultats.xlsx')} n'a pas pu être mis à jour`);
    expect(r.stdout).toContain('est-il ouvert dans Excel, ou en lecture seule ?');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(jsonFiles(depot)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    expect(readJson(path.join(depot, 'xlsx2segur-journal.json')).entries).toHaveLength(1);
  });
});

describe('our own outputs as inputs', () => {
  it('a folder scan skips a results workbook beside its workbook, by its mark, and says so; named explicitly, it is read', async () => {
    const dir = tmpDir();
    const inputs = path.join(dir, 'commandes');
    fs.mkdirSync(inputs);
    const wb = await writeWorkbook(path.join(inputs, 'lot.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002')));
    expect(cli(['validate', wb, '-o', path.join(dir, 'v'), '--date', '20261124']).code).toBe(0);
    // An old copy of its results workbook, renamed: it is recognised by the mark inside, not by its name.
    fs.copyFileSync(path.join(dir, 'v', 'lot.resultats.xlsx'), path.join(inputs, 'copie du lot.xlsx'));
    const r = cli(['convert', inputs, '-o', path.join(dir, 'depot'), '--date', '20261124', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.issues.filter((i: any) => i.code === 'NUMERO_EDITEUR_DOUBLON')).toEqual([]);
    expect(rep.workbooks.map((w: any) => w.file)).toEqual([wb]);
    expect(rep.skipped).toEqual([{ file: path.join(inputs, 'copie du lot.xlsx'), message: `${path.join(inputs, 'copie du lot.xlsx')} non lu : c'est un classeur de résultats de xlsx2segur, fait de lot.xlsx, qui est lu à sa place.` }]);
    const human = cli(['validate', inputs, '-o', path.join(dir, 'v2'), '--date', '20261124']);
    expect(human.stdout).toContain('copie du lot.xlsx non lu');
    // Named on the command line, it is read (that is how corrections come back), into the same living workbook.
    const named = JSON.parse(cli(['validate', path.join(inputs, 'copie du lot.xlsx'), '-o', path.join(dir, 'v3'), '--date', '20261124', '--json']).stdout);
    expect(named.workbooks.map((w: any) => [w.file, w.results])).toEqual([[path.join(inputs, 'copie du lot.xlsx'), path.join(dir, 'v3', 'lot.resultats.xlsx')]]);
  });
});

describe('small things', () => {
  it('--json failures name their file; -o is not created when nothing could be read', () => {
    const dir = tmpDir();
    const missing = path.join(dir, 'absent.xlsx');
    const out = path.join(dir, 'nouveau');
    const r = cli(['convert', missing, '-o', out, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).failures).toEqual([{ file: missing, message: `${missing} : fichier ou dossier introuvable.` }]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('the solde sample converted twice with its avance: no warning appears on the second run only', () => {
    const depot = path.join(tmpDir(), 'depot');
    const run = () => JSON.parse(cli(['convert', 'samples/exemple-specification.xlsx', 'samples/solde-exemple-specification.xlsx', '-o', depot, '--date', '20261124', '--json']).stdout);
    const first = run();
    const second = run();
    expect(second.issues).toEqual(first.issues);
    expect(second.demandes.map((d: any) => d.status)).toEqual(['deja_exportee', 'deja_exportee']);
  });
});
