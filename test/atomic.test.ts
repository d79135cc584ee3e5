import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { bin, cli, root, tmpDir } from './helpers.js';

function runAndKill(args: string[], afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('outputs are written atomically', () => {
  it('a run killed at any moment leaves no half-written output; the next run cleans up and finishes', async () => {
    const dir = tmpDir();
    const input = path.join(root, 'samples/450-demandes.xlsx');
    const before = fs.readFileSync(input);
    const outs: string[] = [];
    for (const ms of [150, 400, 700, 1000, 1300, 1600, 2000, 2500]) {
      const out = path.join(dir, `out-${ms}`);
      outs.push(out);
      await runAndKill(['convert', input, '-o', out, '--date', '20261124'], ms);
      if (!fs.existsSync(out)) continue;
      for (const f of fs.readdirSync(out)) {
        const p = path.join(out, f);
        if (/\.tmp$/.test(f)) continue; // a temporary file, never a final name
        if (f.endsWith('.json')) expect(() => JSON.parse(fs.readFileSync(p, 'utf8')), `${ms} ms : ${f}`).not.toThrow();
        if (f.endsWith('.xlsx')) await expect(JSZip.loadAsync(fs.readFileSync(p)), `${ms} ms : ${f}`).resolves.toBeTruthy();
      }
      // The journal lists only files that exist.
      const journal = path.join(out, 'xlsx2segur-journal.json');
      if (fs.existsSync(journal)) {
        for (const e of JSON.parse(fs.readFileSync(journal, 'utf8')).entries) expect(fs.existsSync(path.join(out, e.file))).toBe(true);
      }
    }
    expect(fs.readFileSync(input).equals(before)).toBe(true);
    // At least one run was really interrupted midway.
    expect(outs.some((o) => !fs.existsSync(path.join(o, '450-demandes.resultats.xlsx')))).toBe(true);
    // A new run in an interrupted folder removes the leftovers and completes.
    const out = outs[0];
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, '.JSON-ANS0000450-20261124-001.json.12345.deadbeef.tmp'), '{"lignesImp');
    const r = cli(['convert', input, '-o', out, '--date', '20261124', '--force']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the journal never forgets a file written to the folder', () => {
  it('a JSON file the journal does not know (run killed before the journal was saved) is recovered', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    expect(cli(['convert', path.join(root, 'samples/exemple-specification.xlsx'), '-o', out, '--date', '20261124']).code).toBe(0);
    fs.rmSync(path.join(out, 'xlsx2segur-journal.json'));
    const r = cli(['convert', path.join(root, 'samples/exemple-specification.xlsx'), '-o', out, '--date', '20261124', '--json']);
    // Recovered from the file: already exported, nothing to do, nothing written again.
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.demandes[0]).toMatchObject({ status: 'deja_exportee', jsonFile: 'JSON-ANS0000001-20261124-001.json', numLigne: 1 });
    expect(rep.jsonFiles).toEqual([]);
    const entries = JSON.parse(fs.readFileSync(path.join(out, 'xlsx2segur-journal.json'), 'utf8')).entries;
    expect(entries).toMatchObject([{ kind: 'avance', numeroEditeur: '00001', file: 'JSON-ANS0000001-20261124-001.json', montant: '27450.00', finess: ['111111111', '111111112', '222222222'] }]);
    // Its fingerprint, read from the file, is the one convert records.
    const fresh = path.join(dir, 'fresh');
    cli(['convert', path.join(root, 'samples/exemple-specification.xlsx'), '-o', fresh, '--date', '20261124']);
    expect(entries[0].fingerprint).toBe(JSON.parse(fs.readFileSync(path.join(fresh, 'xlsx2segur-journal.json'), 'utf8')).entries[0].fingerprint);
    expect(entries[0].fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });
});
