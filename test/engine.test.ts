import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertCore, type EngineInput } from '../src/engine/core.js';
import { memoryFolder } from '../src/journal/folder.js';
import { memoryPjFolder } from '../src/pj/memory.js';
import { cli, root, tmpDir } from './helpers.js';

/**
 * The engine is one function of bytes, options and the deposit folder's state: given the samples' bytes
 * and an empty folder, it gives the CLI's JSON files and results workbooks byte for byte, and its journal;
 * given the state the CLI left, it exports nothing again. Its own modules touch no file system.
 */
const DATE = '20261124';
const SAMPLES = ['exemple-specification.xlsx', '450-demandes.xlsx', 'avec-erreurs.xlsx'];

function inputs(): EngineInput[] {
  return SAMPLES.map((name) => ({ file: path.join(root, 'samples', name), bytes: new Uint8Array(fs.readFileSync(path.join(root, 'samples', name))) }));
}

describe('convertCore: the engine on bytes, in memory', () => {
  it('gives the CLI’s JSON files, results workbooks and journal; run again on that state, exports nothing', async () => {
    const depot = path.join(tmpDir(), 'depot');
    const r = cli(['convert', ...SAMPLES.map((n) => path.join('samples', n)), '-o', depot, '--date', DATE, '-q']);
    expect(r.code).toBe(1); // avec-erreurs has rejected demandes

    const state = { journal: { file: path.join(depot, 'xlsx2segur-journal.json'), entries: [], found: false }, folder: memoryFolder(depot, new Map()) };
    const first = await convertCore(inputs(), { outDir: depot, date: DATE }, state);
    const onDisk = fs.readdirSync(depot).filter((n) => n.startsWith('JSON-')).sort();
    expect(first.jsonFiles.map((f) => f.name).sort()).toEqual(onDisk);
    for (const f of first.jsonFiles) expect(f.text, f.name).toBe(fs.readFileSync(path.join(depot, f.name), 'utf8'));
    expect(first.workbooks.map((w) => w.name).sort()).toEqual(fs.readdirSync(depot).filter((n) => n.endsWith('.resultats.xlsx')).sort());
    for (const w of first.workbooks) expect(w.bytes.equals(fs.readFileSync(path.join(depot, w.name))), w.name).toBe(true);
    const journal = JSON.parse(fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json'), 'utf8'));
    expect(first.journal).toEqual(journal.entries);
    expect(first.report.totals.statuses.exportee).toBe(journal.entries.length);
    expect(journal.entries.length).toBe(452);
    expect(first.report.totals.statuses.rejetee).toBe(6);

    const folder = memoryFolder(depot, new Map(first.jsonFiles.map((f) => [f.name, f.text])));
    const again = await convertCore(inputs(), { outDir: depot, date: DATE }, { journal: { ...state.journal, entries: first.journal, found: true }, folder });
    expect(again.jsonFiles).toEqual([]);
    expect(again.journal).toEqual(first.journal);
    expect(again.report.totals.statuses.deja_exportee).toBe(452);
  }, 120_000);

  it('with the PJ as bytes (relative paths), gives the CLI --pj’s checks, JSON files, zips and journal byte for byte', async () => {
    const dir = tmpDir();
    const names = ['exemple-specification.xlsx', '450-demandes.xlsx'];
    // The PJ the samples name, found in their JSON files; one missing, one a PNG named .pdf.
    const plain = path.join(dir, 'sans-pj');
    cli(['convert', ...names.map((n) => path.join('samples', n)), '-o', plain, '--date', DATE, '-q']);
    const wanted = [...new Set(fs.readdirSync(plain).filter((n) => n.endsWith('.json') && n.startsWith('JSON-')).flatMap((n) => [...fs.readFileSync(path.join(plain, n), 'utf8').matchAll(/"nomFichier": "([^"]+)"/g)].map((m) => m[1])))];
    expect(wanted.length).toBeGreaterThan(400);
    const pj: { path: string; bytes: Uint8Array }[] = wanted.slice(1).map((name, i) => ({ path: name, bytes: new Uint8Array(Buffer.from(i === 0 ? '\x89PNG\r\n\x1a\n.....' : `%PDF-1.4\n${name} ${'x'.repeat(i % 50)}`)) }));
    const pjDir = path.join(dir, 'pieces');
    for (const f of pj) fs.mkdirSync(pjDir, { recursive: true }), fs.writeFileSync(path.join(pjDir, f.path), f.bytes);
    const depot = path.join(dir, 'depot');
    cli(['convert', ...names.map((n) => path.join('samples', n)), '-o', depot, '--date', DATE, '--pj', pjDir, '-q']);

    const inputs = names.map((n) => ({ file: path.join(root, 'samples', n), bytes: new Uint8Array(fs.readFileSync(path.join(root, 'samples', n))) }));
    const state = { journal: { file: path.join(depot, 'xlsx2segur-journal.json'), entries: [], found: false }, folder: memoryFolder(depot, new Map()) };
    const out = await convertCore(inputs, { outDir: depot, date: DATE, pj: memoryPjFolder(pjDir, pj) }, state);
    expect(out.zips.map((z) => z.name).sort()).toEqual(fs.readdirSync(depot).filter((n) => n.endsWith('.zip')).sort());
    expect(out.zips.length).toBeGreaterThan(0);
    for (const z of out.zips) expect(Buffer.from(z.bytes).equals(fs.readFileSync(path.join(depot, z.name))), z.name).toBe(true);
    expect(out.jsonFiles.map((f) => f.name).sort()).toEqual(fs.readdirSync(depot).filter((n) => n.startsWith('JSON-') && n.endsWith('.json')).sort());
    for (const f of out.jsonFiles) expect(f.text, f.name).toBe(fs.readFileSync(path.join(depot, f.name), 'utf8'));
    for (const w of out.workbooks) expect(w.bytes.equals(fs.readFileSync(path.join(depot, w.name))), w.name).toBe(true);
    expect(out.journal).toEqual(JSON.parse(fs.readFileSync(path.join(depot, 'xlsx2segur-journal.json'), 'utf8')).entries);
    const cliJson = JSON.parse(cli(['validate', ...inputs.map((i) => i.file), '-o', depot, '--date', DATE, '--pj', pjDir, '--json']).stdout);
    const pjIssues = (r: { issues: { code: string }[] }) => r.issues.filter((i) => i.code.startsWith('PJ_'));
    expect(pjIssues(JSON.parse(JSON.stringify(out.report)))).toEqual(pjIssues(cliJson));
    expect([...new Set(pjIssues(cliJson).map((i) => i.code))].sort()).toEqual(['PJ_ABSENTE', 'PJ_FORMAT_REEL']);
  }, 120_000);

  it('a damaged input is a failure in the report, the others are converted', async () => {
    const bad: EngineInput = { file: 'abime.xlsx', bytes: new Uint8Array(Buffer.from('pas un classeur')) };
    const out = await convertCore([bad, inputs()[0]], { outDir: 'depot', date: DATE }, { journal: { file: 'depot/xlsx2segur-journal.json', entries: [], found: false }, folder: memoryFolder('depot', new Map()) });
    expect(out.report.failures.map((f) => f.file)).toEqual(['abime.xlsx']);
    expect(out.jsonFiles.map((f) => f.name)).toEqual(['JSON-ANS0000001-20261124-001.json']);
  });

  it('the engine’s own modules import no file system, socket or process API', () => {
    const dir = path.join(root, 'src', 'engine');
    for (const name of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      expect(text, name).not.toMatch(/from 'node:(fs|net|http|child_process|os)'/);
      expect(text, name).not.toMatch(/\bprocess\./);
    }
  });
});
