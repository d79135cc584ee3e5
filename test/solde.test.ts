import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMapping, mappingPathFor } from '../src/mapping/load.js';
import type { RowData } from '../src/template/fill.js';
import { cli, colOf, demandeRows, HEADER, jsonFiles, merge, noteOf, readJson, readXlsx, root, tmpDir, writeWorkbook, type SheetRows } from './helpers.js';

/**
 * The solde (balance) demandes: their rules, kind detection, the checks against the journal of the avances,
 * the ASP's return files (retour), the payments (journal --payee/--refusee) and the pre-filled solde
 * workbook (solde --from). Every case runs the real command line and reads back what it wrote.
 */

const SOLDE = loadMapping(mappingPathFor('solde'));
const DATE = '20261124';
const JOURNAL = 'xlsx2segur-journal.json';

type Row = RowData;

const scen = (num: string | number, o: Row = {}): Row => ({ numeroEditeur: num, isDirectToDMP: 'NON', isDirectToMSSPro: 'NON', isDirectToMSSCitoyen: 'NON', ...o });
const fin = (num: string | number, ...geos: (string | number)[]): Row[] => geos.map((g) => ({ numeroEditeur: num, numeroFINESSGeo: g }));
const pj = (num: string | number, ...list: [string, string, string?][]): Row[] =>
  list.map(([typeFichier, formatFichier, nomFichier]) => ({ numeroEditeur: num, typeFichier, formatFichier, ...(nomFichier === undefined ? {} : { nomFichier }) }));

/** A valid solde demande (one FINESS, a FACTURE and a VA, all scenario answers NON); parts replaced by over. */
function soldeRows(
  num: string | number,
  asp: string | null,
  over: { Factures?: Row; FINESS?: Row[]; PJ?: Row[]; Scénarios?: Row[] } = {},
): SheetRows {
  return {
    Factures: [{ numeroEditeur: num, numeroASP: asp, dateFacture: '15/06/2022', montantSegurHTFacture: 15000, ...over.Factures }],
    FINESS: over.FINESS ?? fin(num, '130000029'),
    PJ: over.PJ ?? pj(num, ['FACTURE', 'PDF'], ['VA', 'PDF']),
    Scénarios: over['Scénarios'] ?? [scen(num)],
  };
}

function writeSolde(file: string, rows: SheetRows): Promise<string> {
  return writeWorkbook(file, rows, SOLDE);
}

interface ReportIssue {
  code: string;
  severity: 'erreur' | 'avertissement';
  message: string;
  sheet?: string;
  row?: number;
  column?: string;
  field?: string;
  demande: string | null;
}

const issuesOf = (rep: { issues: ReportIssue[] }, demande: string) => rep.issues.filter((i) => i.demande === demande);
const codesOf = (rep: { issues: ReportIssue[] }, demande: string) => issuesOf(rep, demande).map((i) => i.code).sort();
const statusOf = (rep: { demandes: { numeroEditeur: string; status: string }[] }, demande: string) => rep.demandes.filter((d) => d.numeroEditeur === demande).map((d) => d.status);
const lineOf = (file: string, num: string) => readJson(file).lignesImport.find((l: any) => l.numeroEditeur === num);

/** Every row of a sheet as its non-empty values joined by " | ". */
function sheetText(ws: ExcelJS.Worksheet): string {
  const text: string[] = [];
  ws.eachRow((row) => text.push((row.values as unknown[]).filter((v) => v !== undefined && v !== null && v !== '').join(' | ')));
  return text.join('\n');
}

