import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, colOf, HEADER, merge, noteOf, root, SCENARIO_BOOLEANS, tmpDir, writeWorkbook } from './helpers.js';
import {
  demande,
  emailOfLength,
  expectAccepted,
  expectIssue,
  expectMarkedCell,
  expectRejected,
  finess,
  ORANGE,
  pj,
  runBooks,
  type Run,
} from './rules-helpers.js';

/**
 * Every rule of the avance spec (DTJSONAVANCE-BIO-SGL-VA1), each with accepted and rejected cases, checked
 * on the real outputs of the CLI. Independent demandes share a workbook (one numeroEditeur each) and each
 * group runs the CLI once, with --date 20261124 (the day of deposit).
 */

const C = 'Commandes';
const F = 'FINESS';
const S = 'Scénarios';
const NOMS = ['nomMandataire', 'emailMandataire', 'telephoneMandataire'];
const BOOLEANS = SCENARIO_BOOLEANS;
const mandataire = { isClientUnique: 'NON', isMandataire: 'OUI' };
const deuxStructures = (num: string) => ({ extra: { FINESS: [finess(num)] } });

describe('file header (Fichier): numeroAns, SIRET; a faulty header blocks every demande', () => {
  let run: Run;
  const book = (name: string, header: Record<string, unknown>[], nums = ['00001']) => ({
    name,
    rows: merge({ Fichier: header as any }, ...nums.map((n) => demande(n))),
  });
  beforeAll(async () => {
    run = await runBooks([
      book('ans-court', [{ ...HEADER, numeroAns: 'ANS000009' }], ['00001', '00002']),
      book('ans-long', [{ ...HEADER, numeroAns: 'ANS00000010' }]),
      book('ans-ok', [{ ...HEADER, numeroAns: 'ANS0000011' }]),
      book('siret-cle', [{ numeroAns: 'ANS0000012', SIRET: '88412345600004' }]),
      book('siret-13', [{ numeroAns: 'ANS0000013', SIRET: '8841234560000' }]),
      book('siret-lettres', [{ numeroAns: 'ANS0000014', SIRET: '8841234560000A' }]),
      book('poste-siege', [{ numeroAns: 'ANS0000015', SIRET: '35600000000048' }]),
      book('poste-etab', [{ numeroAns: 'ANS0000016', SIRET: '35600000000010' }]),
      book('poste-faux', [{ numeroAns: 'ANS0000017', SIRET: '35600000000011' }]),
      book('deux-lignes', [HEADER, { numeroAns: 'ANS0000018', SIRET: '88412345600003' }]),
      book('siret-nombre', [{ numeroAns: 'ANS0000019', SIRET: 88412345600003 }]),
    ]);
  });

  it('numeroAns of exactly 10 characters is accepted and written', () => {
    expectAccepted(run, '00001', 'ans-ok');
    expect(run.line('00001', 'ANS0000011')).toBeDefined();
    expect(run.report.jsonFiles.map((f: any) => f.numeroAns)).toContain('ANS0000011');
  });

  it('numeroAns of 9 or 11 characters: error on the header cell, every demande blocked (ENTETE_BLOQUANTE), nothing written', async () => {
    const i = expectIssue(run, { code: 'LONGUEUR_EXACTE', sheet: 'Fichier', row: 2, field: 'numeroAns', demande: null, book: 'ans-court' });
    expect(i.message).toContain('exactement 10 caractères');
    expectIssue(run, { code: 'LONGUEUR_EXACTE', sheet: 'Fichier', row: 2, field: 'numeroAns', demande: null, book: 'ans-long' });
    // Reported once, on its cell, with the number of demandes it blocks; each demande refers to it.
    expect(i.affects).toBe(2);
    expect(run.issues.filter((x) => x.code === 'ENTETE_BLOQUANTE')).toEqual([]);
    for (const [b, num] of [['ans-court', '00001'], ['ans-court', '00002'], ['ans-long', '00001']] as const) expectRejected(run, num, ['ENTETE_BLOQUANTE'], b);
    expect(run.report.jsonFiles.map((f: any) => f.numeroAns)).not.toContain('ANS000009');
    await expectMarkedCell(run, i, undefined, 'ans-court');
    const ws = (await run.results('ans-court')).getWorksheet(C)!;
    expect(String(ws.getRow(3).getCell(colOf(ws, 'Problèmes [xlsx2segur]')).value)).toBe(
      `✗ [ENTETE_BLOQUANTE] Bloquée par l'erreur LONGUEUR_EXACTE de la feuille « Fichier », cellule ${run.letter('Fichier', 'numeroAns')}2 : voir cette cellule.`,
    );
    // No note on each demande's cell: the fault has its note on its own cell.
    expect(noteOf(ws.getRow(3).getCell(1))).toBe('');
  });

  it('SIRET: 14 digits with a valid Luhn key', () => {
    expectAccepted(run, '00001', 'ans-ok'); // 88412345600003
    expect(run.line('00001', 'ANS0000011')).toBeDefined();
    const j = JSON.parse(fs.readFileSync(path.join(run.out, run.report.jsonFiles.find((f: any) => f.numeroAns === 'ANS0000011').file), 'utf8'));
    expect(j.SIRET).toBe('88412345600003');
    expectIssue(run, { code: 'SIRET_INVALIDE', sheet: 'Fichier', row: 2, field: 'SIRET', demande: null, book: 'siret-cle' });
    expectRejected(run, '00001', ['ENTETE_BLOQUANTE'], 'siret-cle');
    for (const b of ['siret-13', 'siret-lettres']) {
      expectIssue(run, { code: 'FORMAT_INVALIDE', sheet: 'Fichier', row: 2, field: 'SIRET', demande: null, book: b, message: '14 chiffres' });
      expectRejected(run, '00001', ['ENTETE_BLOQUANTE'], b);
    }
  });

  it('SIRET of La Poste (SIREN 356000000): the head office (Luhn) and an establishment (sum of digits ÷ 5) are valid', () => {
    expectAccepted(run, '00001', 'poste-siege');
    expectAccepted(run, '00001', 'poste-etab');
    const sirets = run.report.jsonFiles
      .filter((f: any) => ['ANS0000015', 'ANS0000016'].includes(f.numeroAns))
      .map((f: any) => JSON.parse(fs.readFileSync(f.path, 'utf8')).SIRET);
    expect(sirets.sort()).toEqual(['35600000000010', '35600000000048']);
    expectIssue(run, { code: 'SIRET_INVALIDE', sheet: 'Fichier', row: 2, field: 'SIRET', demande: null, book: 'poste-faux' });
    expectRejected(run, '00001', ['ENTETE_BLOQUANTE'], 'poste-faux');
  });

  it('a SIRET typed as a number is read as its 14 digits', () => {
    expectAccepted(run, '00001', 'siret-nombre');
  });

  it('the header sheet has exactly one data row', () => {
    expectIssue(run, { code: 'ENTETE_LIGNES', sheet: 'Fichier', row: 3, demande: null, book: 'deux-lignes', message: 'exactement une ligne' });
    expectRejected(run, '00001', ['ENTETE_BLOQUANTE'], 'deux-lignes');
  });

  it('exit code 1 when demandes are rejected', () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
  });
});

