import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, colOf, demandeRows, HEADER, jsonFiles, merge, noteOf, readJson, readXlsx, tmpDir, writeWorkbook } from './helpers.js';

/** The ASP's answer to a deposited file: the same JSON with the outcome of each line filled in. */
function aspReturn(file: string, target: string, outcome: (line: any) => { numeroASP?: string; code: string; label: string }) {
  const j = readJson(file);
  j.impId = 'IMP-' + path.basename(file);
  for (const l of j.lignesImport) {
    const o = outcome(l);
    if (o.numeroASP) l.numeroASP = o.numeroASP;
    l.codeTraitement = o.code;
    l.libelleTraitement = o.label;
  }
  fs.writeFileSync(target, JSON.stringify(j, null, 2));
}

function journal(out: string): any[] {
  return readJson(path.join(out, 'xlsx2segur-journal.json')).entries;
}

describe('the whole loop: avance → ASP answers → renumber → payment → solde → ASP answers → solde again', () => {
  it('carries every demande from its avance to its solde without retyping', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'depot');
    const avance = await writeWorkbook(
      path.join(dir, 'avances.xlsx'),
      merge(
        { Fichier: [HEADER] },
        demandeRows('00001', { Commandes: { montantSegurHT: 27450 }, FINESS: { numeroFINESSGeos: '130000029;130000037' } }),
        demandeRows('00002', { Commandes: { montantSegurHT: 12000.5 } }),
        demandeRows('00003', { Commandes: { montantSegurHT: 9000 } }),
      ),
    );

    // 1. Avance exported.
    let r = cli(['convert', avance, '-o', out, '--date', '20261124']);
    expect(r.code).toBe(0);
    const first = path.join(out, 'JSON-ANS0000001-20261124-001.json');
    expect(journal(out).map((e) => [e.kind, e.numeroEditeur, e.numLigne, e.montant])).toEqual([
      ['avance', '00001', 1, '27450.00'],
      ['avance', '00002', 2, '12000.50'],
      ['avance', '00003', 3, '9000.00'],
    ]);

    // 2. The ASP accepts 00001 and 00002, rejects 00003.
    const ret1 = path.join(dir, 'retour-avance.json');
    aspReturn(first, ret1, (l) =>
      l.numeroEditeur === '00003'
        ? { code: 'KO12', label: 'Le numéro FINESS géographique est inconnu' }
        : { numeroASP: l.numeroEditeur === '00001' ? 'FINBIO000006' : 'FINBIO000007', code: '0', label: 'Demande acceptée' },
    );
    r = cli(['retour', ret1, '-o', out, '--workbook', avance]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('demande 00003 rejetée : Le numéro FINESS géographique est inconnu');
    let entries = journal(out);
    expect(entries.map((e) => [e.numeroEditeur, e.numeroASP, e.asp.statut, e.asp.impId])).toEqual([
      ['00001', 'FINBIO000006', 'acceptee', 'IMP-JSON-ANS0000001-20261124-001.json'],
      ['00002', 'FINBIO000007', 'acceptee', 'IMP-JSON-ANS0000001-20261124-001.json'],
      ['00003', null, 'rejetee', 'IMP-JSON-ANS0000001-20261124-001.json'],
    ]);
    // The copy retour wrote and the living results workbook tell the same story, from the journal.
    for (const name of ['avances.retour.xlsx', 'avances.resultats.xlsx']) {
      const cmd = (await readXlsx(path.join(out, name))).getWorksheet('Commandes')!;
      const st = (row: number) => cmd.getRow(row).getCell(colOf(cmd, 'Statut [xlsx2segur]')).value;
      expect(st(2)).toBe("Acceptée par l'ASP : dossier FINBIO000006 (JSON-ANS0000001-20261124-001.json, ligne 1, le 24/11/2026)");
      expect(cmd.getRow(2).getCell(colOf(cmd, 'Numéro ASP [xlsx2segur]')).value).toBe('FINBIO000006');
      expect(st(4)).toBe(
        "Rejetée par l'ASP : « Le numéro FINESS géographique est inconnu » (JSON-ANS0000001-20261124-001.json, ligne 3, le 24/11/2026) ; une avance rejetée se resoumet sous un nouveau numéro éditeur : corrigez-la puis relancez convert avec --renumber",
      );
      expect((cmd.getRow(4).getCell(colOf(cmd, 'Statut [xlsx2segur]')).fill as any).fgColor.argb).toBe('FFFFC7CE');
    }

    // 3. Converting again: nothing is exported twice; the rejected avance needs a new number (exit 1).
    r = cli(['convert', avance, '-o', out, '--date', '20261125', '--json']);
    expect(r.code).toBe(1);
    let rep = JSON.parse(r.stdout);
    expect(rep.totals.jsonFiles).toBe(0);
    expect(rep.demandes.map((d: any) => [d.numeroEditeur, d.status, d.numeroASP])).toEqual([
      ['00001', 'acceptee_asp', 'FINBIO000006'],
      ['00002', 'acceptee_asp', 'FINBIO000007'],
      ['00003', 'rejetee_asp', null],
    ]);
    expect(rep.demandes[2]).toMatchObject({ needsAction: true, libelleASP: 'Le numéro FINESS géographique est inconnu' });
    expect(rep.issues).toEqual([]);

    // 4. --renumber: 00003 goes again as 00004, its PJ name follows; the results workbook says so.
    r = cli(['convert', avance, '-o', out, '--date', '20261125', '--renumber', '--json']);
    expect(r.code).toBe(0);
    rep = JSON.parse(r.stdout);
    expect(rep.jsonFiles.map((f: any) => f.file)).toEqual(['JSON-ANS0000001-20261125-001.json']);
    expect(rep.totals.statuses).toMatchObject({ exportee: 1, acceptee_asp: 2, rejetee: 0, rejetee_asp: 0 });
    const again = readJson(path.join(out, 'JSON-ANS0000001-20261125-001.json')).lignesImport;
    expect(again).toHaveLength(1);
    expect(again[0].numeroEditeur).toBe('00004');
    expect(again[0].piecesJustificatives[0].nomFichier).toBe('BIO-SGL-Va1-BDC-00004.pdf');
    expect(again[0].commande.montantSegurHT).toBe(9000);
    const res = await readXlsx(path.join(out, 'avances.resultats.xlsx'));
    const ws = res.getWorksheet('Commandes')!;
    expect(ws.getRow(4).getCell(1).value).toBe('00004');
    const syn: string[] = [];
    res.getWorksheet('Synthèse')!.eachRow((row) => syn.push((row.values as unknown[]).filter(Boolean).join(' | ')));
    expect(syn.join('\n')).toContain('00003 | 00004 | Commandes, ligne 4');
    expect(journal(out).at(-1)).toMatchObject({ numeroEditeur: '00004', renumberedFrom: '00003' });

    // The same --renumber again, on the original workbook: nothing new, 00003 is followed to 00004.
    r = cli(['convert', avance, '-o', out, '--date', '20261125', '--renumber', '--json']);
    expect(r.code).toBe(0);
    rep = JSON.parse(r.stdout);
    expect(rep.jsonFiles).toEqual([]);
    expect(rep.demandes[2]).toMatchObject({ numeroEditeur: '00004', renumberedFrom: '00003', status: 'deja_exportee', jsonFile: 'JSON-ANS0000001-20261125-001.json' });
    expect(journal(out)).toHaveLength(4);

    // 5. The ASP pays 00001 (FINBIO000006); 00002 is accepted but not paid yet.
    const paid = path.join(dir, 'payees.txt');
    fs.writeFileSync(paid, 'numeroASP\nFINBIO000006\n');
    r = cli(['journal', '-o', out, '--payee', paid]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Classeur de résultats mis à jour : ${path.join(out, 'avances.resultats.xlsx')} : 3 demandes lues :`);
    const living = (await readXlsx(path.join(out, 'avances.resultats.xlsx'))).getWorksheet('Commandes')!;
    expect([2, 3, 4].map((row) => living.getRow(row).getCell(colOf(living, 'Statut [xlsx2segur]')).value)).toEqual([
      'Payée : dossier FINBIO000006',
      "Acceptée par l'ASP : dossier FINBIO000007 (JSON-ANS0000001-20261124-001.json, ligne 2, le 24/11/2026)",
      "Déjà exportée : JSON-ANS0000001-20261125-001.json, ligne 1, le 25/11/2026 ; en attente de la réponse de l'ASP",
    ]);
    expect(living.getRow(4).getCell(1).value).toBe('00004');
    r = cli(['journal', '-o', out]);
    expect(r.stdout).toMatch(/00001 +FINBIO000006 .* payée/);
    expect(r.stdout).toMatch(/00002 +FINBIO000007 .* acceptée par l'ASP/);
    expect(r.stdout).toMatch(/00003 +- .* rejetée par l'ASP : Le numéro FINESS géographique est inconnu — resoumise sous le numéro 00004/);
    expect(r.stdout).toMatch(/00004 +- .* exportée, en attente de l'ASP \(ancien numéro 00003\)/);

    // 6. solde --from: a solde workbook pre-filled for the paid avance only.
    const soldeWb = path.join(dir, 'soldes.xlsx');
    r = cli(['solde', '--from', out, '-o', soldeWb]);
    expect(r.code).toBe(0);
    const pre = await readXlsx(soldeWb);
    const fac = pre.getWorksheet('Factures')!;
    expect(fac.getRow(2).getCell(colOf(fac, '(numeroEditeur)')).value).toBe('00001');
    expect(fac.getRow(2).getCell(colOf(fac, '(numeroASP)')).value).toBe('FINBIO000006');
    expect(fac.getRow(2).getCell(colOf(fac, 'Montant de la commande')).value).toBe('27 450,00 €');
    expect(fac.getRow(3).getCell(1).value ?? null).toBeNull();
    const fin = pre.getWorksheet('FINESS')!;
    expect([fin.getRow(2).getCell(2).value, fin.getRow(3).getCell(2).value]).toEqual(['130000029', '130000037']);
    // The scenario answers the avance gave, carried and marked to be checked.
    const scPre = pre.getWorksheet('Scénarios')!;
    const dmp = scPre.getRow(2).getCell(colOf(scPre, '(isDirectToDMP)'));
    expect(dmp.value).toBe('NON');
    expect(noteOf(dmp)).toContain("pré-rempli d'après la demande d'avance 00001 (fichier JSON-ANS0000001-20261124-001.json, ligne 1) : à vérifier.");

    // The same from the workbook retour wrote (its ASP numbers, the journal beside it for payments).
    const fromWb = path.join(dir, 'soldes-bis.xlsx');
    expect(cli(['solde', '--from', path.join(out, 'avances.retour.xlsx'), '-o', fromWb]).code).toBe(0);
    const bis = (await readXlsx(fromWb)).getWorksheet('Factures')!;
    expect([bis.getRow(2).getCell(1).value, bis.getRow(2).getCell(2).value, bis.getRow(3).getCell(1).value ?? null]).toEqual(['00001', 'FINBIO000006', null]);

    // 7. The vendor adds the invoice, the PJ formats and the scenario, then converts the solde.
    fac.getRow(2).getCell(colOf(fac, '(dateFacture)')).value = '20/10/2026';
    fac.getRow(2).getCell(colOf(fac, '(montantSegurHTFacture)')).value = '27 450,00';
    const sc = pre.getWorksheet('Scénarios')!;
    const put = (field: string, v: string) => (sc.getRow(2).getCell(colOf(sc, `(${field})`)).value = v);
    put('isDirectToDMP', 'OUI');
    put('identDMP', 'IDNAT-1;IDNAT-2');
    put('isDirectToMSSPro', 'NON');
    put('isDirectToMSSCitoyen', 'NON');
    await pre.xlsx.writeFile(soldeWb);
    r = cli(['convert', soldeWb, '-o', out, '--date', '20261126', '--json']);
    expect(r.code).toBe(0);
    rep = JSON.parse(r.stdout);
    expect(rep.jsonFiles).toMatchObject([{ file: 'JSON-ANS0000001-20261126-001.json', kind: 'solde', portalValues: ['FINBIO000006'] }]);

    // 8. The ASP rejects the solde line; it is fixed and exported again under the same numbers.
    const ret2 = path.join(dir, 'retour-solde.json');
    aspReturn(path.join(out, 'JSON-ANS0000001-20261126-001.json'), ret2, () => ({ code: 'KO7', label: "L'identifiant DMP est invalide" }));
    r = cli(['retour', ret2, '-o', out]);
    expect(r.code).toBe(0);
    const fixedWb = await readXlsx(soldeWb);
    const sc2 = fixedWb.getWorksheet('Scénarios')!;
    sc2.getRow(2).getCell(colOf(sc2, '(identDMP)')).value = 'IDNAT-1';
    await fixedWb.xlsx.writeFile(soldeWb);
    r = cli(['convert', soldeWb, '-o', out, '--date', '20261127']);
    expect(r.code).toBe(0);
    const solde = readJson(path.join(out, 'JSON-ANS0000001-20261127-001.json'));
    expect(solde).toEqual({
      impId: null,
      numeroAns: 'ANS0000001',
      SIRET: '88412345600003',
      lignesImport: [
        {
          numLigne: 1,
          typeAction: 'C',
          numeroASP: 'FINBIO000006',
          numeroEditeur: '00001',
          facture: { dateFacture: '20/10/2026', montantSegurHTFacture: 27450 },
          beneficiaires: ['130000029', '130000037'],
          piecesJustificatives: [
            { nomFichier: 'BIO-SGL-Va1-FACTURE-00001.pdf', formatFichier: 'PDF', typeFichier: 'FACTURE' },
            { nomFichier: 'BIO-SGL-Va1-VA-00001.pdf', formatFichier: 'PDF', typeFichier: 'VA' },
          ],
          lienCompteRendu: null,
          scenarioInstallation: {
            isDirectToDMP: true,
            identDMP: ['IDNAT-1'],
            isDirectToMSSPro: false,
            adresseBoiteMSSPro: null,
            isDirectToMSSCitoyen: false,
            adresseBoiteMSSCitoyen: null,
          },
          codeTraitement: null,
          libelleTraitement: null,
        },
      ],
    });
    expect(fs.readFileSync(path.join(out, 'JSON-ANS0000001-20261127-001.json'), 'utf8')).toContain('"montantSegurHTFacture": 27450.00');
    entries = journal(out);
    expect(entries.filter((e) => e.kind === 'solde').map((e) => [e.numeroEditeur, e.numeroASP, e.file, e.asp?.statut ?? null])).toEqual([
      ['00001', 'FINBIO000006', 'JSON-ANS0000001-20261126-001.json', 'rejetee'],
      ['00001', 'FINBIO000006', 'JSON-ANS0000001-20261127-001.json', null],
    ]);
    expect(jsonFiles(out)).toHaveLength(4);
  });
});