describe('solde: the specification example', () => {
  it('samples/solde-exemple-specification.xlsx converts to the expected JSON, field by field', () => {
    const out = tmpDir();
    const r = cli(['convert', 'samples/solde-exemple-specification.xlsx', '-o', out, '--date', DATE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    const text = fs.readFileSync(path.join(out, 'JSON-ANS0000001-20261124-001.json'), 'utf8');
    const j = JSON.parse(text);
    expect(Object.keys(j)).toEqual(['impId', 'numeroAns', 'SIRET', 'lignesImport']);
    expect(j.impId).toBeNull();
    expect(j.numeroAns).toBe('ANS0000001');
    expect(j.SIRET).toBe('88412345600003');
    expect(j.lignesImport).toHaveLength(1);
    const l = j.lignesImport[0];
    expect(Object.keys(l)).toEqual([
      'numLigne',
      'typeAction',
      'numeroASP',
      'numeroEditeur',
      'facture',
      'beneficiaires',
      'piecesJustificatives',
      'lienCompteRendu',
      'scenarioInstallation',
      'codeTraitement',
      'libelleTraitement',
    ]);
    expect(l.numLigne).toBe(1);
    expect(l.typeAction).toBe('C');
    expect(l.numeroASP).toBe('FINBIO000006');
    expect(l.numeroEditeur).toBe('00001');
    expect(l.facture).toEqual({ dateFacture: '15/06/2022', montantSegurHTFacture: 27450 });
    expect(Object.keys(l.facture)).toEqual(['dateFacture', 'montantSegurHTFacture']);
    expect(l.beneficiaires).toEqual(['999999991', '999999992', '999999993']);
    expect(l.piecesJustificatives).toEqual([
      { nomFichier: 'BIO-SGL-Va1-FACTURE-00001.pdf', formatFichier: 'PDF', typeFichier: 'FACTURE' },
      { nomFichier: 'BIO-SGL-Va1-VA-00001.pdf', formatFichier: 'PDF', typeFichier: 'VA' },
    ]);
    for (const p of l.piecesJustificatives) expect(Object.keys(p)).toEqual(['nomFichier', 'formatFichier', 'typeFichier']);
    expect(l.lienCompteRendu).toBeNull();
    expect(l.scenarioInstallation).toEqual({
      isDirectToDMP: true,
      identDMP: ['STRUCT-IDNAT-0001'],
      isDirectToMSSPro: true,
      adresseBoiteMSSPro: 'sgl@labo-durand.mssante.fr',
      isDirectToMSSCitoyen: false,
      adresseBoiteMSSCitoyen: null,
    });
    expect(Object.keys(l.scenarioInstallation)).toEqual(['isDirectToDMP', 'identDMP', 'isDirectToMSSPro', 'adresseBoiteMSSPro', 'isDirectToMSSCitoyen', 'adresseBoiteMSSCitoyen']);
    expect(l.codeTraitement).toBeNull();
    expect(l.libelleTraitement).toBeNull();
    // The file text: two decimals, literal nulls, booleans, identifiers as strings.
    expect(text).toContain('"montantSegurHTFacture": 27450.00');
    expect(text).toContain('"lienCompteRendu": null');
    expect(text).toContain('"isDirectToDMP": true');
    expect(text).toContain('"numeroEditeur": "00001"');
    expect(text).not.toContain('"null"');
    expect(r.stdout).toContain('FINBIO000006');
  });
});

describe('solde: each rule, accepted and rejected', () => {
  const long = (n: number) => 'X'.repeat(n);
  const email = (n: number) => `${'a'.repeat(n - '@labo.fr'.length)}@labo.fr`;
  let out: string;
  let rep: any;
  let code: number;
  let file: string;
  let input: string;
  let inputBytes: Buffer;

  beforeAll(async () => {
    const dir = tmpDir();
    const rows = merge(
      { Fichier: [HEADER] },
      // 00001: valid; several FINESS (rows and « ; »), Corsican FINESS, XML and generated PJ names.
      soldeRows('00001', 'FINBIO000001', {
        Factures: { montantSegurHTFacture: 27450 },
        FINESS: [...fin('00001', '130000029;130000037'), ...fin('00001', '2A0000012')],
        PJ: pj('00001', ['FACTURE', 'PDF'], ['VA', 'XML']),
      }),
      // numeroASP
      soldeRows('00002', 'FINBIO12345'),
      soldeRows('00003', 'FINBIA000003'),
      soldeRows('00004', null),
      // numeroEditeur: not 5 digits; used twice; a number that lost its zeros (padded, warning).
      soldeRows('AB123', 'FINBIO000100'),
      soldeRows('00005', 'FINBIO000005'),
      { Factures: [{ numeroEditeur: '00005', numeroASP: 'FINBIO000105', dateFacture: '15/06/2022', montantSegurHTFacture: 100 }] },
      soldeRows(42, 'FINBIO000042'),
      // dateFacture
      soldeRows('00006', 'FINBIO000006', { Factures: { dateFacture: '31/02/2022' } }),
      soldeRows('00007', 'FINBIO000007', { Factures: { dateFacture: '15 juin 2022' } }),
      soldeRows('00008', 'FINBIO000008', { Factures: { dateFacture: new Date(Date.UTC(2022, 5, 15)) } }),
      soldeRows('00009', 'FINBIO000009', { Factures: { dateFacture: '25/11/2026' } }),
      soldeRows('00043', 'FINBIO000043', { Factures: { dateFacture: null } }),
      // montantSegurHTFacture
      soldeRows('00010', 'FINBIO000010', { Factures: { montantSegurHTFacture: 0 } }),
      soldeRows('00011', 'FINBIO000011', { Factures: { montantSegurHTFacture: -100 } }),
      soldeRows('00012', 'FINBIO000012', { Factures: { montantSegurHTFacture: '12,345' } }),
      soldeRows('00013', 'FINBIO000013', { Factures: { montantSegurHTFacture: '1 234,5 €' } }),
      soldeRows('00014', 'FINBIO000014', { Factures: { montantSegurHTFacture: 'mille euros' } }),
      // beneficiaires
      soldeRows('00015', 'FINBIO000015', { FINESS: [] }),
      soldeRows('00016', 'FINBIO000016', { FINESS: fin('00016', '12345678') }),
      soldeRows('00017', 'FINBIO000017', { FINESS: fin('00017', '130000029;130000029') }),
      soldeRows('00018', 'FINBIO000018', { FINESS: fin('00018', '130000029', '130000037', '130000029') }),
      // piecesJustificatives
      soldeRows('00019', 'FINBIO000019', { PJ: pj('00019', ['FACTURE', 'PDF'], ['BON_COMMANDE', 'PDF']) }),
      soldeRows('00020', 'FINBIO000020', { PJ: pj('00020', ['FACTURE', 'PDF']) }),
      soldeRows('00021', 'FINBIO000021', { PJ: pj('00021', ['FACTURE', 'PDF'], ['FACTURE', 'PNG'], ['VA', 'PDF']) }),
      soldeRows('00022', 'FINBIO000022', { PJ: pj('00022', ['FACTURE', 'GIF'], ['VA', 'PDF']) }),
      soldeRows('00023', 'FINBIO000023', { PJ: pj('00023', ['FACTURE', 'PDF', 'facture.pdf'], ['VA', 'PDF']) }),
      soldeRows('00024', 'FINBIO000024', { PJ: pj('00024', ['FACTURE', 'PNG', 'BIO-SGL-Va1-FACTURE-00024.png'], ['VA', 'JPEG']) }),
      soldeRows('00025', 'FINBIO000025', { PJ: pj('00025', ['FACTURE', 'PNG', 'BIO-SGL-Va1-FACTURE-00025.pdf'], ['VA', 'PDF', 'BIO-SGL-Va1-VA-00001.pdf']) }),
      soldeRows('00044', 'FINBIO000044', { PJ: [] }),
      // identDMP
      soldeRows('00026', 'FINBIO000026', { Scénarios: [scen('00026', { isDirectToDMP: 'OUI', identDMP: 'ID-A ; ID-B' })] }),
      soldeRows('00027', 'FINBIO000027', {
        Scénarios: [scen('00027', { isDirectToDMP: 'OUI', identDMP: 'ID-1' }), { numeroEditeur: '00027', identDMP: 'ID-2' }, { numeroEditeur: '00027', identDMP: 'ID-3' }],
      }),
      soldeRows('00028', 'FINBIO000028', { Scénarios: [scen('00028', { isDirectToDMP: 'OUI' })] }),
      soldeRows('00029', 'FINBIO000029', { Scénarios: [scen('00029', { identDMP: 'ID-X' }), { numeroEditeur: '00029', identDMP: 'ID-Y' }] }),
      soldeRows('00030', 'FINBIO000030', { Scénarios: [scen('00030', { isDirectToDMP: 'OUI', identDMP: `ID-1;${long(250)}` })] }),
      soldeRows('00031', 'FINBIO000031', { Scénarios: [scen('00031', { isDirectToDMP: 'OUI', identDMP: long(249) })] }),
      // MSS Pro and MSS Citoyen
      soldeRows('00032', 'FINBIO000032', { Scénarios: [scen('00032', { isDirectToMSSPro: 'OUI' })] }),
      soldeRows('00033', 'FINBIO000033', { Scénarios: [scen('00033', { isDirectToMSSPro: 'OUI', adresseBoiteMSSPro: 'pas-une-adresse' })] }),
      soldeRows('00034', 'FINBIO000034', { Scénarios: [scen('00034', { isDirectToMSSPro: 'OUI', adresseBoiteMSSPro: email(150) })] }),
      soldeRows('00035', 'FINBIO000035', { Scénarios: [scen('00035', { isDirectToMSSPro: 'OUI', adresseBoiteMSSPro: email(149), isDirectToMSSCitoyen: 'OUI', adresseBoiteMSSCitoyen: 'citoyen@labo.fr' })] }),
      soldeRows('00036', 'FINBIO000036', { Scénarios: [scen('00036', { adresseBoiteMSSCitoyen: 'citoyen@labo.fr', adresseBoiteMSSPro: 'pro@labo.fr' })] }),
      soldeRows('00037', 'FINBIO000037', { Scénarios: [scen('00037', { isDirectToMSSCitoyen: 'OUI' })] }),
      soldeRows('00045', 'FINBIO000045', { Scénarios: [scen('00045', { isDirectToMSSCitoyen: 'OUI', adresseBoiteMSSCitoyen: 'citoyen.labo.fr' })] }),
      // one solde per numeroASP in the batch
      soldeRows('00038', 'FINBIO000038'),
      soldeRows('00039', 'FINBIO000038'),
      // one scenario per demande: a second full row is refused
      soldeRows('00040', 'FINBIO000040', { Scénarios: [scen('00040'), scen('00040', { isDirectToDMP: 'OUI', identDMP: 'ID-9' })] }),
    );
    input = await writeSolde(path.join(dir, 'regles.xlsx'), rows);
    inputBytes = fs.readFileSync(input);
    out = path.join(dir, 'out');
    const r = cli(['convert', input, '-o', out, '--date', DATE, '--json']);
    expect(r.stderr).toBe('');
    code = r.code;
    rep = JSON.parse(r.stdout);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    file = path.join(out, 'JSON-ANS0000001-20261124-001.json');
  });

  const accepted = (num: string) => {
    expect(statusOf(rep, num)).toEqual(['exportee']);
    return lineOf(file, num);
  };
  const rejected = (num: string, ...expected: string[]) => {
    expect(statusOf(rep, num)).toEqual(['rejetee']);
    const errs = issuesOf(rep, num).filter((i) => i.severity === 'erreur');
    for (const c of expected) expect(errs.map((i) => i.code)).toContain(c);
    expect(lineOf(file, num)).toBeUndefined();
    return errs;
  };

  it('exit 1 (some rejected), the accepted ones are written, the input is untouched', () => {
    expect(code).toBe(1);
    expect(fs.readFileSync(input).equals(inputBytes)).toBe(true);
    const j = readJson(file);
    expect(j.lignesImport.map((l: any) => l.numLigne)).toEqual(j.lignesImport.map((_: unknown, i: number) => i + 1));
    expect(j.lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001', '00042', '00008', '00013', '00024', '00026', '00027', '00029', '00031', '00035', '00036']);
    for (const l of j.lignesImport) {
      expect(l.typeAction).toBe('C');
      expect(l.lienCompteRendu).toBeNull(); // always null (version of 07/04/2023)
      expect(l.codeTraitement).toBeNull();
      expect(l.libelleTraitement).toBeNull();
    }
  });

  it('a valid demande: beneficiaires from rows and « ; », PJ names generated, null scenario values', () => {
    const l = accepted('00001');
    expect(codesOf(rep, '00001')).toEqual([]);
    expect(l.numeroASP).toBe('FINBIO000001');
    expect(l.facture).toEqual({ dateFacture: '15/06/2022', montantSegurHTFacture: 27450 });
    expect(l.beneficiaires).toEqual(['130000029', '130000037', '2A0000012']);
    expect(l.piecesJustificatives).toEqual([
      { nomFichier: 'BIO-SGL-Va1-FACTURE-00001.pdf', formatFichier: 'PDF', typeFichier: 'FACTURE' },
      { nomFichier: 'BIO-SGL-Va1-VA-00001.xml', formatFichier: 'XML', typeFichier: 'VA' },
    ]);
    expect(l.scenarioInstallation).toEqual({
      isDirectToDMP: false,
      identDMP: null,
      isDirectToMSSPro: false,
      adresseBoiteMSSPro: null,
      isDirectToMSSCitoyen: false,
      adresseBoiteMSSCitoyen: null,
    });
  });

  it('numeroASP: FINBIO followed by 6 digits, required', () => {
    const e2 = rejected('00002', 'FORMAT_INVALIDE');
    expect(e2.find((i) => i.code === 'FORMAT_INVALIDE')).toMatchObject({ field: 'numeroASP', sheet: 'Factures', row: 3, column: 'B' });
    expect(e2[0].message).toContain('FINBIO suivi de 6 chiffres');
    rejected('00003', 'FORMAT_INVALIDE');
    const e4 = rejected('00004', 'VALEUR_REQUISE');
    expect(e4[0]).toMatchObject({ field: 'numeroASP', row: 5 });
  });

  it('numeroEditeur: 5 digits, unique; a number that lost its zeros is padded with a warning', () => {
    const e = rejected('AB123', 'FORMAT_INVALIDE');
    expect(e.some((i) => i.field === 'numeroEditeur' && i.sheet === 'Factures')).toBe(true);
    const dup = rep.issues.filter((i: ReportIssue) => i.code === 'NUMERO_EDITEUR_DOUBLON' && i.demande === '00005');
    expect(dup.map((i: ReportIssue) => i.row)).toEqual([7, 8]);
    expect(statusOf(rep, '00005')).toEqual(['rejetee']);
    const l = accepted('00042');
    expect(l.numeroEditeur).toBe('00042');
    expect(l.piecesJustificatives.map((p: any) => p.nomFichier)).toEqual(['BIO-SGL-Va1-FACTURE-00042.pdf', 'BIO-SGL-Va1-VA-00042.pdf']);
    expect(codesOf(rep, '00042').every((c) => c === 'IDENTIFIANT_COMPLETE')).toBe(true);
    expect(codesOf(rep, '00042')).toContain('IDENTIFIANT_COMPLETE');
  });

  it('dateFacture: a real date, written JJ/MM/AAAA, not after the deposit, required', () => {
    expect(rejected('00006', 'DATE_INVALIDE')[0]).toMatchObject({ field: 'dateFacture' });
    rejected('00007', 'DATE_INVALIDE');
    expect(accepted('00008').facture.dateFacture).toBe('15/06/2022'); // an Excel date
    rejected('00009', 'DATE_FUTURE');
    rejected('00043', 'VALEUR_REQUISE');
  });

  it('montantSegurHTFacture: > 0, two decimals at most, written with two decimals in the file text', () => {
    rejected('00010', 'MONTANT_NON_POSITIF');
    rejected('00011', 'MONTANT_NON_POSITIF');
    rejected('00012', 'MONTANT_DECIMALES');
    rejected('00014', 'MONTANT_INVALIDE');
    expect(accepted('00013').facture.montantSegurHTFacture).toBe(1234.5);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('"montantSegurHTFacture": 1234.50');
    expect(text).toContain('"montantSegurHTFacture": 27450.00');
    expect(text).toContain('"montantSegurHTFacture": 15000.00');
    expect(text).not.toMatch(/"montantSegurHTFacture": \d+(,|\n|\.\d(?!\d))/);
  });

  it('beneficiaires: at least one FINESS géographique of 9 characters, no duplicates', () => {
    expect(rejected('00015', 'LIGNES_MANQUANTES')[0].message).toContain('FINESS');
    expect(rejected('00016', 'FORMAT_INVALIDE')[0]).toMatchObject({ field: 'numeroFINESSGeo', sheet: 'FINESS' });
    expect(rejected('00017', 'VALEUR_DOUBLON')[0].message).toContain('130000029');
    const e18 = rejected('00018', 'VALEUR_DOUBLON');
    expect(e18).toHaveLength(1);
    expect(e18[0].message).toContain('130000029');
  });

  it('piecesJustificatives: FACTURE or VA, exactly one of each, formats PDF/PNG/JPG/XML, names by the nomenclature', () => {
    expect(rejected('00019', 'VALEUR_HORS_LISTE', 'PJ_TYPE_MANQUANT').find((i) => i.code === 'VALEUR_HORS_LISTE')).toMatchObject({ field: 'typeFichier', sheet: 'PJ' });
    expect(rejected('00020', 'PJ_TYPE_MANQUANT')[0].message).toContain('VA');
    const e21 = rejected('00021', 'PJ_TYPE_EN_DOUBLE');
    expect(e21.filter((i) => i.code === 'PJ_TYPE_EN_DOUBLE')).toHaveLength(2);
    expect(rejected('00022', 'VALEUR_HORS_LISTE')[0]).toMatchObject({ field: 'formatFichier' });
    expect(rejected('00023', 'PJ_NOM_INCORRECT')[0].message).toContain('BIO-SGL-Va1-FACTURE-00023.pdf');
    // A correct name given is kept; JPEG is read JPG; the name follows the format.
    expect(accepted('00024').piecesJustificatives).toEqual([
      { nomFichier: 'BIO-SGL-Va1-FACTURE-00024.png', formatFichier: 'PNG', typeFichier: 'FACTURE' },
      { nomFichier: 'BIO-SGL-Va1-VA-00024.jpg', formatFichier: 'JPG', typeFichier: 'VA' },
    ]);
    const e25 = rejected('00025', 'PJ_NOM_INCORRECT');
    expect(e25.map((i) => i.message).join('\n')).toContain('BIO-SGL-Va1-FACTURE-00025.png');
    expect(e25.map((i) => i.message).join('\n')).toContain('BIO-SGL-Va1-VA-00025.pdf');
    rejected('00044', 'LIGNES_MANQUANTES');
  });

  it('identDMP: required when isDirectToDMP, several by « ; » or one per further row, each < 250; null when false', () => {
    expect(accepted('00026').scenarioInstallation.identDMP).toEqual(['ID-A', 'ID-B']);
    const l27 = accepted('00027');
    expect(l27.scenarioInstallation.identDMP).toEqual(['ID-1', 'ID-2', 'ID-3']);
    expect(codesOf(rep, '00027')).toEqual([]);
    expect(rejected('00028', 'REQUIS_SI')[0]).toMatchObject({ field: 'identDMP', sheet: 'Scénarios' });
    // Filled while isDirectToDMP is NON: ignored, null written, a warning on each filled cell.
    const l29 = accepted('00029');
    expect(l29.scenarioInstallation).toMatchObject({ isDirectToDMP: false, identDMP: null });
    const w = issuesOf(rep, '00029');
    expect(w.map((i) => i.code)).toEqual(['VALEUR_IGNOREE', 'VALEUR_IGNOREE']);
    expect(w.every((i) => i.severity === 'avertissement')).toBe(true);
    expect(w[0].message).toContain('ID-X');
    expect(rejected('00030', 'LONGUEUR_MAX')[0]).toMatchObject({ field: 'identDMP' });
    expect(accepted('00031').scenarioInstallation.identDMP).toEqual(['X'.repeat(249)]);
  });

  it('MSS addresses: required (valid e-mail < 150) when their flag is true, null otherwise', () => {
    expect(rejected('00032', 'REQUIS_SI')[0]).toMatchObject({ field: 'adresseBoiteMSSPro' });
    expect(rejected('00033', 'EMAIL_INVALIDE')[0]).toMatchObject({ field: 'adresseBoiteMSSPro' });
    expect(rejected('00034', 'LONGUEUR_MAX')[0]).toMatchObject({ field: 'adresseBoiteMSSPro' });
    expect(accepted('00035').scenarioInstallation).toEqual({
      isDirectToDMP: false,
      identDMP: null,
      isDirectToMSSPro: true,
      adresseBoiteMSSPro: email(149),
      isDirectToMSSCitoyen: true,
      adresseBoiteMSSCitoyen: 'citoyen@labo.fr',
    });
    const l36 = accepted('00036');
    expect(l36.scenarioInstallation).toMatchObject({ adresseBoiteMSSPro: null, adresseBoiteMSSCitoyen: null });
    expect(issuesOf(rep, '00036').map((i) => `${i.code} ${i.field}`).sort()).toEqual(['VALEUR_IGNOREE adresseBoiteMSSCitoyen', 'VALEUR_IGNOREE adresseBoiteMSSPro']);
    expect(rejected('00037', 'REQUIS_SI')[0]).toMatchObject({ field: 'adresseBoiteMSSCitoyen' });
    expect(rejected('00045', 'EMAIL_INVALIDE')[0]).toMatchObject({ field: 'adresseBoiteMSSCitoyen' });
  });

  it('one solde demande per numeroASP in a batch (VALEUR_DOUBLON_LOT)', () => {
    for (const num of ['00038', '00039']) {
      const e = rejected(num, 'VALEUR_DOUBLON_LOT');
      expect(e[0]).toMatchObject({ field: 'numeroASP', sheet: 'Factures' });
      expect(e[0].message).toContain('FINBIO000038');
    }
  });

  it('one scenario row per demande (further rows may only carry identDMP)', () => {
    rejected('00040', 'LIGNES_EN_TROP');
  });

  it('the results workbook marks the faulty cells of a solde workbook', async () => {
    const res = await readXlsx(path.join(out, 'regles.resultats.xlsx'));
    const ws = res.getWorksheet('Factures')!;
    const cell = ws.getRow(3).getCell(colOf(ws, '(numeroASP)'));
    expect(cell.value).toBe('FINBIO12345');
    expect(noteOf(cell)).toContain('FINBIO suivi de 6 chiffres');
    expect(ws.getRow(3).getCell(colOf(ws, 'Statut [xlsx2segur]')).value).toBe('Rejetée : 1 erreur à corriger (voir Problèmes)');
    expect(ws.getRow(2).getCell(colOf(ws, 'Statut [xlsx2segur]')).value).toBe('Exportée : JSON-ANS0000001-20261124-001.json, ligne 1');
  });
});

describe('solde: kind detection', () => {
  let out: string;
  let r: ReturnType<typeof cli>;
  let rep: any;

  beforeAll(async () => {
    const dir = tmpDir();
    const inputs = path.join(dir, 'depot');
    // Same numeroAns and the same numeroEditeur in the avance and the solde (a solde keeps its avance's number).
    await writeWorkbook(path.join(inputs, 'a-avance.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002')));
    await writeSolde(path.join(inputs, 'b-solde.xlsx'), merge({ Fichier: [HEADER] }, soldeRows('00001', 'FINBIO000001'), soldeRows('00002', 'FINBIO000002')));
    // A second solde workbook: FINBIO000002 again (one solde per numeroASP, across workbooks too).
    await writeSolde(path.join(inputs, 'c-solde.xlsx'), merge({ Fichier: [HEADER] }, soldeRows('00003', 'FINBIO000002'), soldeRows('00004', 'FINBIO000004')));
    // A workbook whose kind cannot be told: sheets renamed, no template marker.
    const unknown = await writeSolde(path.join(inputs, 'd-inconnu.xlsx'), merge({ Fichier: [HEADER] }, soldeRows('00009', 'FINBIO000009')));
    const wb = await readXlsx(unknown);
    for (const ws of wb.worksheets) if (ws.name !== 'Fichier') ws.name = `${ws.name.slice(0, 3)}-bis`;
    wb.getWorksheet('Lis-bis')!.getCell('A1').value = null;
    wb.subject = '';
    wb.keywords = '';
    wb.title = '';
    await wb.xlsx.writeFile(unknown);
    out = path.join(dir, 'out');
    r = cli(['convert', inputs, '-o', out, '--date', DATE, '--json']);
    rep = JSON.parse(r.stdout);
  });

  it('a folder holding avance and solde workbooks converts both; the unknown one fails clearly, exit 2', () => {
    expect(r.code).toBe(2);
    expect(rep.workbooks.map((w: any) => [path.basename(w.file), w.kind])).toEqual([
      ['a-avance.xlsx', 'avance'],
      ['b-solde.xlsx', 'solde'],
      ['c-solde.xlsx', 'solde'],
    ]);
    expect(rep.failures).toHaveLength(1);
    expect(rep.failures[0].file).toContain('d-inconnu.xlsx');
    expect(rep.failures[0].message).toContain('type de classeur inconnu (ni avance ni solde)');
    expect(rep.failures[0].message).toContain('xlsx2segur template avance|solde');
    // The human summary says the same.
    const human = cli(['validate', path.join(path.dirname(out), 'depot'), '-o', path.join(path.dirname(out), 'v'), '--date', DATE]);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/✗ .*d-inconnu\.xlsx : type de classeur inconnu/);
    expect(fs.existsSync(path.join(out, 'd-inconnu.resultats.xlsx'))).toBe(false);
  });

  it('avance and solde demandes never share a JSON file (one NNN sequence for both)', () => {
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json', 'JSON-ANS0000001-20261124-002.json']);
    const av = readJson(path.join(out, 'JSON-ANS0000001-20261124-001.json'));
    const so = readJson(path.join(out, 'JSON-ANS0000001-20261124-002.json'));
    expect(av.lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001', '00002']);
    for (const l of av.lignesImport) {
      expect(l).toHaveProperty('commande');
      expect(l).not.toHaveProperty('facture');
    }
    expect(so.lignesImport.map((l: any) => [l.numeroEditeur, l.numeroASP])).toEqual([
      ['00001', 'FINBIO000001'],
      ['00004', 'FINBIO000004'],
    ]);
    for (const l of so.lignesImport) {
      expect(l).toHaveProperty('facture');
      expect(l).not.toHaveProperty('commande');
    }
    expect(rep.jsonFiles.map((f: any) => [f.file, f.kind])).toEqual([
      ['JSON-ANS0000001-20261124-001.json', 'avance'],
      ['JSON-ANS0000001-20261124-002.json', 'solde'],
    ]);
    expect(rep.jsonFiles[1].portalValues).toEqual(['FINBIO000001', 'FINBIO000004']);
  });

  it('one solde per numeroASP across two workbooks of one run (VALEUR_DOUBLON_LOT)', () => {
    const dups = rep.issues.filter((i: ReportIssue) => i.code === 'VALEUR_DOUBLON_LOT');
    expect(dups.map((i: ReportIssue) => [path.basename((i as any).file), i.demande, i.field]).sort()).toEqual([
      ['b-solde.xlsx', '00002', 'numeroASP'],
      ['c-solde.xlsx', '00003', 'numeroASP'],
    ]);
    expect(dups[0].message).toMatch(/c-solde\.xlsx|b-solde\.xlsx/);
  });

  it('the Synthèse of a solde results workbook gives, for each JSON file, the kind, numeroAns and FINBIO numbers', async () => {
    for (const name of ['b-solde', 'c-solde']) {
      const res = await readXlsx(path.join(out, `${name}.resultats.xlsx`));
      const all = sheetText(res.getWorksheet('Synthèse')!);
      expect(all).toContain('JSON-ANS0000001-20261124-002.json | solde | ANS0000001 | 2 | FINBIO000001, FINBIO000004');
      expect(all).not.toContain('-001.json');
    }
    const av = await readXlsx(path.join(out, 'a-avance.resultats.xlsx'));
    const text = sheetText(av.getWorksheet('Synthèse')!);
    expect(text).toContain('JSON-ANS0000001-20261124-001.json | avance | ANS0000001 | 2');
    expect(text).not.toContain('FINBIO');
  });
});

/**
 * The whole loop: avances converted, the ASP's return recorded, payments recorded, then soldes checked
 * against the journal, the solde workbook pre-filled and converted. Tests run in order on one folder.
 */
describe('solde against the journal: retour, journal --payee/--refusee, checks, solde --from', () => {
  let dir: string;
  let out: string;
  let avance: string;
  let avanceBytes: Buffer;
  const avanceFile = () => path.join(out, 'JSON-ANS0000001-20261124-001.json');
  const journal = () => readJson(path.join(out, JOURNAL));
  const entry = (num: string, kind = 'avance') => journal().entries.filter((e: any) => e.kind === kind && e.numeroEditeur === num).pop();
  const amounts: Record<string, number> = { '00001': 15000, '00002': 20000, '00003': 10000, '00004': 5000, '00005': 7000, '00006': 6000, '00007': 8000 };

  beforeAll(async () => {
    dir = tmpDir();
    out = path.join(dir, 'out');
    const rows = merge(
      { Fichier: [HEADER] },
      ...Object.entries(amounts).map(([num, montantSegurHT]) =>
        demandeRows(num, { Commandes: { montantSegurHT }, FINESS: { numeroFINESSGeos: num === '00001' ? '130000029;130000037' : '130000029' } }),
      ),
    );
    avance = await writeWorkbook(path.join(dir, 'avances.xlsx'), rows);
    avanceBytes = fs.readFileSync(avance);
    const r = cli(['convert', avance, '-o', out, '--date', DATE]);
    expect(r.code).toBe(0);
  });

  it('convert records each avance written in the journal', () => {
    const j = journal();
    expect(j.entries).toHaveLength(7);
    expect(entry('00001')).toMatchObject({ kind: 'avance', numeroAns: 'ANS0000001', numeroASP: null, file: 'JSON-ANS0000001-20261124-001.json', numLigne: 1, montant: '15000.00', finess: ['130000029', '130000037'], asp: null, paiement: null });
  });

  it('retour: acceptance in any case or accent, a numeroASP alone accepts an avance, rejection labels, impId', () => {
    const ret = readJson(avanceFile());
    ret.impId = 778;
    const answer: Record<string, [string | null, string | null, string | null]> = {
      '00001': ['FINBIO000101', '0', 'Demande acceptée'],
      '00002': ['FINBIO000102', '0', 'DEMANDE ACCEPTEE'],
      '00003': ['FINBIO000103', null, null],
      '00004': ['FINBIO000104', '0', 'demande  Acceptée'],
      '00005': ['FINBIO000105', '0', 'Demande acceptée'],
      '00006': ['FINBIO000106', '0', 'Demande acceptée'],
      '00007': [null, 'E12', 'Le numéro FINESS juridique est inconnu'],
    };
    for (const l of ret.lignesImport) [l.numeroASP, l.codeTraitement, l.libelleTraitement] = answer[l.numeroEditeur];
    const retFile = path.join(dir, 'retour-asp.json');
    fs.writeFileSync(retFile, JSON.stringify(ret, null, 2));
    const r = cli(['retour', retFile, '-o', out, '--workbook', avance]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Total : 6 lignes acceptées, 1 rejetée, 0 non rapprochée.');
    for (const n of ['00001', '00002', '00003', '00004', '00005', '00006']) {
      expect(entry(n).asp).toMatchObject({ statut: 'acceptee', impId: '778', fichierRetour: 'retour-asp.json' });
      expect(entry(n).numeroASP).toBe(answer[n][0]);
    }
    expect(entry('00002').asp.libelle).toBe('DEMANDE ACCEPTEE');
    expect(entry('00003').asp).toMatchObject({ statut: 'acceptee', libelle: null, codeTraitement: null });
    expect(entry('00007').asp).toMatchObject({ statut: 'rejetee', libelle: 'Le numéro FINESS juridique est inconnu', codeTraitement: 'E12', impId: '778' });
    expect(entry('00007').numeroASP).toBeNull();
  });

  it('retour --workbook writes a new workbook with each demande\'s ASP answer; the input is untouched', async () => {
    expect(fs.readFileSync(avance).equals(avanceBytes)).toBe(true);
    const file = path.join(out, 'avances.retour.xlsx');
    expect(fs.existsSync(file)).toBe(true);
    const wb = await readXlsx(file);
    const ws = wb.getWorksheet('Commandes')!;
    const st = colOf(ws, 'Statut [xlsx2segur]');
    const num = colOf(ws, 'Numéro ASP [xlsx2segur]');
    const rowOf = (n: string) => {
      let found = 0;
      ws.eachRow((row, i) => {
        if (String(row.getCell(colOf(ws, '(numeroEditeur)')).value) === n) found = i;
      });
      return ws.getRow(found);
    };
    expect(rowOf('00001').getCell(st).value).toMatch(/^Acceptée par l'ASP : dossier FINBIO000101 \(JSON-ANS0000001-\d{8}-001\.json, ligne 1, le /);
    expect(rowOf('00001').getCell(num).value).toBe('FINBIO000101');
    expect(rowOf('00003').getCell(num).value).toBe('FINBIO000103');
    expect(rowOf('00007').getCell(st).value).toMatch(/^Rejetée par l'ASP : « Le numéro FINESS juridique est inconnu » .*--renumber$/);
    expect(rowOf('00007').getCell(num).value ?? null).toBeNull();
    // Our own mark says what this copy is and where it comes from.
    const props = await JSZip.loadAsync(fs.readFileSync(file)).then((z) => z.file('docProps/custom.xml')!.async('string'));
    expect(props).toContain('<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="xlsx2segur-sortie"><vt:lpwstr>retour</vt:lpwstr></property>');
    expect(props).toContain(`name="xlsx2segur-source"><vt:lpwstr>${path.basename(avance)}</vt:lpwstr>`);
  });

  it('journal --payee takes numbers on the command line and from one-column files (txt, CSV); --refusee', () => {
    const txt = path.join(dir, 'payees.txt');
    fs.writeFileSync(txt, ' finbio000105\n\n');
    const csv = path.join(dir, 'payees.csv');
    fs.writeFileSync(csv, '\uFEFFnumeroASP;montant\r\n"FINBIO000106";6000\r\n');
    const r1 = cli(['journal', '-o', out, '--payee', 'FINBIO000101', 'FINBIO000104']);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('✓ FINBIO000101 (demande 00001) : avance payée');
    const r2 = cli(['journal', '-o', out, '--payee', txt, csv, '--refusee', 'FINBIO000103']);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('✓ FINBIO000106 (demande 00006) : avance payée');
    expect(r2.stdout).toContain('✓ FINBIO000103 (demande 00003) : avance refusée');
    expect(['00001', '00004', '00005', '00006'].map((n) => entry(n).paiement)).toEqual(['payee', 'payee', 'payee', 'payee']);
    expect(entry('00002').paiement).toBeNull();
    expect(entry('00003').paiement).toBe('refusee');
    // A number the journal does not know, a mistyped one: said, exit 1.
    const r3 = cli(['journal', '-o', out, '--payee', 'FINBIO000999', 'FINBIO00102']);
    expect(r3.code).toBe(1);
    expect(r3.stdout).toContain('FINBIO000999 : aucune avance acceptée');
    expect(r3.stdout).toContain('« FINBIO00102 » : ni un numéro de dossier ASP (FINBIO suivi de 6 chiffres), ni un fichier existant');
    // The listing shows the states.
    const list = cli(['journal', '-o', out, '--json']);
    const states = Object.fromEntries(JSON.parse(list.stdout).entries.map((e: any) => [e.numeroEditeur, e.etat]));
    expect(states).toEqual({ '00001': 'payee', '00002': 'acceptee', '00003': 'refusee', '00004': 'payee', '00005': 'payee', '00006': 'payee', '00007': 'rejetee' });
  });

  it('a solde is checked against its avance: number, numeroAns, amount, FINESS, payment', async () => {
    const ans1 = await writeSolde(
      path.join(dir, 'soldes-1.xlsx'),
      merge(
        { Fichier: [HEADER] },
        // paid, invoice equal to the order, one FINESS outside the avance
        soldeRows('00001', 'FINBIO000101', { FINESS: fin('00001', '130000029', '130000045') }),
        soldeRows('00002', 'FINBIO000102', { Factures: { montantSegurHTFacture: 20000 } }), // accepted, not paid
        soldeRows('00003', 'FINBIO000103', { Factures: { montantSegurHTFacture: 100 } }), // refused
        soldeRows('00009', 'FINBIO000104', { Factures: { montantSegurHTFacture: 100 } }), // the avance of 00004
        soldeRows('00006', 'FINBIO000106', { Factures: { montantSegurHTFacture: '6 000,01' } }), // above the order
        soldeRows('00008', 'FINBIO000999', { Factures: { montantSegurHTFacture: 100 } }), // not in the journal
      ),
    );
    const ans2 = await writeSolde(
      path.join(dir, 'soldes-2.xlsx'),
      merge({ Fichier: [{ ...HEADER, numeroAns: 'ANS0000002' }] }, soldeRows('00005', 'FINBIO000105', { Factures: { montantSegurHTFacture: 100 } })),
    );
    const before = fs.readFileSync(path.join(out, JOURNAL), 'utf8');
    const r = cli(['validate', ans1, ans2, '-o', out, '--date', DATE, '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    const only = (num: string) => issuesOf(rep, num).map((i) => `${i.severity} ${i.code}`);
    expect(only('00001')).toEqual(['avertissement SOLDE_FINESS_HORS_AVANCE']);
    expect(issuesOf(rep, '00001')[0]).toMatchObject({ sheet: 'FINESS', row: 3, field: 'numeroFINESSGeo' });
    expect(issuesOf(rep, '00001')[0].message).toContain('130000045');
    expect(statusOf(rep, '00001')).toEqual(['valide']);
    expect(only('00002')).toEqual(['avertissement SOLDE_AVANCE_NON_PAYEE']);
    expect(issuesOf(rep, '00002')[0].message).toContain('journal --payee FINBIO000102');
    expect(statusOf(rep, '00002')).toEqual(['valide']);
    expect(only('00003')).toEqual(['erreur SOLDE_AVANCE_REFUSEE']);
    expect(statusOf(rep, '00003')).toEqual(['rejetee']);
    expect(only('00009')).toEqual(['erreur SOLDE_AVANCE_AUTRE_NUMERO']);
    expect(issuesOf(rep, '00009')[0]).toMatchObject({ field: 'numeroASP', sheet: 'Factures' });
    expect(issuesOf(rep, '00009')[0].message).toContain('numéro éditeur 00004');
    expect(only('00006')).toEqual(['erreur SOLDE_MONTANT_SUPERIEUR']);
    expect(issuesOf(rep, '00006')[0]).toMatchObject({ field: 'montantSegurHTFacture' });
    expect(issuesOf(rep, '00006')[0].message).toMatch(/6 000,01.*6 000,00/);
    expect(only('00008')).toEqual(['avertissement SOLDE_AVANCE_INCONNUE']);
    expect(only('00005')).toEqual(['erreur SOLDE_AVANCE_AUTRE_ANS']);
    expect(issuesOf(rep, '00005')[0].message).toContain('ANS0000001');
    // validate writes nothing to the journal.
    expect(fs.readFileSync(path.join(out, JOURNAL), 'utf8')).toBe(before);
  });

  it('solde --from <outDir> pre-fills each paid avance; --non-payees adds the accepted unpaid ones, flagged', async () => {
    const target = path.join(dir, 'prepare', 'solde.xlsx');
    const r = cli(['solde', '--from', out, '-o', target]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("numéro ANS ANS0000001 : 4 avances payées, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n");
    expect(r.stdout).toContain("Pas de solde possible pour : 1 avance refusée par l'ASP.\n");
    const wb = await readXlsx(target);
    const f = wb.getWorksheet('Factures')!;
    const rows: string[][] = [];
    f.eachRow((row, i) => {
      if (i === 1) return;
      rows.push([
        row.getCell(colOf(f, '(numeroEditeur)')).value,
        row.getCell(colOf(f, '(numeroASP)')).value,
        row.getCell(colOf(f, 'Montant de la commande, rappel')).value,
        row.getCell(colOf(f, 'Avance [xlsx2segur]')).value,
      ].map((v) => String(v ?? '')));
    });
    expect(rows).toEqual([
      ['00001', 'FINBIO000101', '15 000,00 €', 'payée'],
      ['00004', 'FINBIO000104', '5 000,00 €', 'payée'],
      ['00005', 'FINBIO000105', '7 000,00 €', 'payée'],
      ['00006', 'FINBIO000106', '6 000,00 €', 'payée'],
    ]);
    const fi = wb.getWorksheet('FINESS')!;
    const finess: string[] = [];
    fi.eachRow((row, i) => i > 1 && finess.push(`${row.getCell(1).value} ${row.getCell(2).value}`));
    expect(finess).toEqual(['00001 130000029', '00001 130000037', '00004 130000029', '00005 130000029', '00006 130000029']);
    const h = wb.getWorksheet('Fichier')!;
    expect([h.getRow(2).getCell(1).value, h.getRow(2).getCell(2).value]).toEqual(['ANS0000001', '88412345600003']);

    // --non-payees: 00002 too, flagged; --from the journal file gives the same.
    const target2 = path.join(dir, 'prepare', 'solde-tous.xlsx');
    const r2 = cli(['solde', '--from', path.join(out, JOURNAL), '--non-payees', '-o', target2]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('numéro ANS ANS0000001 : 4 avances payées, 1 acceptée non payée (signalée).\n');
    const f2 = (await readXlsx(target2)).getWorksheet('Factures')!;
    expect(f2.getRow(3).getCell(colOf(f2, '(numeroEditeur)')).value).toBe('00002');
    expect(f2.getRow(3).getCell(colOf(f2, '(numeroASP)')).value).toBe('FINBIO000102');
    const flag = f2.getRow(3).getCell(colOf(f2, 'Avance [xlsx2segur]'));
    expect(flag.value).toBe('acceptée par l\'ASP : attendre le paiement avant de déposer');
    expect((flag.fill as any).fgColor.argb).toBe('FFFFEB9C');
    const r3 = cli(['solde', '--from', path.join(out, JOURNAL), '-o', path.join(dir, 'prepare', 'solde-journal.xlsx')]);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain("numéro ANS ANS0000001 : 4 avances payées, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n");
  });

  it('the pre-filled workbook, once completed, converts into the same folder; a solde exported is not prepared again', async () => {
    const file = path.join(dir, 'prepare', 'solde.xlsx');
    const wb = await readXlsx(file);
    const f = wb.getWorksheet('Factures')!;
    for (let i = 2; i <= 5; i++) {
      f.getRow(i).getCell(colOf(f, '(dateFacture)')).value = '15/06/2022';
      f.getRow(i).getCell(colOf(f, '(montantSegurHTFacture)')).value = i === 2 ? 15000 : 5000;
    }
    const s = wb.getWorksheet('Scénarios')!;
    for (let i = 2; i <= 5; i++) for (const fld of ['isDirectToDMP', 'isDirectToMSSPro', 'isDirectToMSSCitoyen']) s.getRow(i).getCell(colOf(s, `(${fld})`)).value = 'NON';
    const done = path.join(dir, 'prepare', 'solde-complet.xlsx');
    await wb.xlsx.writeFile(done);
    const r = cli(['convert', done, '-o', out, '--date', DATE, '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.issues.filter((i: ReportIssue) => i.severity === 'erreur')).toEqual([]);
    expect(r.code).toBe(0);
    expect(rep.jsonFiles.map((x: any) => [x.file, x.kind, x.portalValues])).toEqual([
      ['JSON-ANS0000001-20261124-002.json', 'solde', ['FINBIO000101', 'FINBIO000104', 'FINBIO000105', 'FINBIO000106']],
    ]);
    expect(entry('00001', 'solde')).toMatchObject({ numeroASP: 'FINBIO000101', montant: '15000.00', file: 'JSON-ANS0000001-20261124-002.json' });
    // Nothing left to prepare: every paid avance has its solde.
    const again = cli(['solde', '--from', out, '-o', path.join(dir, 'prepare', 'rien.xlsx')]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("Aucune avance payée à solder : 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n");
    // Validated again into the folder: each solde is shown as already exported, nothing to do (exit 0).
    const twice = cli(['validate', done, '-o', out, '--date', DATE, '--json']);
    expect(twice.code).toBe(0);
    expect(JSON.parse(twice.stdout).demandes.map((d: any) => d.status)).toEqual(['deja_exportee', 'deja_exportee', 'deja_exportee', 'deja_exportee']);
  });

  it('retour of a solde file: accepted by its label only (its numeroASP is the avance\'s); a rejected solde is prepared again under its number', async () => {
    const soldeFile = path.join(out, 'JSON-ANS0000001-20261124-002.json');
    const ret = readJson(soldeFile);
    ret.impId = 'IMP-SOLDE';
    const labels: Record<string, [string, string]> = {
      '00001': ['0', 'Demande acceptée'],
      '00004': ['E20', 'La facture est illisible'],
      '00005': ['0', 'DEMANDE ACCEPTÉE'],
      '00006': ['0', 'Demande acceptée'],
    };
    for (const l of ret.lignesImport) [l.codeTraitement, l.libelleTraitement] = labels[l.numeroEditeur];
    const ok = path.join(dir, 'retour-solde.json');
    fs.writeFileSync(ok, JSON.stringify(ret, null, 2));
    // Another return whose solde line does not match what was exported (other beneficiaires).
    const wrong = structuredClone(ret);
    wrong.lignesImport = [wrong.lignesImport[0]];
    wrong.lignesImport[0].beneficiaires = ['130000029', '130000099'];
    const bad = path.join(dir, 'retour-solde-faux.json');
    fs.writeFileSync(bad, JSON.stringify(wrong, null, 2));
    const done = path.join(dir, 'prepare', 'solde-complet.xlsx');
    const doneBytes = fs.readFileSync(done);
    const r = cli(['retour', bad, ok, '-o', out, '--workbook', done, '--json']);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.lines.map((l: any) => [l.file, l.numeroEditeur, l.kind, l.statut])).toEqual([
      ['retour-solde-faux.json', '00001', 'solde', 'non-rapprochee'],
      ['retour-solde.json', '00001', 'solde', 'acceptee'],
      ['retour-solde.json', '00004', 'solde', 'rejetee'],
      ['retour-solde.json', '00005', 'solde', 'acceptee'],
      ['retour-solde.json', '00006', 'solde', 'acceptee'],
    ]);
    expect(res.lines[0].message).toContain('FINESS 130000029, 130000099 au lieu de 130000029');
    expect(entry('00001', 'solde').asp).toMatchObject({ statut: 'acceptee', impId: 'IMP-SOLDE', fichierRetour: 'retour-solde.json' });
    expect(entry('00004', 'solde')).toMatchObject({ numeroASP: 'FINBIO000104', asp: { statut: 'rejetee', libelle: 'La facture est illisible', codeTraitement: 'E20' } });
    // The avances are untouched by a solde return.
    expect(entry('00004').asp.statut).toBe('acceptee');
    expect(entry('00004').paiement).toBe('payee');
    // The solde workbook's copy shows the answers.
    expect(fs.readFileSync(done).equals(doneBytes)).toBe(true);
    expect(res.workbook).toBe(path.join(out, 'solde-complet.retour.xlsx'));
    const ws = (await readXlsx(res.workbook)).getWorksheet('Factures')!;
    expect(ws.getRow(2).getCell(colOf(ws, 'Statut [xlsx2segur]')).value).toMatch(/^Acceptée par l'ASP : dossier FINBIO000101 /);
    expect(ws.getRow(3).getCell(colOf(ws, 'Statut [xlsx2segur]')).value).toMatch(/^Rejetée par l'ASP : « La facture est illisible » .* ; corrigez le solde puis convertissez-le à nouveau$/);
    expect(ws.getRow(3).getCell(colOf(ws, 'Numéro ASP [xlsx2segur]')).value).toBe('FINBIO000104');
    // The rejected solde is prepared again, and converts again under the same numeroEditeur.
    const again = path.join(dir, 'prepare', 'solde-bis.xlsx');
    const s = cli(['solde', '--from', out, '-o', again]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain("numéro ANS ANS0000001 : 1 avance payée, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n");
    const f = (await readXlsx(again)).getWorksheet('Factures')!;
    expect([f.getRow(2).getCell(colOf(f, '(numeroEditeur)')).value, f.getRow(2).getCell(colOf(f, '(numeroASP)')).value]).toEqual(['00004', 'FINBIO000104']);
    const v = JSON.parse(cli(['validate', done, '-o', path.join(dir, 'v'), '--date', DATE, '--json']).stdout);
    expect(v.issues.map((i: ReportIssue) => i.code)).toEqual([]); // another folder, another journal
    const w = JSON.parse(cli(['validate', done, '-o', out, '--date', DATE, '--json']).stdout);
    expect(w.demandes.map((d: any) => [d.numeroEditeur, d.status])).toEqual([
      ['00001', 'acceptee_asp'],
      ['00004', 'rejetee_asp'],
      ['00005', 'acceptee_asp'],
      ['00006', 'acceptee_asp'],
    ]);
    // Unchanged, the rejected solde would be rejected again: it is to be corrected first.
    expect(issuesOf(w, '00004')).toEqual([]);
    expect(w.demandes[1].statusLabel).toContain('corrigez le solde puis convertissez-le à nouveau');
  });
});

describe('retour: return files that do not match, unreadable files', () => {
  let dir: string;
  let out: string;
  let exported: any;

  beforeAll(async () => {
    dir = tmpDir();
    out = path.join(dir, 'out');
    const wb = await writeWorkbook(path.join(dir, 'av.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002'), demandeRows('00003')));
    expect(cli(['convert', wb, '-o', out, '--date', DATE]).code).toBe(0);
    exported = readJson(path.join(out, 'JSON-ANS0000001-20261124-001.json'));
  });

  const accept = (l: any, n: string) => Object.assign(l, { numeroASP: n, codeTraitement: '0', libelleTraitement: 'Demande acceptée' });

  it('lines that do not match what was exported are reported and not merged, exit 1', () => {
    const ret = structuredClone(exported);
    ret.impId = 'IMP-1';
    const [l1, l2, l3] = ret.lignesImport;
    accept(l1, 'FINBIO000201');
    l1.numeroEditeur = '00099'; // never exported
    accept(l2, 'FINBIO000202');
    l2.commande.montantSegurHT = 15000.01; // changed amount
    accept(l3, 'FINBIO000203');
    l3.beneficiaires.EtablissementsClients[0].numeroFINESSGeos = ['130000045']; // changed FINESS
    const file = path.join(dir, 'retour-faux.json');
    fs.writeFileSync(file, JSON.stringify(ret));
    const before = readJson(path.join(out, JOURNAL));
    const r = cli(['retour', file, '-o', out, '--json']);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.lines.map((l: any) => [l.numeroEditeur, l.statut])).toEqual([
      ['00099', 'non-rapprochee'],
      ['00002', 'non-rapprochee'],
      ['00003', 'non-rapprochee'],
    ]);
    expect(res.lines[0].message).toContain('jamais exportée');
    expect(res.lines[1].message).toContain('montant 15000.01 au lieu de 15000.00');
    expect(res.lines[2].message).toContain('FINESS 130000045 au lieu de 130000029');
    expect(readJson(path.join(out, JOURNAL))).toEqual(before);
    // The human summary says it too.
    const human = cli(['retour', file, '-o', out]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('0 ligne acceptée, 0 rejetée, 3 non rapprochées.');
    expect(human.stdout).toContain('ne correspond pas à ce qui a été exporté');
  });

  it('the deposited file itself (no answer on its lines) is not taken for rejections, exit 1', () => {
    const before = readJson(path.join(out, JOURNAL));
    const r = cli(['retour', path.join(out, 'JSON-ANS0000001-20261124-001.json'), '-o', out, '--json']);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.lines.map((l: any) => l.statut)).toEqual(['non-rapprochee', 'non-rapprochee', 'non-rapprochee']);
    expect(res.lines[0].message).toContain('aucune réponse de l\'ASP sur cette ligne');
    expect(readJson(path.join(out, JOURNAL))).toEqual(before);
  });

  it('a malformed file gets a clear error, exit 2; the other files are still recorded', () => {
    const bad = path.join(dir, 'casse.json');
    fs.writeFileSync(bad, '{ "impId": null, "numeroAns": "ANS0000001", "lignesImport": [ ');
    const notReturn = path.join(dir, 'autre.json');
    fs.writeFileSync(notReturn, JSON.stringify({ bonjour: 1 }));
    const good = structuredClone(exported);
    good.impId = 'IMP-2';
    accept(good.lignesImport[0], 'FINBIO000201');
    // An error label that mentions an accepted demande is still a rejection.
    good.lignesImport[1].libelleTraitement = 'Numéro éditeur déjà utilisé par une demande acceptée';
    good.lignesImport[1].codeTraitement = 'E03';
    good.lignesImport.pop();
    const goodFile = path.join(dir, 'retour.json');
    fs.writeFileSync(goodFile, JSON.stringify(good));
    const r = cli(['retour', bad, notReturn, goodFile, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✗ .*casse\.json : fichier de retour illisible ou JSON invalide/);
    expect(r.stdout).toMatch(/✗ .*autre\.json : ce n'est pas un fichier de retour de l'ASP/);
    expect(r.stdout).toContain('Total : 1 ligne acceptée, 1 rejetée, 0 non rapprochée, 2 fichiers en échec.');
    const entries = readJson(path.join(out, JOURNAL)).entries;
    expect(entries[0]).toMatchObject({ numeroASP: 'FINBIO000201', asp: { statut: 'acceptee', impId: 'IMP-2', fichierRetour: 'retour.json' } });
    expect(entries[1]).toMatchObject({ numeroASP: null, asp: { statut: 'rejetee', libelle: 'Numéro éditeur déjà utilisé par une demande acceptée', codeTraitement: 'E03' } });
    expect(entries[2].asp).toBeNull();
  });
});

describe('identDMP only on the further rows of a demande', () => {
  it('is accepted: the first Scénarios row leaves it empty, the next rows carry one identifier each', async () => {
    const solde = loadMapping(mappingPathFor('solde'));
    const dir = tmpDir();
    const wb = await writeWorkbook(
      path.join(dir, 's.xlsx'),
      {
        Fichier: [{ numeroAns: 'ANS0000001', SIRET: '88412345600003' }],
        Factures: [{ numeroEditeur: '00001', numeroASP: 'FINBIO000006', dateFacture: '15/06/2022', montantSegurHTFacture: 1000 }],
        FINESS: [{ numeroEditeur: '00001', numeroFINESSGeo: '999999991' }],
        PJ: [
          { numeroEditeur: '00001', typeFichier: 'FACTURE', formatFichier: 'PDF' },
          { numeroEditeur: '00001', typeFichier: 'VA', formatFichier: 'PDF' },
        ],
        Scénarios: [
          { numeroEditeur: '00001', isDirectToDMP: 'OUI', isDirectToMSSPro: 'NON', isDirectToMSSCitoyen: 'NON' },
          { numeroEditeur: '00001', identDMP: 'IDNAT-A' },
          { numeroEditeur: '00001', identDMP: 'IDNAT-B' },
        ],
      },
      solde,
    );
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124']);
    expect(r.stdout).toContain('1 demande lue : 1 exportée, 0 rejetée');
    expect(r.code).toBe(0);
    expect(readJson(path.join(out, jsonFiles(out)[0])).lignesImport[0].scenarioInstallation.identDMP).toEqual(['IDNAT-A', 'IDNAT-B']);
  });
});