describe('Commandes: dateCommande, regimeTVA, montantSegurHT', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runBooks([
      {
        name: 'commandes',
        rows: merge(
          { Fichier: [HEADER] },
          demande('00001'),
          demande('00002', { Commandes: { dateCommande: new Date(Date.UTC(2022, 0, 31)) } }),
          demande('00003', { Commandes: { dateCommande: '31/02/2022' } }),
          demande('00004', { Commandes: { dateCommande: 'hier' } }),
          demande('00005', { Commandes: { dateCommande: '25/11/2026' } }),
          demande('00006', { Commandes: { dateCommande: '24/11/2026' } }),
          demande('00007', { Commandes: { regimeTVA: 'HT' }, PJ: {} }, { extra: { PJ: [pj('00007', 'PREUVE_HT')] } }),
          demande('00008', { Commandes: { regimeTVA: 'HTX' } }),
          demande('00009', { Commandes: { montantSegurHT: '27 450,00' } }),
          demande('00010', { Commandes: { montantSegurHT: '27450,00 €' } }),
          demande('00011', { Commandes: { montantSegurHT: '27\u00a0450,00\u00a0€' } }),
          demande('00012', { Commandes: { montantSegurHT: '27\u202f450,5 €' } }),
          demande('00013', { Commandes: { montantSegurHT: 27450.5 } }),
          demande('00014', { Commandes: { montantSegurHT: 27450 } }),
          demande('00015', { Commandes: { montantSegurHT: '12,345' } }),
          demande('00016', { Commandes: { montantSegurHT: 12.345 } }),
          demande('00017', { Commandes: { montantSegurHT: 0 } }),
          demande('00018', { Commandes: { montantSegurHT: '-100,00' } }),
          demande('00019', { Commandes: { montantSegurHT: 'beaucoup' } }),
          demande('00020', { Commandes: { montantSegurHT: 0.01 } }),
          demande('00021', { Commandes: { dateCommande: null, regimeTVA: null, montantSegurHT: null } }),
          demande('00022', { Commandes: { regimeTVA: 'ttc' } }),
        ),
      },
    ]);
  });

  it('dateCommande: an Excel date or JJ/MM/AAAA text, written JJ/MM/AAAA', () => {
    expect(expectAccepted(run, '00001').commande.dateCommande).toBe('12/03/2022');
    expect(expectAccepted(run, '00002').commande.dateCommande).toBe('31/01/2022');
  });

  it('dateCommande: impossible dates and free text are rejected (DATE_INVALIDE)', async () => {
    const i = expectIssue(run, { code: 'DATE_INVALIDE', sheet: C, row: run.rowOf(C, '00003'), field: 'dateCommande', demande: '00003', message: '31/02/2022' });
    expectRejected(run, '00003', ['DATE_INVALIDE']);
    expectIssue(run, { code: 'DATE_INVALIDE', sheet: C, row: run.rowOf(C, '00004'), field: 'dateCommande', demande: '00004', message: 'hier' });
    expectRejected(run, '00004', ['DATE_INVALIDE']);
    expect(run.line('00003')).toBeUndefined();
    const cell = await expectMarkedCell(run, i);
    expect(cell.value).toBe('31/02/2022'); // the value is kept
  });

  it('dateCommande: not after the day of deposit (--date), the day itself is fine', () => {
    expectIssue(run, { code: 'DATE_FUTURE', sheet: C, row: run.rowOf(C, '00005'), field: 'dateCommande', demande: '00005', message: '24/11/2026' });
    expectRejected(run, '00005', ['DATE_FUTURE']);
    expect(expectAccepted(run, '00006').commande.dateCommande).toBe('24/11/2026');
  });

  it('regimeTVA: HT or TTC (any case)', () => {
    expect(expectAccepted(run, '00007').commande.regimeTVA).toBe('HT');
    expect(run.codesOf('00007', 'avertissement')).toEqual([]); // PREUVE_HT given
    expect(expectAccepted(run, '00001').commande.regimeTVA).toBe('TTC');
    expect(expectAccepted(run, '00022').commande.regimeTVA).toBe('TTC');
    expectIssue(run, { code: 'VALEUR_HORS_LISTE', sheet: C, row: run.rowOf(C, '00008'), field: 'regimeTVA', demande: '00008', message: 'HT, TTC' });
    expectRejected(run, '00008', ['VALEUR_HORS_LISTE']);
  });

  it('montantSegurHT: Excel numbers and French text accepted, written with two decimals in the file text', () => {
    for (const [num, text] of [
      ['00001', '15000.00'],
      ['00009', '27450.00'],
      ['00010', '27450.00'],
      ['00011', '27450.00'],
      ['00012', '27450.50'],
      ['00013', '27450.50'],
      ['00014', '27450.00'],
      ['00020', '0.01'],
    ]) {
      expectAccepted(run, num);
      expect(run.rawAmount(num), num).toBe(text);
    }
    expect(run.line('00009').commande.montantSegurHT).toBe(27450);
  });

  it('montantSegurHT: more than two decimals is never rounded but rejected; zero, negative and text rejected', () => {
    for (const num of ['00015', '00016']) {
      expectIssue(run, { code: 'MONTANT_DECIMALES', sheet: C, row: run.rowOf(C, num), field: 'montantSegurHT', demande: num, message: '12' });
      expectRejected(run, num, ['MONTANT_DECIMALES']);
    }
    for (const num of ['00017', '00018']) {
      expectIssue(run, { code: 'MONTANT_NON_POSITIF', sheet: C, row: run.rowOf(C, num), field: 'montantSegurHT', demande: num });
      expectRejected(run, num, ['MONTANT_NON_POSITIF']);
    }
    expectIssue(run, { code: 'MONTANT_INVALIDE', sheet: C, row: run.rowOf(C, '00019'), field: 'montantSegurHT', demande: '00019', message: 'beaucoup' });
    expectRejected(run, '00019', ['MONTANT_INVALIDE']);
  });

  it('dateCommande, regimeTVA and montantSegurHT are required', () => {
    for (const f of ['dateCommande', 'regimeTVA', 'montantSegurHT']) {
      expectIssue(run, { code: 'VALEUR_REQUISE', sheet: C, row: run.rowOf(C, '00021'), field: f, demande: '00021', message: `(${f}) est obligatoire` });
    }
    expectRejected(run, '00021', ['VALEUR_REQUISE', 'VALEUR_REQUISE', 'VALEUR_REQUISE']);
  });
});

