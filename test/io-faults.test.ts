import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin, cli, demandeRows, HEADER, merge, root, tmpDir, writeWorkbook } from './helpers.js';

/**
 * Faults of the file system get a French sentence naming the path and what to do, exit 2, never a stack
 * trace nor « Erreur inattendue »; the readable rest of a batch is still processed. Permissions do not
 * stop root: as root, the command runs as nobody (setpriv), on folders nobody may read.
 */
const asRoot = process.getuid?.() === 0;

function runAsUser(args: string[], cwd?: string) {
  const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, ...args] : [process.execPath, bin, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', cwd: cwd ?? root, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A folder anyone may enter and write (mkdtemp gives 0700). */
function openDir(): string {
  const d = tmpDir('x2s-io-');
  fs.chmodSync(d, 0o777);
  return d;
}

function expectSentence(r: { code: number; stdout: string; stderr: string }) {
  expect(r.code).toBe(2);
  expect(r.stdout + r.stderr).not.toContain('Erreur inattendue');
  expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('I/O faults get a sentence, never a stack', () => {
  it('an unreadable sub-folder of an input folder is reported; the rest of the folder is converted', async () => {
    const dir = openDir();
    const inputs = path.join(dir, 'commandes');
    fs.mkdirSync(path.join(inputs, 'prive'), { recursive: true });
    await writeWorkbook(path.join(inputs, 'lot.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    await writeWorkbook(path.join(inputs, 'prive', 'cache.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00002')));
    fs.chmodSync(inputs, 0o755);
    fs.chmodSync(path.join(inputs, 'lot.xlsx'), 0o644);
    fs.chmodSync(path.join(inputs, 'prive'), 0o000);
    const r = runAsUser(['convert', inputs, '-o', path.join(dir, 'depot'), '--date', '20261124']);
    fs.chmodSync(path.join(inputs, 'prive'), 0o755);
    expectSentence(r);
    expect(r.stdout).toContain(`${path.join(inputs, 'prive')} : dossier illisible (EACCES) : il est laissé de côté, le reste est traité.`);
    expect(fs.readdirSync(path.join(dir, 'depot')).filter((f) => f.startsWith('JSON-'))).toEqual(['JSON-ANS0000001-20261124-001.json']);
  });

  it('a read-only deposit folder: a sentence naming it', async () => {
    const dir = openDir();
    const wb = await writeWorkbook(path.join(dir, 'lot.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    fs.chmodSync(wb, 0o644);
    const depot = path.join(dir, 'depot');
    fs.mkdirSync(depot);
    fs.chmodSync(depot, 0o555);
    const r = runAsUser(['convert', wb, '-o', depot, '--date', '20261124']);
    fs.chmodSync(depot, 0o755);
    expectSentence(r);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`${depot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?[^\\n]* : [^\\n]*impossible : accès refusé ; vérifiez les droits`));
  });

  it('-o naming an existing file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'depot');
    fs.writeFileSync(file, 'pas un dossier');
    const r = cli(['convert', 'samples/exemple-specification.xlsx', '-o', file]);
    expectSentence(r);
    expect(r.stderr).toContain(`-o ${file} : c'est un fichier, pas un dossier`);
  });

  it('a FIFO given as input is named as such, not « introuvable »', () => {
    const dir = tmpDir();
    const fifo = path.join(dir, 'tube.xlsx');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = cli(['convert', fifo, 'samples/exemple-specification.xlsx', '-o', path.join(dir, 'depot'), '--date', '20261124']);
    expectSentence(r);
    expect(r.stdout).toContain(`${fifo} : ni un fichier ordinaire ni un dossier (tube, périphérique…) : il n'est pas lu.`);
    expect(fs.existsSync(path.join(dir, 'depot', 'JSON-ANS0000001-20261124-001.json'))).toBe(true);
  });

  it('journal -o depot | head -1: the rest of the output is not wanted; no stack', () => {
    const depot = path.join(tmpDir(), 'depot');
    cli(['convert', 'samples/450-demandes.xlsx', '-o', depot, '--date', '20261124']);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" journal -o "${depot}" | head -1`], { encoding: 'utf8', cwd: root });
    expect(r.stdout.trim()).toMatch(/^Journal .* : 450 demandes exportées$/);
    expect(r.stderr).toBe('');
  });

  describe('a run failing after writing some JSON files: they are removed, and the user is told which', () => {
    const limited = (kb: number, args: string[]) => {
      const r = spawnSync('bash', ['-c', `ulimit -f ${kb}; exec "$@"`, 'bash', process.execPath, bin, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

    it('EFBIG on the second JSON file: the first is removed, nothing is journaled, the next run exports all', () => {
      const dir = tmpDir();
      const inputs = path.join(dir, 'commandes');
      fs.mkdirSync(inputs);
      fs.copyFileSync(path.join(root, 'samples', 'exemple-specification.xlsx'), path.join(inputs, 'a.xlsx'));
      fs.copyFileSync(path.join(root, 'samples', '450-demandes.xlsx'), path.join(inputs, 'b.xlsx'));
      const depot = path.join(dir, 'depot');
      const r = limited(100, ['convert', inputs, '-o', depot, '--date', '20261124', '-q']);
      expectSentence(r);
      expect(r.stderr).toContain(`${path.join(depot, 'JSON-ANS0000450-20261124-001.json')} : écriture impossible : fichier trop gros`);
      expect(r.stderr).toContain("Le fichier déjà écrit par cette conversion a été retiré, rien n'est exporté et le journal est inchangé : JSON-ANS0000001-20261124-001.json.");
      expect(listing(depot).filter((n) => !n.startsWith('.xlsx2segur'))).toEqual([]);
      const again = cli(['convert', inputs, '-o', depot, '--date', '20261124', '--json']);
      expect(again.code).toBe(0);
      expect(listing(depot).filter((n) => n.startsWith('JSON-'))).toEqual([
        'JSON-ANS0000001-20261124-001.json',
        'JSON-ANS0000450-20261124-001.json',
        'JSON-ANS0000450-20261124-002.json',
        'JSON-ANS0000450-20261124-003.json',
      ]);
      const journal = JSON.parse(fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json'), 'utf8'));
      expect(journal.entries).toHaveLength(451);
    });

    it('EFBIG while saving the journal: the JSON file just written is removed, the journal is as it was', () => {
      const dir = tmpDir();
      const depot = path.join(dir, 'depot');
      expect(cli(['convert', 'samples/450-demandes.xlsx', '-o', depot, '--date', '20261124', '-q']).code).toBe(0);
      const journalFile = path.join(depot, 'xlsx2segur-journal.json');
      const before = fs.readFileSync(journalFile);
      expect(before.length).toBeGreaterThan(200 * 1024);
      const r = limited(200, ['convert', 'samples/exemple-specification.xlsx', '-o', depot, '--date', '20261124', '-q']);
      expectSentence(r);
      expect(r.stderr).toContain(`${journalFile} : écriture impossible : fichier trop gros`);
      expect(r.stderr).toContain('a été retiré, rien n\'est exporté et le journal est inchangé : JSON-ANS0000001-20261124-001.json.');
      expect(fs.readFileSync(journalFile).equals(before)).toBe(true);
      expect(listing(depot).filter((n) => n.startsWith('JSON-ANS0000001') || n.endsWith('.tmp'))).toEqual([]);
      expect(cli(['convert', 'samples/exemple-specification.xlsx', '-o', depot, '--date', '20261124', '-q']).code).toBe(0);
      expect(listing(depot).filter((n) => n.startsWith('JSON-ANS0000001'))).toEqual(['JSON-ANS0000001-20261124-001.json']);
    });
  });
});

describe('solde: a fault while its workbook is written gets a sentence', () => {
  it('EFBIG on the temporary file the rows are streamed to: exit 2, a sentence naming it, no workbook, no temporary file left', () => {
    const dir = tmpDir();
    const depot = path.join(dir, 'depot');
    expect(cli(['convert', 'samples/450-demandes.xlsx', '-o', depot, '--date', '20261124', '-q']).code).toBe(0);
    // The ASP accepts every line.
    const returns = fs
      .readdirSync(depot)
      .filter((f) => /^JSON-.*\.json$/.test(f))
      .map((f, k) => {
        const j = JSON.parse(fs.readFileSync(path.join(depot, f), 'utf8'));
        for (const l of j.lignesImport) Object.assign(l, { numeroASP: `FINBIO${String(1000 * k + l.numLigne).padStart(6, '0')}`, codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
        const file = path.join(dir, `retour-${f}`);
        fs.writeFileSync(file, JSON.stringify(j));
        return file;
      });
    expect(cli(['retour', ...returns, '-o', depot]).code).toBe(0);
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const target = path.join(dir, 'solde.xlsx');
    // The streamed rows (about 2 MB for 450 demandes, stored) exceed 500 KB; the workbook itself would not.
    const run = (kb: number) => {
      const r = spawnSync('bash', ['-c', `ulimit -f ${kb}; exec "$@"`, 'bash', process.execPath, bin, 'solde', '--from', depot, '-o', target, '--non-payees'], {
        encoding: 'utf8',
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp },
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    const r = run(500);
    expectSentence(r);
    expect(r.stderr).toMatch(new RegExp(`${tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/xlsx2segur-solde-[^/]+/classeur\\.xlsx : écriture impossible : fichier trop gros`));
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
    const ok = run(100_000);
    expect(ok.code).toBe(0);
    expect(fs.statSync(target).size).toBeLessThan(500 * 1024);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
