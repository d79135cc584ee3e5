import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { cli, HEADER, jsonFiles, manyDemandes, readJson, root, tmpDir, writeWorkbook } from './helpers.js';

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