describe('booleans and the mandataire', () => {
  let run: Run;
  const long = (n: number, c = 'A') => c.repeat(n);
  beforeAll(async () => {
    run = await runBooks([
      {
        name: 'mandataire',
        rows: merge(
          { Fichier: [HEADER] },
          demande('00020', {
            Commandes: { isMandataire: 'non', isClientUnique: 'Oui' },
            Scénarios: {
              isIdRef: 'non',
              isIdSlave: 'Non',
              isSendingFluxIntraSIH: 'FAUX',
              isProSanteConnectNeeded: 'vrai',
              isDirecToDMP: 'TRUE',
              isPFIToDMP: 'false',
              isDirectToMSSPro: '1',
              isPFIToMSSPro: 0,
              isDirectToMSSCitoyen: 1,
              isPFIToMSSCitoyen: true,
            },
          }),
          demande('00021', { Scénarios: { isProSanteConnectNeeded: 'peut-être' } }),
          demande('00022', { Scénarios: { isDirecToDMP: 'O', isPFIToDMP: 'yes', isDirectToMSSPro: 'N' } }),
          demande('00023', { Scénarios: { isDirectToMSSPro: 2 } }),
          demande('00024', { Commandes: { isClientUnique: 'X' } }),
          demande(
            '00030',
            { Commandes: { ...mandataire, nomMandataire: 'jean dupont', emailMandataire: 'jean.dupont@mandataire.fr', telephoneMandataire: '06 12 34 56 78' } },
            deuxStructures('00030'),
          ),
          demande('00031', { Commandes: mandataire }, deuxStructures('00031')),
          demande('00032', { Commandes: { isClientUnique: 'OUI', isMandataire: 'NON', nomMandataire: 'JEAN DUPONT' } }),
          demande(
            '00033',
            { Commandes: { isClientUnique: 'NON', isMandataire: 'NON', nomMandataire: 'JEAN DUPONT', emailMandataire: 'j@d.fr', telephoneMandataire: '06' } },
            deuxStructures('00033'),
          ),
          demande('00038', { Commandes: { isClientUnique: 'OUI', isMandataire: 'NON', nomMandataire: 'x'.repeat(60), emailMandataire: 'pas-un-courriel' } }),
          demande('00034', { Commandes: { isClientUnique: 'OUI', isMandataire: 'OUI' } }),
          demande(
            '00035',
            { Commandes: { ...mandataire, nomMandataire: 'JEAN DUPONT', emailMandataire: 'pas-un-courriel', telephoneMandataire: '06' } },
            deuxStructures('00035'),
          ),
          demande(
            '00036',
            { Commandes: { ...mandataire, nomMandataire: long(50), emailMandataire: emailOfLength(150), telephoneMandataire: long(50, '0') } },
            deuxStructures('00036'),
          ),
          demande(
            '00037',
            { Commandes: { ...mandataire, nomMandataire: long(49), emailMandataire: emailOfLength(149), telephoneMandataire: long(49, '0') } },
            deuxStructures('00037'),
          ),
        ),
      },
    ]);
  });

  it('OUI/NON, VRAI/FAUX, TRUE/FALSE, 1/0 in any case (text, number or Excel boolean) are read as booleans', () => {
    const l = expectAccepted(run, '00020');
    expect(l.beneficiaires.isMandataire).toBe(false);
    expect(l.beneficiaires.isClientUnique).toBe(true);
    expect(l.scenarioInstallation).toMatchObject({
      isIdRef: false,
      isIdSlave: false,
      isSendingFluxIntraSIH: false,
      isProSanteConnectNeeded: true,
      isDirecToDMP: true,
      isPFIToDMP: false,
      isDirectToMSSPro: true,
      isPFIToMSSPro: false,
      isDirectToMSSCitoyen: true,
      isPFIToMSSCitoyen: true,
    });
  });

  it('anything else is BOOLEEN_INVALIDE (including O, N, yes)', async () => {
    const i = expectIssue(run, { code: 'BOOLEEN_INVALIDE', sheet: S, row: run.rowOf(S, '00021'), field: 'isProSanteConnectNeeded', demande: '00021', message: 'peut-être' });
    expectRejected(run, '00021', ['BOOLEEN_INVALIDE']);
    await expectMarkedCell(run, i);
    for (const f of ['isDirecToDMP', 'isPFIToDMP', 'isDirectToMSSPro']) {
      expectIssue(run, { code: 'BOOLEEN_INVALIDE', sheet: S, row: run.rowOf(S, '00022'), field: f, demande: '00022' });
    }
    expectRejected(run, '00022', ['BOOLEEN_INVALIDE', 'BOOLEEN_INVALIDE', 'BOOLEEN_INVALIDE']);
    expectIssue(run, { code: 'BOOLEEN_INVALIDE', sheet: S, row: run.rowOf(S, '00023'), field: 'isDirectToMSSPro', demande: '00023' });
    expectRejected(run, '00023', ['BOOLEEN_INVALIDE']);
    expectIssue(run, { code: 'BOOLEEN_INVALIDE', sheet: C, row: run.rowOf(C, '00024'), field: 'isClientUnique', demande: '00024' });
    expectRejected(run, '00024', ['BOOLEEN_INVALIDE']);
  });

  it('mandataire fields are written when isClientUnique = NON and isMandataire = OUI (names upper-cased with a warning)', () => {
    const l = expectAccepted(run, '00030');
    expect(l.beneficiaires).toMatchObject({
      isMandataire: true,
      isClientUnique: false,
      nomMandataire: 'JEAN DUPONT',
      emailMandataire: 'jean.dupont@mandataire.fr',
      telephoneMandataire: '06 12 34 56 78',
    });
    expectIssue(run, { code: 'MAJUSCULES', severity: 'avertissement', sheet: C, row: run.rowOf(C, '00030'), field: 'nomMandataire', demande: '00030', message: '« JEAN DUPONT »' });
    expect(run.codesOf('00030', 'avertissement')).toEqual(['MAJUSCULES']);
  });

  it('… and required then (REQUIS_SI on each empty cell)', () => {
    for (const f of NOMS) {
      expectIssue(run, { code: 'REQUIS_SI', sheet: C, row: run.rowOf(C, '00031'), field: f, demande: '00031', message: 'isClientUnique = NON et isMandataire = OUI' });
    }
    expectRejected(run, '00031', ['REQUIS_SI', 'REQUIS_SI', 'REQUIS_SI']);
  });

  it('otherwise written null; a filled value is ignored with a VALEUR_IGNOREE warning', async () => {
    const l = expectAccepted(run, '00032');
    expect(l.beneficiaires).toMatchObject({ nomMandataire: null, emailMandataire: null, telephoneMandataire: null });
    const w = expectIssue(run, { code: 'VALEUR_IGNOREE', severity: 'avertissement', sheet: C, row: run.rowOf(C, '00032'), field: 'nomMandataire', demande: '00032' });
    await expectMarkedCell(run, w, ORANGE);
    const l2 = expectAccepted(run, '00033');
    expect(l2.beneficiaires).toMatchObject({ isClientUnique: false, isMandataire: false, nomMandataire: null, emailMandataire: null, telephoneMandataire: null });
    for (const f of NOMS) {
      expectIssue(run, { code: 'VALEUR_IGNOREE', severity: 'avertissement', sheet: C, row: run.rowOf(C, '00033'), field: f, demande: '00033' });
    }
    // An ignored value is not checked: malformed, it is still only ignored.
    const l3 = expectAccepted(run, '00038');
    expect(l3.beneficiaires).toMatchObject({ nomMandataire: null, emailMandataire: null, telephoneMandataire: null });
    for (const f of ['nomMandataire', 'emailMandataire']) {
      expectIssue(run, { code: 'VALEUR_IGNOREE', severity: 'avertissement', sheet: C, row: run.rowOf(C, '00038'), field: f, demande: '00038' });
    }
    expect(run.codesOf('00038', 'avertissement')).toEqual(['VALEUR_IGNOREE', 'VALEUR_IGNOREE']);
  });

  it('isMandataire = OUI with isClientUnique = OUI is COMBINAISON_INTERDITE (on both cells)', () => {
    for (const f of ['isMandataire', 'isClientUnique']) {
      expectIssue(run, { code: 'COMBINAISON_INTERDITE', sheet: C, row: run.rowOf(C, '00034'), field: f, demande: '00034', message: 'contradictoire' });
    }
    expectRejected(run, '00034', ['COMBINAISON_INTERDITE', 'COMBINAISON_INTERDITE']);
  });

  it('emailMandataire must be an e-mail; name, e-mail and phone lengths are < 50, < 150, < 50', () => {
    expectIssue(run, { code: 'EMAIL_INVALIDE', sheet: C, row: run.rowOf(C, '00035'), field: 'emailMandataire', demande: '00035', message: 'pas-un-courriel' });
    expectRejected(run, '00035', ['EMAIL_INVALIDE']);
    for (const [f, limit] of [['nomMandataire', 50], ['emailMandataire', 150], ['telephoneMandataire', 50]] as const) {
      expectIssue(run, { code: 'LONGUEUR_MAX', sheet: C, row: run.rowOf(C, '00036'), field: f, demande: '00036', message: `moins de ${limit} caractères` });
    }
    expectRejected(run, '00036', ['LONGUEUR_MAX', 'LONGUEUR_MAX', 'LONGUEUR_MAX']);
    const l = expectAccepted(run, '00037');
    expect(l.beneficiaires.nomMandataire).toHaveLength(49);
    expect(l.beneficiaires.emailMandataire).toHaveLength(149);
    expect(l.beneficiaires.telephoneMandataire).toHaveLength(49);
  });
});

