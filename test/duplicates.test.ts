import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, merge, tmpDir, writeWorkbook } from './helpers.js';

/** A numeroEditeur given many times: one message per row, each naming the first rows and how many others. */
describe('duplicates are named briefly, however many', () => {
  it('25 rows with one numeroEditeur: each message names 10 rows and « … et 15 autres »', async () => {
    const dir = tmpDir();
    const rows = Array.from({ length: 25 }, () => demandeRows('00001'));
    const wb = await writeWorkbook(path.join(dir, 'doublons.xlsx'), merge({ Fichier: [HEADER] }, ...rows, demandeRows('00002')));
    const r = cli(['validate', wb, '-o', path.join(dir, 'depot'), '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const dup = report.issues.filter((i: any) => i.code === 'NUMERO_EDITEUR_DOUBLON' && i.sheet === 'Commandes');
    expect(dup).toHaveLength(25);
    for (const i of dup) {
      expect(i.message).toMatch(/lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … et 15 autres/);
      expect(i.message.length).toBeLessThan(200);
    }
    expect(report.demandes.find((d: any) => d.numeroEditeur === '00002').status).toBe('valide');
    expect(report.demandes.find((d: any) => d.numeroEditeur === '00001').status).toBe('rejetee');
  });
});
