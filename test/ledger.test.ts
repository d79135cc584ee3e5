import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cli, demandeRows, HEADER, jsonFiles, manyDemandes, merge, readJson, root, tmpDir, writeWorkbook, type CliResult } from './helpers.js';

/**
 * The deposit folder is a ledger: one command writes it at a time, the journal decides the file names,
 * and only validated parts go into a path. Real workbooks, real command lines, files read back.
 */

/** Every file under dir, relative paths. */
function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('only validated parts go into a path', () => {
  for (const ans of ['ANS/000/01', '/../../../', 'ANS 000001', 'ANS00000é1']) {
    it(`numeroAns « ${ans} » is refused on its cell; nothing is written, inside the folder or out of it`, async () => {
      const dir = tmpDir();
      const cwd = path.join(dir, 'a', 'b', 'c');
      const wb = await writeWorkbook(path.join(cwd, 'in.xlsx'), manyDemandes(2, { ...HEADER, numeroAns: ans }));
      const v = cli(['validate', wb, '-o', 'depot', '--json'], { cwd });
      expect(v.code).toBe(1);
      const issue = JSON.parse(v.stdout).issues.find((i: any) => i.code === 'FORMAT_INVALIDE');
      expect(issue).toMatchObject({ sheet: 'Fichier', row: 2, field: 'numeroAns', message: `numeroAns : « ${ans} » n'a pas le format attendu (lettres et chiffres seulement, sans espace ni signe).` });
      const c = cli(['convert', wb, '-o', 'depot'], { cwd });
      expect(c.code).toBe(1);
      expect(c.stderr).toBe('');
      expect(allFiles(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
    });
  }

  it('a valid numeroAns of letters and digits is written', async () => {
    const dir = tmpDir();
    const wb = await writeWorkbook(path.join(dir, 'in.xlsx'), manyDemandes(1, { ...HEADER, numeroAns: 'AbC0123xyZ' }));
    expect(cli(['convert', wb, '-o', path.join(dir, 'depot'), '--date', '20261124']).code).toBe(0);
    expect(jsonFiles(path.join(dir, 'depot'))).toEqual(['JSON-AbC0123xyZ-20261124-001.json']);
  });

  it('a mapping that lets any numeroAns through: the file name is still refused before anything is opened (exit 2)', async () => {
    const dir = tmpDir();
    const mappings = path.join(dir, 'mappings');
    fs.cpSync(path.join(root, 'mappings'), mappings, { recursive: true });
    const file = path.join(mappings, 'avance-bio-sgl.json');
    const m = readJson(file);
    delete m.sheets[0].columns.find((c: any) => c.field === 'numeroAns').pattern;
    fs.writeFileSync(file, JSON.stringify(m, null, 2));
    const cwd = path.join(dir, 'a', 'b', 'c');
    const wb = await writeWorkbook(path.join(cwd, 'in.xlsx'), manyDemandes(2, { ...HEADER, numeroAns: '/../../../' }));
    const r = cli(['convert', wb, '-o', 'depot', '--date', '20261124', '--mapping', file], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `Erreur : Écriture refusée : « JSON-/../../../-20261124-001.json » ne désigne pas un fichier du dossier de sortie depot (séparateur de dossier, « .. » ou lien qui en sort). Rien n'a été écrit sous ce nom.\n`,
    );
    expect(allFiles(dir).filter((f) => f.endsWith('.json') && !f.startsWith('mappings'))).toEqual([]);
  });

  it('a results workbook whose mark names a path out of the folder: refused, nothing written out of it', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'x', 'depot');
    const wb = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(1));
    expect(cli(['validate', wb, '-o', out]).code).toBe(0);
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(out, 'petit.resultats.xlsx')));
    const custom = await zip.file('docProps/custom.xml')!.async('string');
    zip.file('docProps/custom.xml', custom.replace('<vt:lpwstr>petit.xlsx</vt:lpwstr>', '<vt:lpwstr>../../evil.xlsx</vt:lpwstr>'));
    const hostile = path.join(dir, 'hostile.xlsx');
    fs.writeFileSync(hostile, await zip.generateAsync({ type: 'nodebuffer' }));
    const r = cli(['validate', hostile, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Écriture refusée : « ../../evil.resultats.xlsx » ne désigne pas un fichier du dossier de sortie ${out}`);
    expect(allFiles(dir).filter((f) => f.includes('evil'))).toEqual([]);
  });

  it('a history folder that is a link out of the deposit folder: the copy is refused, the workbook left as it was', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const elsewhere = path.join(dir, 'ailleurs');
    fs.mkdirSync(elsewhere);
    const wb = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(1));
    expect(cli(['validate', wb, '-o', out, '--date', '20261124']).code).toBe(0);
    fs.symlinkSync(elsewhere, path.join(out, 'historique'));
    const before = fs.readFileSync(path.join(out, 'petit.resultats.xlsx'));
    const r = cli(['validate', wb, '-o', out, '--date', '20261125']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Écriture refusée : « historique\/petit\.resultats\.\d{8}-\d{6}\.xlsx » ne désigne pas un fichier du dossier de sortie/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'petit.resultats.xlsx')).equals(before)).toBe(true);
  });
});

const SAMPLE_450 = path.join(root, 'samples/450-demandes.xlsx');
const LOCK = 'xlsx2segur.lock';

/** Starts the real command line without waiting for it. */
function start(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function journalOf(out: string): any[] {
  return readJson(path.join(out, 'xlsx2segur-journal.json')).entries;
}

/** Every line of every JSON file of the folder, with its file. */
function depositedLines(out: string): { file: string; numeroAns: string; numeroEditeur: string; numLigne: number }[] {
  return jsonFiles(out).flatMap((file) => {
    const j = readJson(path.join(out, file));
    return j.lignesImport.map((l: any) => ({ file, numeroAns: j.numeroAns, numeroEditeur: l.numeroEditeur, numLigne: l.numLigne }));
  });
}

/** The ASP's return of some lines of a deposited file: accepted, with a dossier number each. */
function acceptance(deposited: string, target: string, numbers: Record<string, string>): string {
  const j = readJson(deposited);
  j.impId = `IMP-${path.basename(target)}`;
  j.lignesImport = j.lignesImport.filter((l: any) => numbers[l.numeroEditeur]);
  for (const l of j.lignesImport) Object.assign(l, { numeroASP: numbers[l.numeroEditeur], codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
  fs.writeFileSync(target, JSON.stringify(j, null, 2));
  return target;
}

const holders: ChildProcess[] = [];
afterAll(() => {
  for (const h of holders) h.kill();
});

/** A process of this machine that is running: the holder a lock file names. */
function liveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  holders.push(child);
  return child.pid!;
}

/** The id of a process of this machine that has ended. */
function deadProcess(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(out: string, holder: { pid: number; host?: string; command: string }): string {
  fs.mkdirSync(out, { recursive: true });
  const text = JSON.stringify({ pid: holder.pid, host: holder.host ?? os.hostname(), since: '2026-11-24T09:15:03.000Z', command: holder.command }, null, 2);
  fs.writeFileSync(path.join(out, LOCK), text);
  return text;
}

describe('one writer at a time in a deposit folder', () => {
  it('converts and retours started at once: each demande exported exactly once, no answer of the ASP lost', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const small = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(6));
    expect(cli(['convert', small, '-o', out, '--date', '20261124']).code).toBe(0);
    const deposited = path.join(out, 'JSON-ANS0000001-20261124-001.json');
    const returns = [
      { '00001': 'FINBIO000101', '00002': 'FINBIO000102' },
      { '00003': 'FINBIO000103', '00004': 'FINBIO000104' },
      { '00005': 'FINBIO000105', '00006': 'FINBIO000106' },
    ].map((numbers, i) => acceptance(deposited, path.join(dir, `retour-${i + 1}.json`), numbers));

    const env = { XLSX2SEGUR_LOCK_WAIT: '600' };
    const convert = () => start(['convert', SAMPLE_450, '-o', out, '--date', '20261124', '-q'], env);
    const retour = (file: string) => start(['retour', file, '-o', out], env);
    const runs = await Promise.all([convert(), retour(returns[0]), convert(), retour(returns[1]), convert(), retour(returns[2]), convert()]);

    for (const r of runs) expect(r.stderr, r.stdout).toBe('');
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // The 450 demandes: 450 lines over all the files, each demande once; the journal records each once.
    const lines = depositedLines(out).filter((l) => l.numeroAns === 'ANS0000450');
    expect(lines).toHaveLength(450);
    expect(new Set(lines.map((l) => l.numeroEditeur)).size).toBe(450);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json', ...[1, 2, 3].map((n) => `JSON-ANS0000450-20261124-00${n}.json`)]);
    const entries = journalOf(out);
    const of450 = entries.filter((e) => e.numeroAns === 'ANS0000450');
    expect(of450).toHaveLength(450);
    expect(new Set(of450.map((e) => e.numeroEditeur)).size).toBe(450);
    expect(new Set(entries.map((e) => `${e.file}|${e.numLigne}`)).size).toBe(entries.length);
    // Every answer of the three retours is in the journal.
    expect(entries.filter((e) => e.numeroAns === 'ANS0000001').map((e) => [e.numeroEditeur, e.numeroASP, e.asp?.statut])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [`0000${n}`, `FINBIO00010${n}`, 'acceptee']),
    );
    // Each retour refreshed the living workbook while it held the folder (the lock is re-entrant for it).
    for (const r of runs.filter((x) => x.stdout.startsWith('xlsx2segur retour'))) expect(r.stdout).toContain('Classeur de résultats mis à jour');
    expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
  });

  it('a command finding the folder held waits, then says who holds it and since when, exits 2, writes nothing', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(2));
    expect(cli(['convert', wb, '-o', out, '--date', '20261124']).code).toBe(0);
    const journalBefore = fs.readFileSync(path.join(out, 'xlsx2segur-journal.json'));
    const pid = liveProcess();
    const lock = writeLock(out, { pid, command: 'retour' });
    const env = { XLSX2SEGUR_LOCK_WAIT: '1', TZ: 'UTC' };
    const ret = acceptance(path.join(out, 'JSON-ANS0000001-20261124-001.json'), path.join(dir, 'retour.json'), { '00001': 'FINBIO000101' });
    const other = await writeWorkbook(path.join(dir, 'autre.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00003')));
    for (const args of [['convert', other], ['validate', other], ['retour', ret], ['journal', '--payee', 'FINBIO000101']]) {
      const r = cli([...args, '-o', out], { env });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toBe(
        `Erreur : Le dossier ${out} est occupé par une autre commande : « xlsx2segur retour », processus ${pid} sur la machine ${os.hostname()}, ` +
          `depuis le 24/11/2026 à 09:15:03. Après 1 seconde d'attente, rien n'a été fait : relancez quand elle aura fini.\n`,
      );
    }
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    expect(fs.existsSync(path.join(out, 'autre.resultats.xlsx'))).toBe(false);
    expect(fs.readFileSync(path.join(out, 'xlsx2segur-journal.json')).equals(journalBefore)).toBe(true);
    // The holder's lock is left as it was.
    expect(fs.readFileSync(path.join(out, LOCK), 'utf8')).toBe(lock);
    // Listing the journal only reads it: no wait.
    expect(cli(['journal', '-o', out], { env }).code).toBe(0);
  });

  it('a lock of another machine is never taken over: the message says which file to remove if it no longer runs there', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(1));
    writeLock(out, { pid: deadProcess(), host: 'poste-compta', command: 'convert' });
    const r = cli(['convert', wb, '-o', out, '--date', '20261124'], { env: { XLSX2SEGUR_LOCK_WAIT: '0', TZ: 'UTC' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('« xlsx2segur convert », processus');
    expect(r.stderr).toContain(`sur la machine poste-compta, depuis le 24/11/2026 à 09:15:03. Après 0 seconde d'attente, rien n'a été fait : relancez quand elle aura fini. Si cette commande ne tourne plus sur poste-compta, supprimez ${path.join(out, LOCK)}.`);
    expect(jsonFiles(out)).toEqual([]);
  });

  it('a stale lock (its process is gone, same machine) is taken over, with a line saying so', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const wb = await writeWorkbook(path.join(dir, 'petit.xlsx'), manyDemandes(2));
    const pid = deadProcess();
    writeLock(out, { pid, command: 'convert' });
    const r = cli(['convert', wb, '-o', out, '--date', '20261124'], { env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `Verrou abandonné repris : le dossier ${out} était verrouillé par « xlsx2segur convert », processus ${pid} sur la machine ${os.hostname()}, depuis le 24/11/2026 à 09:15:03, qui ne tourne plus.\n`,
    );
    expect(depositedLines(out).map((l) => l.numeroEditeur)).toEqual(['00001', '00002']);
    expect(journalOf(out)).toHaveLength(2);
    expect(fs.readdirSync(out).filter((f) => f.startsWith(LOCK))).toEqual([]);
  });
});

describe('the journal decides file names', () => {
  async function exported(dir: string, name: string, nums: string[]): Promise<string> {
    return writeWorkbook(path.join(dir, name), merge({ Fichier: [HEADER] }, ...nums.map((n) => demandeRows(n))));
  }

  it('a name used once is never used again, even after its file left the folder; the missing file is reported, the demande not exported again', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const archive = path.join(dir, 'archive');
    fs.mkdirSync(archive);
    const a = await exported(dir, 'a.xlsx', ['00001', '00002']);
    expect(cli(['convert', a, '-o', out, '--date', '20261124']).code).toBe(0);
    fs.renameSync(path.join(out, 'JSON-ANS0000001-20261124-001.json'), path.join(archive, 'JSON-ANS0000001-20261124-001.json'));

    const b = await exported(dir, 'b.xlsx', ['00003']);
    expect(cli(['convert', b, '-o', out, '--date', '20261124']).code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-002.json']);
    const entries = journalOf(out);
    expect(entries.map((e) => [e.numeroEditeur, e.file, e.numLigne])).toEqual([
      ['00001', 'JSON-ANS0000001-20261124-001.json', 1],
      ['00002', 'JSON-ANS0000001-20261124-001.json', 2],
      ['00003', 'JSON-ANS0000001-20261124-002.json', 1],
    ]);

    // a.xlsx again: its demandes are in the journal, their file is not in the folder: said, not exported again.
    const r = cli(['convert', a, '-o', out, '--date', '20261124', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.jsonFiles).toEqual([]);
    expect(rep.demandes.map((d: any) => [d.numeroEditeur, d.status, d.warnings])).toEqual([
      ['00001', 'deja_exportee', ['FICHIER_EXPORTE_ABSENT']],
      ['00002', 'deja_exportee', ['FICHIER_EXPORTE_ABSENT']],
    ]);
    const text = cli(['convert', a, '-o', out, '--date', '20261124']).stdout;
    expect(text).toContain(
      `La demande 00001 (avance) a été exportée dans JSON-ANS0000001-20261124-001.json, ligne 1, le 24/11/2026 ; ce fichier n'est plus dans le dossier ${out}. État dans le journal : exportée (pas encore de réponse de l'ASP). Elle n'est pas exportée à nouveau`,
    );
    expect(journalOf(out)).toHaveLength(3);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-002.json']);

    // Once the ASP has answered for them, the file was received: no warning any more.
    const answer = acceptance(path.join(archive, 'JSON-ANS0000001-20261124-001.json'), path.join(dir, 'retour-001.json'), { '00001': 'FINBIO000001', '00002': 'FINBIO000002' });
    expect(cli(['retour', answer, '-o', out]).code).toBe(0);
    const after = JSON.parse(cli(['convert', a, '-o', out, '--date', '20261124', '--json']).stdout);
    expect(after.demandes.map((d: any) => [d.numeroEditeur, d.status, d.warnings])).toEqual([
      ['00001', 'acceptee_asp', []],
      ['00002', 'acceptee_asp', []],
    ]);
  });

  it('--sequence is the first number to use, never one the journal already used', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const first = await exported(dir, 'a.xlsx', ['00001']);
    expect(cli(['convert', first, '-o', out, '--date', '20261124', '--sequence', '2']).code).toBe(0);
    fs.rmSync(path.join(out, 'JSON-ANS0000001-20261124-002.json'));
    // Below what the journal used: the next number after it.
    expect(cli(['convert', await exported(dir, 'b.xlsx', ['00002']), '-o', out, '--date', '20261124', '--sequence', '1']).code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-003.json']);
    // Above it: the number given (files deposited from another machine).
    expect(cli(['convert', await exported(dir, 'c.xlsx', ['00003']), '-o', out, '--date', '20261124', '--sequence', '7']).code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-003.json', 'JSON-ANS0000001-20261124-007.json']);
    // Another day starts again at 001.
    expect(cli(['convert', await exported(dir, 'd.xlsx', ['00004']), '-o', out, '--date', '20261125']).code).toBe(0);
    expect(jsonFiles(out)).toContain('JSON-ANS0000001-20261125-001.json');
    expect(journalOf(out).map((e) => e.file)).toEqual(['002', '003', '007'].map((n) => `JSON-ANS0000001-20261124-${n}.json`).concat('JSON-ANS0000001-20261125-001.json'));
  });
});