describe('FINESS: EtablissementsClients', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runBooks([
      {
        name: 'finess',
        rows: merge(
          { Fichier: [HEADER] },
          demande('00040', { FINESS: { nomClient: 'labo du port' } }),
          demande('00041', { FINESS: { nomClient: null, emailClient: null, telephoneClient: null } }),
          demande('00042', { FINESS: { nomClient: 'A'.repeat(50) } }),
          demande('00043', { FINESS: { nomClient: 'A'.repeat(49), emailClient: emailOfLength(149), telephoneClient: '0'.repeat(49) } }),
          demande('00044', { FINESS: { emailClient: 'contact@' } }),
          demande('00045', { FINESS: { emailClient: emailOfLength(150), telephoneClient: '0'.repeat(50) } }),
          demande('00047', { FINESS: { numeroFINESSJuridique: '2A0000012', numeroFINESSGeos: '2B0000034' } }),
          demande('00048', { FINESS: { numeroFINESSJuridique: '13000001', numeroFINESSGeos: '13000A029' } }),
          demande('00049', { FINESS: { numeroFINESSGeos: '130000029;130000037; 130000045' } }),
          demande('00050', {}, { extra: { FINESS: [finess('00050', { numeroFINESSJuridique: '130000011', nomClient: 'LABO DU PORT', emailClient: 'contact@labo-port.fr', telephoneClient: '04 91 00 00 00', numeroFINESSGeos: '130000037' })] } }),
          demande('00051', {}, { extra: { FINESS: [{ ...demande('00051').FINESS[0] }] } }),
          demande('00052', {}, { extra: { FINESS: [finess('00052', { numeroFINESSJuridique: '130000011', nomClient: 'AUTRE NOM', emailClient: 'contact@labo-port.fr', telephoneClient: '04 91 00 00 00', numeroFINESSGeos: '130000037' })] } }),
          demande('00053', { Commandes: { isClientUnique: 'OUI', isMandataire: 'NON' } }, deuxStructures('00053')),
          demande('00054', { Commandes: { isClientUnique: 'NON', isMandataire: 'NON' } }),
          demande('00055', { Commandes: { isClientUnique: 'NON', isMandataire: 'NON' } }, deuxStructures('00055')),
          demande('00056', { FINESS: { numeroFINESSJuridique: 10000011, numeroFINESSGeos: 10000029 } }),
          demande('00057', { FINESS: { numeroFINESSJuridique: 130000011.5 } }),
          demande('00058', { FINESS: { numeroFINESSGeos: 2 ** 53 + 2 } }),
          demande('00059', { FINESS: { numeroFINESSGeos: '130000029 ; 130000029' } }),
          demande('00060', { FINESS: { numeroFINESSJuridique: 1300000 } }),
          demande('00061', { FINESS: { numeroFINESSGeos: null } }),
          demande('00062', { FINESS: { telephoneClient: 491000000 } }),
          demande('00063', { FINESS: { telephoneClient: 33491000000 } }),
          demande('00064', { FINESS: { numeroFINESSJuridique: '2a0000012', numeroFINESSGeos: '2b0000034; 2A0000042' } }),
        ),
      },
    ]);
  });

  it('one structure juridique: one EtablissementsClients with its géographiques', () => {
    const l = expectAccepted(run, '00047');
    expect(l.beneficiaires.EtablissementsClients).toEqual([
      { numeroFINESSJuridique: '2A0000012', nomClient: 'LABO DU PORT', emailClient: 'contact@labo-port.fr', telephoneClient: '04 91 00 00 00', numeroFINESSGeos: ['2B0000034'] },
    ]);
  });

  it('nomClient in lower case: MAJUSCULES warning, upper-cased in the JSON', async () => {
    const l = expectAccepted(run, '00040');
    expect(l.beneficiaires.EtablissementsClients[0].nomClient).toBe('LABO DU PORT');
    const w = expectIssue(run, { code: 'MAJUSCULES', severity: 'avertissement', sheet: F, row: run.rowOf(F, '00040'), field: 'nomClient', demande: '00040' });
    await expectMarkedCell(run, w, ORANGE);
  });

  it('nomClient, emailClient, telephoneClient (and the géographiques) are required', () => {
    for (const f of ['nomClient', 'emailClient', 'telephoneClient']) {
      expectIssue(run, { code: 'VALEUR_REQUISE', sheet: F, row: run.rowOf(F, '00041'), field: f, demande: '00041' });
    }
    expectRejected(run, '00041', ['VALEUR_REQUISE', 'VALEUR_REQUISE', 'VALEUR_REQUISE']);
    expectIssue(run, { code: 'VALEUR_REQUISE', sheet: F, row: run.rowOf(F, '00061'), field: 'numeroFINESSGeos', demande: '00061' });
    expectRejected(run, '00061', ['VALEUR_REQUISE']);
  });

  it('nomClient < 50, emailClient a valid e-mail < 150, telephoneClient < 50', () => {
    expectIssue(run, { code: 'LONGUEUR_MAX', sheet: F, row: run.rowOf(F, '00042'), field: 'nomClient', demande: '00042' });
    expectRejected(run, '00042', ['LONGUEUR_MAX']);
    const l = expectAccepted(run, '00043');
    expect(l.beneficiaires.EtablissementsClients[0].emailClient).toHaveLength(149);
    expectIssue(run, { code: 'EMAIL_INVALIDE', sheet: F, row: run.rowOf(F, '00044'), field: 'emailClient', demande: '00044' });
    expectRejected(run, '00044', ['EMAIL_INVALIDE']);
    expectIssue(run, { code: 'LONGUEUR_MAX', sheet: F, row: run.rowOf(F, '00045'), field: 'emailClient', demande: '00045', message: 'moins de 150' });
    expectIssue(run, { code: 'LONGUEUR_MAX', sheet: F, row: run.rowOf(F, '00045'), field: 'telephoneClient', demande: '00045', message: 'moins de 50' });
    expectRejected(run, '00045', ['LONGUEUR_MAX', 'LONGUEUR_MAX']);
  });

  it('FINESS numbers: 9 characters, digits or 2A/2B + 7 digits', () => {
    expectIssue(run, { code: 'FORMAT_INVALIDE', sheet: F, row: run.rowOf(F, '00048'), field: 'numeroFINESSJuridique', demande: '00048', message: '13000001' });
    expectIssue(run, { code: 'FORMAT_INVALIDE', sheet: F, row: run.rowOf(F, '00048'), field: 'numeroFINESSGeos', demande: '00048', message: '13000A029' });
    expectRejected(run, '00048', ['FORMAT_INVALIDE', 'FORMAT_INVALIDE']);
    // A 7-digit number is not a lost leading zero: refused, not padded.
    expectIssue(run, { code: 'FORMAT_INVALIDE', sheet: F, row: run.rowOf(F, '00060'), field: 'numeroFINESSJuridique', demande: '00060', message: '1300000' });
    expectRejected(run, '00060', ['FORMAT_INVALIDE']);
  });

  it('several géographiques in one cell separated by « ; »', () => {
    const l = expectAccepted(run, '00049');
    expect(l.beneficiaires.EtablissementsClients[0].numeroFINESSGeos).toEqual(['130000029', '130000037', '130000045']);
  });

  it('rows of one structure juridique are grouped into one EtablissementsClients', () => {
    const l = expectAccepted(run, '00050');
    expect(l.beneficiaires.EtablissementsClients).toHaveLength(1);
    expect(l.beneficiaires.EtablissementsClients[0]).toMatchObject({ numeroFINESSJuridique: '130000011', numeroFINESSGeos: ['130000029', '130000037'] });
  });

  it('a géographique appears once per demande (VALEUR_DOUBLON), across rows or in one cell', () => {
    expectIssue(run, { code: 'VALEUR_DOUBLON', sheet: F, row: run.rowOf(F, '00051', 1), field: 'numeroFINESSGeos', demande: '00051', message: '130000029' });
    expectRejected(run, '00051', ['VALEUR_DOUBLON']);
    expectIssue(run, { code: 'VALEUR_DOUBLON', sheet: F, row: run.rowOf(F, '00059'), field: 'numeroFINESSGeos', demande: '00059' });
    expectRejected(run, '00059', ['VALEUR_DOUBLON']);
  });

  it('the fields of one structure juridique are identical on its rows (GROUPE_INCOHERENT)', () => {
    expectIssue(run, { code: 'GROUPE_INCOHERENT', sheet: F, row: run.rowOf(F, '00052', 1), field: 'nomClient', demande: '00052', message: 'AUTRE NOM' });
    expectRejected(run, '00052', ['GROUPE_INCOHERENT']);
  });

  it('isClientUnique = OUI ⇒ exactly one structure juridique, NON ⇒ at least two (NOMBRE_GROUPES)', () => {
    expectIssue(run, { code: 'NOMBRE_GROUPES', sheet: C, row: run.rowOf(C, '00053'), field: 'isClientUnique', demande: '00053', message: 'exactement 1' });
    expectRejected(run, '00053', ['NOMBRE_GROUPES']);
    expectIssue(run, { code: 'NOMBRE_GROUPES', sheet: C, row: run.rowOf(C, '00054'), field: 'isClientUnique', demande: '00054', message: 'au moins 2' });
    expectRejected(run, '00054', ['NOMBRE_GROUPES']);
    const l = expectAccepted(run, '00055');
    expect(l.beneficiaires.EtablissementsClients.map((e: any) => e.numeroFINESSJuridique)).toEqual(['130000011', '690000017']);
    expect(l.beneficiaires.EtablissementsClients[1]).toEqual({
      numeroFINESSJuridique: '690000017',
      nomClient: 'LABO DE LA SAONE',
      emailClient: 'direction@labo-saone.fr',
      telephoneClient: '04 72 00 00 00',
      numeroFINESSGeos: ['690000025'],
    });
  });

  it('an 8-digit FINESS stored as a number gets its leading zero back (IDENTIFIANT_COMPLETE warning)', () => {
    const l = expectAccepted(run, '00056');
    expect(l.beneficiaires.EtablissementsClients[0]).toMatchObject({ numeroFINESSJuridique: '010000011', numeroFINESSGeos: ['010000029'] });
    for (const f of ['numeroFINESSJuridique', 'numeroFINESSGeos']) {
      expectIssue(run, { code: 'IDENTIFIANT_COMPLETE', severity: 'avertissement', sheet: F, row: run.rowOf(F, '00056'), field: f, demande: '00056', message: '« 0100000' });
    }
  });

  it('a phone number stored as a number gets its leading zero back (IDENTIFIANT_COMPLETE warning); other lengths are kept', () => {
    expect(expectAccepted(run, '00062').beneficiaires.EtablissementsClients[0].telephoneClient).toBe('0491000000');
    expectIssue(run, { code: 'IDENTIFIANT_COMPLETE', severity: 'avertissement', sheet: F, row: run.rowOf(F, '00062'), field: 'telephoneClient', demande: '00062', message: '« 0491000000 »' });
    expect(expectAccepted(run, '00063').beneficiaires.EtablissementsClients[0].telephoneClient).toBe('33491000000');
    expect(run.report.issues.filter((i: any) => i.demande === '00063')).toEqual([]);
  });

  it('a Corsican FINESS typed in lower case is upper-cased, with a MAJUSCULES warning', () => {
    expect(expectAccepted(run, '00064').beneficiaires.EtablissementsClients[0]).toMatchObject({ numeroFINESSJuridique: '2A0000012', numeroFINESSGeos: ['2B0000034', '2A0000042'] });
    expectIssue(run, { code: 'MAJUSCULES', severity: 'avertissement', sheet: F, row: run.rowOf(F, '00064'), field: 'numeroFINESSJuridique', demande: '00064', message: '« 2a0000012 » est écrit « 2A0000012 »' });
    expectIssue(run, { code: 'MAJUSCULES', severity: 'avertissement', sheet: F, row: run.rowOf(F, '00064'), field: 'numeroFINESSGeos', demande: '00064', message: '« 2b0000034 ; 2A0000042 » est écrit « 2B0000034 ; 2A0000042 »' });
  });

  it('a non-integer or too large number for an identifier is NOMBRE_IMPRECIS', () => {
    expectIssue(run, { code: 'NOMBRE_IMPRECIS', sheet: F, row: run.rowOf(F, '00057'), field: 'numeroFINESSJuridique', demande: '00057' });
    expectRejected(run, '00057', ['NOMBRE_IMPRECIS']);
    expectIssue(run, { code: 'NOMBRE_IMPRECIS', sheet: F, row: run.rowOf(F, '00058'), field: 'numeroFINESSGeos', demande: '00058' });
    expectRejected(run, '00058', ['NOMBRE_IMPRECIS']);
  });
});

