import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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
    // Its keys moved, its kind is still told by the keys only an avance has.
    expect(text.stdout.split('\n')[0]).toBe("Type détecté d'après les clés du modèle : avance (commande, dateCommande, regimeTVA…) ; --type avance|solde pour l'imposer.");
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

describe('modele: the kind of demande is told by the model when --type is not given', () => {
  // A JSON file written by convert from the solde sample is a correct solde model.
  let soldeModel: string;
  beforeAll(() => {
    const out = tmpDir();
    expect(cli(['convert', 'samples/solde-exemple-specification.xlsx', '-o', out, '--date', '20261124']).code).toBe(0);
    soldeModel = path.join(out, jsonFiles(out)[0]);
  });

  it('a solde model without --type: solde detected, said in one line, compared with the solde mapping, exit 0', () => {
    const r = cli(['modele', soldeModel]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe("Type détecté d'après les clés du modèle : solde (facture, dateFacture, montantSegurHTFacture…) ; --type avance|solde pour l'imposer.");
    expect(lines[1]).toContain(`a la même structure que la correspondance ${path.join(root, 'mappings/solde-bio-sgl.json')}`);
    expect(lines).toHaveLength(2);
    expect(r.code).toBe(0);
    const rep = JSON.parse(cli(['modele', soldeModel, '--json']).stdout);
    expect([rep.kind, rep.detectedKind, rep.identical, rep.hint]).toEqual(['solde', 'solde', true, null]);
  });

  it('a solde model with --type avance: the differences, then the type to try instead of editing the mapping, exit 1', () => {
    const r = cli(['modele', soldeModel, '--type', 'avance']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('Type détecté');
    expect(r.stdout).toContain('diffère de la correspondance');
    expect(r.stdout).toContain('(33 différences)');
    expect(r.stdout).toContain('Clé lignesImport[].facture présente dans le modèle, absente de la correspondance.');
    expect(r.stdout.trim().split('\n').pop()).toBe(
      `Ce modèle a des clés propres à la demande de solde (facture, dateFacture, montantSegurHTFacture…), la correspondance ${path.join(root, 'mappings/avance-bio-sgl.json')} est celle d'une demande d'avance : essayez --type solde (0 différence avec la correspondance de solde).`,
    );
    expect(r.stdout).not.toContain('Copiez la correspondance');
    const rep = JSON.parse(cli(['modele', soldeModel, '--type', 'avance', '--json']).stdout);
    expect([rep.kind, rep.detectedKind, rep.differences.length]).toEqual(['avance', 'solde', 33]);
    expect(rep.hint).toContain('essayez --type solde (0 différence');
  });

  it('the other way round, and with --mapping: the hint names the type to try', () => {
    const r = cli(['modele', path.join(fixtures, 'modele-avance-conforme.json'), '--type', 'solde']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("est celle d'une demande de solde : essayez --type avance (0 différence avec la correspondance d'avance).");
    const m = cli(['modele', soldeModel, '--mapping', path.join(root, 'mappings/avance-bio-sgl.json')]);
    expect(m.code).toBe(1);
    expect(m.stdout).toContain('essayez --type solde sans --mapping (0 différence avec la correspondance de solde).');
  });

  it('a model with no key of either kind (no line): said so, compared with the avance mapping', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'modele.json');
    fs.writeFileSync(file, JSON.stringify({ impId: null, numeroAns: '', SIRET: '', lignesImport: [] }));
    const r = cli(['modele', file]);
    expect(r.stdout.split('\n')[0]).toBe("Type non reconnu d'après les clés du modèle : comparaison avec la correspondance d'avance (--type solde pour un modèle de solde).");
    expect(r.stdout).toContain(`diffère de la correspondance ${path.join(root, 'mappings/avance-bio-sgl.json')}`);
    expect(r.stdout).toContain('Copiez la correspondance');
    expect(r.code).toBe(1);
  });
});
