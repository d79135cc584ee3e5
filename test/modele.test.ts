import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, jsonFiles, merge, readJson, root, tmpDir, writeWorkbook } from './helpers.js';

const fixtures = path.join(root, 'test/fixtures');

describe('modele: the portal model file against the mapping', () => {
  it('a model with the same structure: exit 0', () => {
    const r = cli(['modele', path.join(fixtures, 'modele-avance-conforme.json')]);
    expect(r.stdout).toContain('a la même structure');
    expect(r.code).toBe(0);
  });

  it('a JSON file written by convert has the structure of its mapping', () => {
    const out = tmpDir();
    cli(['convert', 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124']);
    const r = cli(['modele', path.join(out, jsonFiles(out)[0])]);
    expect(r.code).toBe(0);
  });

  it('a model that differs: each missing, extra and moved key, exit 1', () => {
    const r = cli(['modele', path.join(fixtures, 'modele-avance-different.json'), '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    const by = (kind: string) => rep.differences.filter((d: any) => d.kind === kind).map((d: any) => d.path);
    expect(by('manquante')).toEqual(['lignesImport[].dateDepot']);
    expect(by('en trop')).toEqual(['lignesImport[].scenarioInstallation', 'lignesImport[].scenarioInstallation.isPFIToMSSCitoyen']);
    expect(by('déplacée')).toContain('lignesImport[].isIdRef');
    expect(by('déplacée')).toHaveLength(10);
    const text = cli(['modele', path.join(fixtures, 'modele-avance-different.json')]);
    expect(text.stdout).toContain('Clé « isIdRef » : le modèle la place en lignesImport[].isIdRef, la correspondance en lignesImport[].scenarioInstallation.isIdRef.');
    expect(text.stdout).toContain('--mapping');
  });

  it('a vendor edits a copy of the mapping to follow the model: modele agrees and convert writes that structure', async () => {
    const dir = tmpDir();
    const mapping = readJson(path.join(root, 'mappings/avance-bio-sgl.json'));
    const lines = mapping.output.file.find((n: any) => n.lines).lines;
    const i = lines.findIndex((n: any) => n.key === 'scenarioInstallation');
    const scenario = lines[i].object.filter((n: any) => n.key !== 'isPFIToMSSCitoyen');
    lines.splice(i, 1, ...scenario);
    const t = lines.findIndex((n: any) => n.key === 'codeTraitement');
    lines.splice(t, 0, { key: 'dateDepot', literal: null });
    // Lists are found relative to the mapping file.
    mapping.lists.operateurs.file = path.join(root, 'mappings/listes/operateurs-messagerie.json');
    const copy = path.join(dir, 'ma-correspondance.json');
    fs.writeFileSync(copy, JSON.stringify(mapping, null, 2));
    expect(cli(['modele', path.join(fixtures, 'modele-avance-different.json'), '--mapping', copy]).code).toBe(0);
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124', '--mapping', copy]);
    expect(r.code).toBe(0);
    const line = readJson(path.join(out, jsonFiles(out)[0])).lignesImport[0];
    expect(Object.keys(line)).toEqual([
      'numLigne', 'typeAction', 'numeroASP', 'numeroEditeur', 'commande', 'beneficiaires', 'piecesJustificatives',
      'isIdRef', 'isIdSlave', 'operateurMessagerie', 'isSendingFluxIntraSIH', 'isProSanteConnectNeeded', 'isDirecToDMP',
      'isPFIToDMP', 'isDirectToMSSPro', 'isPFIToMSSPro', 'isDirectToMSSCitoyen', 'dateDepot', 'codeTraitement', 'libelleTraitement',
    ]);
    expect(line.operateurMessagerie).toBe('GIP_1');
  });

  it('an unreadable model file: exit 2 with a French message', () => {
    const dir = tmpDir();
    const bad = path.join(dir, 'modele.json');
    fs.writeFileSync(bad, '{ pas du json');
    const r = cli(['modele', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('JSON invalide');
  });
});