describe('PJ: pièces justificatives', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runBooks([
      {
        name: 'pj',
        rows: merge(
          { Fichier: [HEADER] },
          demande('00060'),
          demande('00061', { Commandes: { regimeTVA: 'HT' }, PJ: { nomFichier: 'BIO-SGL-Va1-BDC-00061.pdf' } }, { extra: { PJ: [pj('00061', 'PREUVE_HT', 'PNG', 'BIO-SGL-Va1-HT-00061.png')] } }),
          demande('00062', { PJ: { nomFichier: 'bon-commande.pdf' } }),
          demande('00063', { PJ: { formatFichier: 'JPG', nomFichier: 'BIO-SGL-Va1-BDC-00063.pdf' } }),
          demande('00064', {}, { extra: { PJ: [pj('00064', 'FACTURE')] } }),
          demande('00065', { PJ: { formatFichier: 'GIF' } }),
          demande('00066', { PJ: { formatFichier: 'jpeg' } }),
          demande('00067', { PJ: { typeFichier: 'ATTESTATION_HONNEUR' } }),
          demande('00068', {}, { extra: { PJ: [pj('00068', 'BON_COMMANDE', 'PNG')] } }),
          demande('00069', {}, { extra: { PJ: [pj('00069', 'ATTESTATION_HONNEUR'), pj('00069', 'ATTESTATION_HONNEUR', 'JPG')] } }),
          demande('00070', { Commandes: { regimeTVA: 'HT' } }),
          demande('00071', {}, { extra: { PJ: [pj('00071', 'PREUVE_ACT_BIO')] } }),
          demande(
            '00072',
            { Commandes: { regimeTVA: 'HT' } },
            { extra: { PJ: [pj('00072', 'PREUVE_HT', 'JPG'), pj('00072', 'PREUVE_ACT_BIO', 'PNG'), pj('00072', 'ATTESTATION_HONNEUR')] } },
          ),
          demande('00073', { PJ: { typeFichier: null, formatFichier: null } }),
        ),
      },
    ]);
  });

  it('nomFichier left empty is generated from the naming rule', () => {
    const l = expectAccepted(run, '00060');
    expect(l.piecesJustificatives).toEqual([{ nomFichier: 'BIO-SGL-Va1-BDC-00060.pdf', formatFichier: 'PDF', typeFichier: 'BON_COMMANDE' }]);
    expect(expectAccepted(run, '00066').piecesJustificatives[0]).toEqual({ nomFichier: 'BIO-SGL-Va1-BDC-00066.jpg', formatFichier: 'JPG', typeFichier: 'BON_COMMANDE' });
  });

  it('a given nomFichier must follow BIO-SGL-Va1-<code>-<numeroEditeur>.<ext> (PJ_NOM_INCORRECT)', async () => {
    const l = expectAccepted(run, '00061');
    expect(l.piecesJustificatives.map((p: any) => p.nomFichier)).toEqual(['BIO-SGL-Va1-BDC-00061.pdf', 'BIO-SGL-Va1-HT-00061.png']);
    expect(run.codesOf('00061', 'avertissement')).toEqual([]);
    const i = expectIssue(run, { code: 'PJ_NOM_INCORRECT', sheet: 'PJ', row: run.rowOf('PJ', '00062'), field: 'nomFichier', demande: '00062', message: 'BIO-SGL-Va1-BDC-00062.pdf' });
    expectRejected(run, '00062', ['PJ_NOM_INCORRECT']);
    await expectMarkedCell(run, i);
    expectIssue(run, { code: 'PJ_NOM_INCORRECT', sheet: 'PJ', row: run.rowOf('PJ', '00063'), field: 'nomFichier', demande: '00063', message: 'BIO-SGL-Va1-BDC-00063.jpg' });
    expectRejected(run, '00063', ['PJ_NOM_INCORRECT']);
  });

  it('typeFichier has 4 values, formatFichier PDF/PNG/JPG; both required', () => {
    expectIssue(run, { code: 'VALEUR_HORS_LISTE', sheet: 'PJ', row: run.rowOf('PJ', '00064', 1), field: 'typeFichier', demande: '00064', message: 'BON_COMMANDE, PREUVE_HT, PREUVE_ACT_BIO, ATTESTATION_HONNEUR' });
    expectRejected(run, '00064', ['VALEUR_HORS_LISTE']);
    expectIssue(run, { code: 'VALEUR_HORS_LISTE', sheet: 'PJ', row: run.rowOf('PJ', '00065'), field: 'formatFichier', demande: '00065', message: 'PDF, PNG, JPG' });
    expectRejected(run, '00065', ['VALEUR_HORS_LISTE']);
    for (const f of ['typeFichier', 'formatFichier']) {
      expectIssue(run, { code: 'VALEUR_REQUISE', sheet: 'PJ', row: run.rowOf('PJ', '00073'), field: f, demande: '00073' });
    }
    expectRejected(run, '00073', ['VALEUR_REQUISE', 'VALEUR_REQUISE', 'PJ_TYPE_MANQUANT']);
  });

  it('exactly one BON_COMMANDE (PJ_TYPE_MANQUANT), at most one of each type (PJ_TYPE_EN_DOUBLE)', () => {
    expectIssue(run, { code: 'PJ_TYPE_MANQUANT', sheet: C, row: run.rowOf(C, '00067'), field: 'numeroEditeur', demande: '00067', message: 'BON_COMMANDE' });
    expectRejected(run, '00067', ['PJ_TYPE_MANQUANT']);
    for (const nth of [0, 1]) {
      expectIssue(run, { code: 'PJ_TYPE_EN_DOUBLE', sheet: 'PJ', row: run.rowOf('PJ', '00068', nth), field: 'typeFichier', demande: '00068', message: 'BON_COMMANDE' });
      expectIssue(run, { code: 'PJ_TYPE_EN_DOUBLE', sheet: 'PJ', row: run.rowOf('PJ', '00069', nth + 1), field: 'typeFichier', demande: '00069', message: 'ATTESTATION_HONNEUR' });
    }
    expectRejected(run, '00068', ['PJ_TYPE_EN_DOUBLE', 'PJ_TYPE_EN_DOUBLE']);
    expectRejected(run, '00069', ['PJ_TYPE_EN_DOUBLE', 'PJ_TYPE_EN_DOUBLE']);
  });

  it('advice (warnings only): regime HT without PREUVE_HT, PREUVE_ACT_BIO without ATTESTATION_HONNEUR', () => {
    expectAccepted(run, '00070');
    expectIssue(run, { code: 'PJ_CONSEIL', severity: 'avertissement', sheet: C, row: run.rowOf(C, '00070'), field: 'regimeTVA', demande: '00070', message: 'PREUVE_HT' });
    expectAccepted(run, '00071');
    expectIssue(run, { code: 'PJ_CONSEIL', severity: 'avertissement', sheet: 'PJ', row: run.rowOf('PJ', '00071', 1), field: 'typeFichier', demande: '00071', message: 'ATTESTATION_HONNEUR' });
    const l = expectAccepted(run, '00072');
    expect(run.codesOf('00072', 'avertissement')).toEqual([]);
    expect(l.piecesJustificatives).toEqual([
      { nomFichier: 'BIO-SGL-Va1-BDC-00072.pdf', formatFichier: 'PDF', typeFichier: 'BON_COMMANDE' },
      { nomFichier: 'BIO-SGL-Va1-HT-00072.jpg', formatFichier: 'JPG', typeFichier: 'PREUVE_HT' },
      { nomFichier: 'BIO-SGL-Va1-PAB-00072.png', formatFichier: 'PNG', typeFichier: 'PREUVE_ACT_BIO' },
      { nomFichier: 'BIO-SGL-Va1-AH-00072.pdf', formatFichier: 'PDF', typeFichier: 'ATTESTATION_HONNEUR' },
    ]);
  });
});

