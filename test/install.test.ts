import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsonFiles, root, tmpDir, type CliResult } from './helpers.js';

function run(command: string, args: string[], cwd: string): CliResult {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The README's installation: `npm pack`, then `npm install -g --prefix <dossier> <paquet>`. The package is
 * packed with --ignore-scripts: its `prepare` would recompile dist/ while the other test files run the
 * command line from it (`npm test` has just compiled it). Dependencies come from the npm registry, through
 * the local cache when it has them.
 */
function packAndInstall(base: string): { tarball: string; files: string[]; prefix: string } {
  const packDir = path.join(base, 'paquet');
  fs.mkdirSync(packDir);
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], root);
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout);
  const tarball = path.join(packDir, info.filename);
  const prefix = path.join(base, 'prefixe');
  const install = run('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund'], base);
  expect(install.code, install.stderr).toBe(0);
  return { tarball, files: info.files.map((f: { path: string }) => f.path), prefix };
}

describe('installation from the packed tarball, run from any folder', () => {
  it('npm pack holds the compiled dist/; installed into an empty prefix, the command runs elsewhere: --help, template, convert', () => {
    const base = tmpDir('x2s-install-');
    const { tarball, files, prefix } = packAndInstall(base);
    expect(path.basename(tarball)).toBe('xlsx2segur-0.1.0.tgz');
    for (const f of ['bin/xlsx2segur.js', 'dist/cli.js', 'dist/commands/convert.js', 'mappings/avance-bio-sgl.json', 'mappings/listes/operateurs-messagerie.json', 'templates/avance-bio-sgl.xlsx']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    // The installed copy stands alone: no link to this clone, no TypeScript.
    const command = path.join(prefix, 'bin', 'xlsx2segur');
    const installed = path.join(prefix, 'lib', 'node_modules', 'xlsx2segur');
    expect(fs.realpathSync(command)).toBe(path.join(fs.realpathSync(installed), 'bin', 'xlsx2segur.js'));
    expect(fs.existsSync(path.join(installed, 'node_modules', 'typescript'))).toBe(false);

    const elsewhere = path.join(base, 'ailleurs');
    fs.mkdirSync(elsewhere);
    const help = run(command, ['--help'], elsewhere);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('xlsx2segur convert <inputs..>');
    expect(help.stdout).toContain('Codes de sortie :');

    expect(run(command, ['template', 'solde'], elsewhere).code).toBe(0);
    expect(fs.existsSync(path.join(elsewhere, 'solde-bio-sgl.xlsx'))).toBe(true);

    fs.copyFileSync(path.join(root, 'samples/exemple-specification.xlsx'), path.join(elsewhere, 'exemple-specification.xlsx'));
    const convert = run(command, ['convert', 'exemple-specification.xlsx', '-o', 'depot', '--date', '20261124'], elsewhere);
    expect(convert.code, convert.stdout + convert.stderr).toBe(0);
    const depot = path.join(elsewhere, 'depot');
    expect(jsonFiles(depot)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    const written = fs.readFileSync(path.join(depot, 'JSON-ANS0000001-20261124-001.json'), 'utf8');
    expect(written).toBe(fs.readFileSync(path.join(root, 'test/golden/exemple-specification.json'), 'utf8'));
  }, 240_000);
});
