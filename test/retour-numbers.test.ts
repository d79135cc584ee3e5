import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, merge, readJson, tmpDir, writeWorkbook } from './helpers.js';

/**
 * A dossier number is given once: the journal's index by numeroASP follows the numbers a run gives, file
 * after file, so that a second file of the same run cannot give the first file's number to another demande;
 * and journal --payee finds the avance by the number retour gave it. Real files and the real command line.
 */

const DEPOSITED = 'JSON-ANS0000001-20261124-001.json';

let dir: string;
let out: string;
const entry = (num: string) => readJson(path.join(out, 'xlsx2segur-journal.json')).entries.find((e: any) => e.numeroEditeur === num);

/** The ASP's return of one line of the deposited file, accepted with this dossier number. */
function returnOf(name: string, num: string, numeroASP: string): string {
  const j = readJson(path.join(out, DEPOSITED));
  j.impId = `IMP-${name}`;
  j.lignesImport = j.lignesImport.filter((l: any) => l.numeroEditeur === num).map((l: any) => ({ ...l, numeroASP, codeTraitement: '0', libelleTraitement: 'Demande acceptée' }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(j, null, 2));
  return file;
}

beforeAll(async () => {
  dir = tmpDir();
  out = path.join(dir, 'depot');
  const wb = await writeWorkbook(path.join(dir, 'lot.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002'), demandeRows('00003')));
  expect(cli(['convert', wb, '-o', out, '--date', '20261124']).code).toBe(0);
});

describe('a dossier number given by one file of a run is known to the next file of the same run', () => {
  it('the second file giving it to another demande is not taken (exit 1); the first one keeps it', () => {
    const r = cli(['retour', returnOf('retour-a.json', '00001', 'FINBIO000201'), returnOf('retour-b.json', '00002', 'FINBIO000201'), returnOf('retour-c.json', '00003', 'FINBIO000203'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('demande 00001 acceptée, dossier FINBIO000201.');
    expect(r.stdout).toContain(`demande 00002 : le numéro de dossier FINBIO000201 est déjà celui de la demande 00001 (${DEPOSITED}, ligne 1) : ligne non prise en compte.`);
    expect(r.stdout).toContain('demande 00003 acceptée, dossier FINBIO000203.');
    expect(entry('00001')).toMatchObject({ numeroASP: 'FINBIO000201', asp: { statut: 'acceptee' } });
    expect(entry('00002')).toMatchObject({ numeroASP: null, asp: null });
  });

  it('journal --payee finds each avance by the number retour gave it', () => {
    const r = cli(['journal', '-o', out, '--payee', 'FINBIO000201', 'FINBIO000203', 'FINBIO000202']);
    expect(r.stdout).toContain('✓ FINBIO000201 (demande 00001) : avance payée.');
    expect(r.stdout).toContain('✓ FINBIO000203 (demande 00003) : avance payée.');
    expect(r.stdout).toContain('✗ FINBIO000202 : aucune avance acceptée de ce numéro dans le journal.');
    expect(r.code).toBe(1);
    expect([entry('00001').paiement, entry('00002').paiement ?? null, entry('00003').paiement]).toEqual(['payee', null, 'payee']);
  });
});