describe('Scénarios: answers, operateurMessagerie, referencing profiles', () => {
  let run: Run;
  const scenarios = () =>
    merge(
      demande('00080', { Scénarios: { operateurMessagerie: 'GIP_1 — GIP MIPIH' } }),
      demande('00081', { Scénarios: { operateurMessagerie: 'CH _20' } }),
      demande('00082', { Scénarios: { operateurMessagerie: 'HÔP_302' } }),
      demande('00083', { Scénarios: { operateurMessagerie: "CH _20 — CH REGIONAL D'ORLEANS" } }),
      demande('00084', { Scénarios: { operateurMessagerie: 'INCONNU_999' } }),
      demande('00085', { Scénarios: Object.fromEntries(BOOLEANS.map((b) => [b, null])) }),
      demande('00086', { Scénarios: { operateurMessagerie: null } }),
      demande('00087', { Scénarios: { isIdRef: 'OUI' } }),
      demande('00088', { Scénarios: { isIdSlave: 'OUI' } }),
      demande('00089', { Scénarios: { operateurMessagerie: 'MAI_15 — MAILIZ' } }),
      demande('00090', { Scénarios: { isSendingFluxIntraSIH: 'OUI' } }),
    );
  const profils = { profilReferentielIdentite: 'OUI', profilEsclaveIdentite: 'OUI', profilMailiz: 'OUI', profilEnvironnementHospitalier: 'OUI' };
  beforeAll(async () => {
    run = await runBooks([
      { name: 'sans-profils', rows: merge({ Fichier: [HEADER] }, scenarios()) },
      { name: 'profils', rows: merge({ Fichier: [{ numeroAns: 'ANS0000002', SIRET: HEADER.SIRET, ...profils }] }, scenarios()) },
    ]);
  });

  it('the operator list: dropdown text « CODE — libellé » writes the code; codes with a space or accent as is', () => {
    expect(expectAccepted(run, '00080').scenarioInstallation.operateurMessagerie).toBe('GIP_1');
    expect(expectAccepted(run, '00081').scenarioInstallation.operateurMessagerie).toBe('CH _20');
    expect(expectAccepted(run, '00082').scenarioInstallation.operateurMessagerie).toBe('HÔP_302');
    expect(expectAccepted(run, '00083').scenarioInstallation.operateurMessagerie).toBe('CH _20');
    expect(run.jsonText()).toContain('"operateurMessagerie": "HÔP_302"');
  });

  it('an unknown operator code is CODE_INCONNU', async () => {
    const i = expectIssue(run, { code: 'CODE_INCONNU', sheet: S, row: run.rowOf(S, '00084'), field: 'operateurMessagerie', demande: '00084', message: 'INCONNU_999' });
    expectRejected(run, '00084', ['CODE_INCONNU']);
    await expectMarkedCell(run, i);
  });

  it('all ten booleans and the operator are required (VALEUR_REQUISE)', () => {
    for (const f of BOOLEANS) expectIssue(run, { code: 'VALEUR_REQUISE', sheet: S, row: run.rowOf(S, '00085'), field: f, demande: '00085' });
    expectRejected(run, '00085', BOOLEANS.map(() => 'VALEUR_REQUISE'));
    expectIssue(run, { code: 'VALEUR_REQUISE', sheet: S, row: run.rowOf(S, '00086'), field: 'operateurMessagerie', demande: '00086' });
    expectRejected(run, '00086', ['VALEUR_REQUISE']);
  });

  it('an answer needing a referencing profile not declared in Fichier: PROFIL_NON_DECLARE warning, still accepted', () => {
    for (const [num, field, profile] of [
      ['00087', 'isIdRef', 'profilReferentielIdentite'],
      ['00088', 'isIdSlave', 'profilEsclaveIdentite'],
      ['00089', 'operateurMessagerie', 'profilMailiz'],
      ['00090', 'isSendingFluxIntraSIH', 'profilEnvironnementHospitalier'],
    ]) {
      expectAccepted(run, num, 'sans-profils');
      // Once, on the profile's cell of the Fichier sheet; each demande that needs it refers to it.
      const once = expectIssue(run, { code: 'PROFIL_NON_DECLARE', severity: 'avertissement', sheet: 'Fichier', row: 2, field: profile, demande: null, book: 'sans-profils', message: `1 demande répond ${field} =` });
      expect(once.affects).toBe(1);
      expect(run.codesOf(num, 'avertissement', 'sans-profils')).toEqual(['PROFIL_A_DECLARER']);
    }
    expect(run.issues.filter((x) => x.code === 'PROFIL_NON_DECLARE')).toHaveLength(4);
    expect(run.line('00087', 'ANS0000001').scenarioInstallation.isIdRef).toBe(true);
    expect(run.line('00089', 'ANS0000001').scenarioInstallation.operateurMessagerie).toBe('MAI_15');
  });

  it('… and no warning when the header declares the profiles', () => {
    for (const num of ['00087', '00088', '00089', '00090']) {
      expectAccepted(run, num, 'profils');
      expect(run.issuesOf(num, 'profils')).toEqual([]);
      expect(run.line(num, 'ANS0000002')).toBeDefined();
    }
  });
});

