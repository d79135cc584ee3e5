import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, root, tmpDir } from './helpers.js';

/** Runs the CLI under a pseudo-terminal (util-linux's script), as a user at a terminal would. */
function underTerminal(args: string[], env: Record<string, string | undefined> = {}) {
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.error) throw new Error(`script (util-linux) est nécessaire pour ce test : ${r.error.message}`);
  return { code: r.status, out: r.stdout };
}

const SGR = /\u001b\[[0-9;]*m/; // colour and style codes

describe('terminal output', () => {
  it('on a terminal: a progress bar (reading, checking, writing) and colours', () => {
    const r = underTerminal(['convert', 'samples/exemple-specification.xlsx', 'samples/avec-erreurs.xlsx', '-o', tmpDir(), '--date', '20261124'], { NO_COLOR: undefined });
    expect(r.out).toContain('Lecture et contrôle');
    expect(r.out).toContain('Écriture des JSON');
    expect(r.out).toContain('Classeurs de résultats');
    expect(r.out).toMatch(/2\/2/);
    expect(r.out).toMatch(SGR);
    expect(r.code).toBe(1);
  });

  it('NO_COLOR: no colour codes, even on a terminal', () => {
    const r = underTerminal(['convert', 'samples/avec-erreurs.xlsx', '-o', tmpDir(), '--date', '20261124'], { NO_COLOR: '1' });
    expect(r.out).toContain('Erreurs :');
    expect(r.out).not.toMatch(SGR);
  });

  it('--quiet: no progress bar on a terminal', () => {
    const r = underTerminal(['convert', 'samples/exemple-specification.xlsx', '-o', tmpDir(), '--date', '20261124', '--quiet'], { NO_COLOR: '1' });
    expect(r.out).not.toContain('Lecture et contrôle');
    expect(r.out).toContain('1 demande lue');
  });

  it('not a terminal (pipe, CI log): no progress bar and no colour', () => {
    const r = cli(['convert', 'samples/avec-erreurs.xlsx', '-o', path.join(tmpDir(), 'o'), '--date', '20261124'], { env: { FORCE_COLOR: '1', CI: 'true' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(SGR);
    expect(r.stdout).toContain('Erreurs :');
  });
});