describe('numeroEditeur and the join of the sheets', () => {
  let run: Run;
  const base = demande('00100').Commandes[0];
  beforeAll(async () => {
    run = await runBooks([
      {
        name: 'jointure',
        rows: merge(
          { Fichier: [HEADER] },
          demande('00100'),
          { Commandes: [{ ...base }] },
          demande('1234'),
          {
            Commandes: [{ ...base, numeroEditeur: 1 }],
            FINESS: [{ ...demande('x').FINESS[0], numeroEditeur: 1 }],
            PJ: [{ ...demande('x').PJ[0], numeroEditeur: 1 }],
            Scénarios: [{ ...demande('x')['Scénarios'][0], numeroEditeur: 1 }],
          },
          { Commandes: [{ ...base, numeroEditeur: 102.5 }] },
          { FINESS: [finess('09999')], PJ: [pj('09998', 'BON_COMMANDE')], Scénarios: [{ ...demande('09997')['Scénarios'][0] }] },
          demande('00103', {}, { without: ['FINESS'] }),
          demande('00104', {}, { without: ['PJ'] }),
          demande('00105', {}, { without: ['Scénarios'] }),
          demande('00106', {}, { extra: { Scénarios: [{ ...demande('00106')['Scénarios'][0] }] } }),
          { Commandes: [{ ...base, numeroEditeur: null }], FINESS: [{ ...finess('x'), numeroEditeur: null }] },
          demande('00107'),
        ),
      },
    ]);
  });

  it('a valid numeroEditeur of 5 digits is written as text', () => {
    expect(expectAccepted(run, '00107').numeroEditeur).toBe('00107');
  });

  it('numeroEditeur used twice in Commandes: NUMERO_EDITEUR_DOUBLON on both rows, demande rejected', async () => {
    const rows = [run.rowOf(C, '00100', 0), run.rowOf(C, '00100', 1)];
    for (const row of rows) {
      const i = expectIssue(run, { code: 'NUMERO_EDITEUR_DOUBLON', sheet: C, row, field: 'numeroEditeur', demande: '00100', message: `lignes ${rows.join(', ')}` });
      if (row === rows[1]) await expectMarkedCell(run, i);
    }
    expectRejected(run, '00100', ['NUMERO_EDITEUR_DOUBLON', 'NUMERO_EDITEUR_DOUBLON']);
    expect(run.line('00100')).toBeUndefined();
  });

  it('numeroEditeur not of 5 digits: FORMAT_INVALIDE', () => {
    expectIssue(run, { code: 'FORMAT_INVALIDE', sheet: C, row: run.rowOf(C, '1234'), field: 'numeroEditeur', demande: '1234', message: '5 chiffres' });
    expect(run.status('1234')).toBe('rejetee');
    expect(run.codesOf('1234')).toContain('FORMAT_INVALIDE');
  });

  it('numeroEditeur stored as the number 1 is read "00001" with a warning, in every sheet', () => {
    const l = expectAccepted(run, '00001');
    expect(l.numeroEditeur).toBe('00001');
    expect(l.piecesJustificatives[0].nomFichier).toBe('BIO-SGL-Va1-BDC-00001.pdf');
    for (const sheet of [C, F, 'PJ', S]) {
      expectIssue(run, { code: 'IDENTIFIANT_COMPLETE', severity: 'avertissement', sheet, row: run.rowOf(sheet, 1), field: 'numeroEditeur', demande: '00001', message: '« 00001 »' });
    }
  });

  it('numeroEditeur stored as a non-integer number: NOMBRE_IMPRECIS', () => {
    expectIssue(run, { code: 'NOMBRE_IMPRECIS', sheet: C, row: run.rowOf(C, 102.5), field: 'numeroEditeur', demande: '102.5' });
    expect(run.status('102.5')).toBe('rejetee');
  });

  it('FINESS, PJ or Scénarios rows pointing to no order: LIGNE_ORPHELINE on their row', () => {
    for (const [sheet, num] of [[F, '09999'], ['PJ', '09998'], [S, '09997']]) {
      expectIssue(run, { code: 'LIGNE_ORPHELINE', sheet, row: run.rowOf(sheet, num), field: 'numeroEditeur', demande: null, message: num });
    }
  });

  it('each demande has ≥ 1 FINESS row, ≥ 1 PJ, exactly one Scénarios row', () => {
    for (const [num, sheet] of [['00103', 'FINESS'], ['00104', 'PJ'], ['00105', 'Scénarios']]) {
      expectIssue(run, { code: 'LIGNES_MANQUANTES', sheet: C, row: run.rowOf(C, num), field: 'numeroEditeur', demande: num, message: `feuille « ${sheet} »` });
    }
    expectRejected(run, '00103', ['LIGNES_MANQUANTES']);
    expectRejected(run, '00104', ['LIGNES_MANQUANTES', 'PJ_TYPE_MANQUANT']);
    expectRejected(run, '00105', ['LIGNES_MANQUANTES']);
    expectIssue(run, { code: 'LIGNES_EN_TROP', sheet: S, row: run.rowOf(S, '00106', 1), field: 'numeroEditeur', demande: '00106' });
    expectRejected(run, '00106', ['LIGNES_EN_TROP']);
  });

  it('a filled row without numeroEditeur is reported, not dropped silently', () => {
    expectIssue(run, { code: 'VALEUR_REQUISE', sheet: C, row: run.rowOf(C, null), field: 'numeroEditeur', demande: null });
    expectIssue(run, { code: 'VALEUR_REQUISE', sheet: F, row: run.rowOf(F, null), field: 'numeroEditeur', demande: null });
  });
});

describe('numeroEditeur unique across the workbooks of one numeroAns in the same run', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runBooks([
      { name: 'g1', rows: merge({ Fichier: [HEADER] }, demande('00200'), demande('00201')) },
      { name: 'g2', rows: merge({ Fichier: [HEADER] }, demande('00202'), demande('00200')) },
      { name: 'g3', rows: merge({ Fichier: [{ numeroAns: 'ANS0000003', SIRET: HEADER.SIRET }] }, demande('00201')) },
    ]);
  });

  it('the same numeroEditeur in two workbooks of one numeroAns: NUMERO_EDITEUR_DOUBLON in both', () => {
    expectIssue(run, { code: 'NUMERO_EDITEUR_DOUBLON', sheet: C, row: 2, field: 'numeroEditeur', demande: '00200', book: 'g1', message: 'g2.xlsx, ligne 3' });
    expectIssue(run, { code: 'NUMERO_EDITEUR_DOUBLON', sheet: C, row: 3, field: 'numeroEditeur', demande: '00200', book: 'g2', message: 'g1.xlsx, ligne 2' });
    expectRejected(run, '00200', ['NUMERO_EDITEUR_DOUBLON'], 'g1');
    expectRejected(run, '00200', ['NUMERO_EDITEUR_DOUBLON'], 'g2');
    expect(run.line('00200')).toBeUndefined();
  });

  it('… but another numeroAns may reuse it', () => {
    expectAccepted(run, '00201', 'g1');
    expectAccepted(run, '00201', 'g3');
    expectAccepted(run, '00202', 'g2');
    expect(run.line('00201', 'ANS0000001')).toBeDefined();
    expect(run.line('00201', 'ANS0000003')).toBeDefined();
  });
});

describe('an invalid mapping file is refused', () => {
  const dir = tmpDir('x2s-mapping-');
  let wb: string;
  const copy = (name: string, edit: (m: any) => void) => {
    const m = JSON.parse(fs.readFileSync(path.join(root, 'mappings/avance-bio-sgl.json'), 'utf8'));
    m.lists.operateurs.file = path.join(root, 'mappings/listes/operateurs-messagerie.json');
    edit(m);
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(m, null, 2));
    return file;
  };
  beforeAll(async () => {
    wb = await writeWorkbook(path.join(dir, 'in.xlsx'), merge({ Fichier: [HEADER] }, demande('00001')));
  });

  it('an unchanged copy works (control)', () => {
    const r = cli(['convert', wb, '-o', path.join(dir, 'ok'), '--date', '20261124', '--mapping', copy('copie.json', () => {})]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a column without "type": exit 2, French message naming the file and the fault', () => {
    const file = copy('sans-type.json', (m) => {
      delete m.sheets[1].columns.find((c: any) => c.field === 'regimeTVA').type;
    });
    const r = cli(['convert', wb, '-o', path.join(dir, 'o1'), '--date', '20261124', '--mapping', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Fichier de correspondance « ${file} » invalide`);
    expect(r.stderr).toMatch(/sheets\.1\.columns\.2\.type : Option invalide/);
    expect(fs.existsSync(path.join(dir, 'o1'))).toBe(false);
  });

  it('an unknown rule name: exit 2, French message naming the file and the rule', () => {
    const file = copy('regle-inconnue.json', (m) => m.rules.push({ rule: 'siret-bis', field: 'SIRET' }));
    const r = cli(['convert', wb, '-o', path.join(dir, 'o2'), '--date', '20261124', '--mapping', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Fichier de correspondance « ${file} » invalide`);
    expect(r.stderr).toContain('règle « siret-bis » inconnue');
  });
});

describe('named rules and their parameters', () => {
  it('every rule a mapping may name has its parameters checked at loading, and every checked name is a rule', async () => {
    const { namedRules } = await import('../src/rules/named.js');
    const { ruleParamSchemas } = await import('../src/mapping/rule-params.js');
    expect(Object.keys(ruleParamSchemas).sort()).toEqual(Object.keys(namedRules).sort());
    for (const [name, rule] of Object.entries(namedRules)) expect(rule.schema, name).toBe(ruleParamSchemas[name]);
  });
});
