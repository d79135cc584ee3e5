import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, jsonFiles, merge, readJson, readXlsx, root, tmpDir, writeWorkbook, exampleRows } from './helpers.js';

/** Writes one CSV per sheet, as French Excel's "CSV (séparateur: point-virgule)" does. */
function writeCsvFolder(dir: string, sheets: Record<string, string[][]>, opts: { encoding: 'win1252' | 'utf8-bom' | 'utf8'; delimiter: string }) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, rows] of Object.entries(sheets)) {
    const text = rows.map((r) => r.map((c) => (c.includes(opts.delimiter) || c.includes('"') ? `"${c.replace(/"/g, '""')}"` : c)).join(opts.delimiter)).join('\r\n') + '\r\n';
    const bytes = opts.encoding === 'win1252' ? iconv.encode(text, 'win1252') : Buffer.from((opts.encoding === 'utf8-bom' ? '\ufeff' : '') + text, 'utf8');
    fs.writeFileSync(path.join(dir, `${name}.csv`), bytes);
  }
}

const csvSheets = (amount: string, client = 'DURAND'): Record<string, string[][]> => ({
  Fichier: [['Numéro ANS (numeroAns)', 'SIRET'], ['ANS0000001', '88412345600003']],
  Commandes: [
    ['Numéro éditeur (numeroEditeur)', 'dateCommande', 'regimeTVA', 'Montant Ségur HT (€) (montantSegurHT)', 'isMandataire', 'isClientUnique', 'nomMandataire', 'emailMandataire', 'telephoneMandataire'],
    ['00001', '15/11/2021', 'HT', amount, 'OUI', 'NON', 'DURAND', 'm.durand@exemple.fr', '01 02 03 04 05'],
  ],
  FINESS: [
    ['numeroEditeur', 'numeroFINESSJuridique', 'nomClient', 'emailClient', 'telephoneClient', 'numeroFINESSGeos'],
    ['00001', '999999991', client, 'm.durand@exemple.fr', '01 02 03 04 05', '111111111;111111112'],
    ['00001', '999999992', client, 'm.durand@exemple.fr', '01 02 03 04 05', '222222222'],
  ],
  PJ: [
    ['numeroEditeur', 'typeFichier', 'formatFichier', 'nomFichier'],
    ['00001', 'BON_COMMANDE', 'PDF', 'BIO-SGL-Va1-BDC-00001.pdf'],
    ['00001', 'PREUVE_HT', 'PDF', ''],
  ],
  Scénarios: [
    ['numeroEditeur', 'isIdRef', 'isIdSlave', 'operateurMessagerie', 'isSendingFluxIntraSIH', 'isProSanteConnectNeeded', 'isDirecToDMP', 'isPFIToDMP', 'isDirectToMSSPro', 'isPFIToMSSPro', 'isDirectToMSSCitoyen', 'isPFIToMSSCitoyen'],
    ['00001', 'NON', 'OUI', 'ENO_5 — ENOVACOM', 'NON', 'NON', 'OUI', 'NON', 'OUI', 'NON', 'NON', 'NON'],
  ],
});

describe('CSV folders: one CSV per sheet', () => {
  it('French Excel export (Windows-1252, « ; », decimal comma, €) gives the same JSON as the workbook', async () => {
    const dir = tmpDir();
    writeCsvFolder(path.join(dir, 'export'), csvSheets('27 450,00 €'), { encoding: 'win1252', delimiter: ';' });
    // Windows-1252 really used: é is one byte, € is 0x80.
    expect(fs.readFileSync(path.join(dir, 'export', 'Commandes.csv')).includes(Buffer.from([0x80]))).toBe(true);
    const csvOut = path.join(dir, 'csv-out');
    const r = cli(['convert', path.join(dir, 'export'), '-o', csvOut, '--date', '20261124']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const xOut = path.join(dir, 'x-out');
    cli(['convert', 'samples/exemple-specification.xlsx', '-o', xOut, '--date', '20261124']);
    expect(fs.readFileSync(path.join(csvOut, jsonFiles(csvOut)[0]), 'utf8')).toBe(fs.readFileSync(path.join(xOut, jsonFiles(xOut)[0]), 'utf8'));
    // Its results workbook is an .xlsx built from the CSV sheets.
    const res = await readXlsx(path.join(csvOut, 'export.resultats.xlsx'));
    expect(res.worksheets.map((w) => w.name).sort()).toEqual(['Commandes', 'FINESS', 'Fichier', 'PJ', 'Scénarios', 'Synthèse']);
    expect(res.getWorksheet('Commandes')!.getRow(2).getCell(4).value).toBe('27 450,00 €');
  });

  it('UTF-8 with BOM and « , » delimiter, an error reported on its CSV cell', async () => {
    const dir = tmpDir();
    writeCsvFolder(path.join(dir, 'lot'), csvSheets('27450,001', 'durand é'), { encoding: 'utf8-bom', delimiter: ',' });
    const out = path.join(dir, 'out');
    const r = cli(['convert', path.join(dir, 'lot'), '-o', out, '--date', '20261124', '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.issues.find((i: any) => i.code === 'MONTANT_DECIMALES')).toMatchObject({ sheet: 'Commandes', row: 2, column: 'D' });
    const maj = rep.issues.find((i: any) => i.code === 'MAJUSCULES');
    expect(maj.message).toContain('« durand é » est écrit « DURAND É »');
  });

  it('a folder without one of its CSV files: exit 2, the missing file named', () => {
    const dir = tmpDir();
    const { PJ: _pj, ...sheets } = csvSheets('27 450,00 €');
    writeCsvFolder(path.join(dir, 'lot'), sheets, { encoding: 'utf8', delimiter: ';' });
    const r = cli(['convert', path.join(dir, 'lot'), '-o', path.join(dir, 'out'), '--date', '20261124']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${path.join(dir, 'lot')} : fichier « PJ.csv » absent du dossier (un fichier CSV par feuille).`);
  });
});

describe('inputs: files, folders (recursively) and glob patterns', () => {
  it('a folder tree with workbooks and a CSV folder; each input gets its own results workbook', async () => {
    const dir = tmpDir();
    const tree = path.join(dir, 'depots');
    await writeWorkbook(path.join(tree, 'a.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    await writeWorkbook(path.join(tree, 'sous', 'b.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00002')));
    writeCsvFolder(path.join(tree, 'sous', 'csv'), csvSheets('1000'), { encoding: 'utf8', delimiter: ';' });
    fs.writeFileSync(path.join(tree, '~$a.xlsx'), 'verrou Excel'); // Excel's lock file is ignored
    const out = path.join(dir, 'out');
    const r = cli(['convert', tree, '-o', out, '--date', '20261124', '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.workbooks.map((w: any) => path.relative(tree, w.file))).toEqual(['a.xlsx', path.join('sous', 'b.xlsx'), path.join('sous', 'csv')]);
    // numeroEditeur 00001 is used in a.xlsx and in the CSV folder (same numeroAns): an error on both rows.
    const dup = rep.issues.filter((i: any) => i.code === 'NUMERO_EDITEUR_DOUBLON');
    expect(dup.map((i: any) => path.basename(i.file)).sort()).toEqual(['a.xlsx', 'csv']);
    // One numbering per numeroAns and day across the run.
    expect(rep.jsonFiles.map((f: any) => f.file)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    expect(readJson(path.join(out, 'JSON-ANS0000001-20261124-001.json')).lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00002']);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.resultats.xlsx')).sort()).toEqual(['a.resultats.xlsx', 'b.resultats.xlsx', 'csv.resultats.xlsx']);
  });

  it('a glob pattern; workbooks sharing a numeroAns but not its SIRET are an error on both, never merged', async () => {
    const dir = tmpDir();
    await writeWorkbook(path.join(dir, 'in', 'x1.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00001')));
    await writeWorkbook(path.join(dir, 'in', 'x2.xlsx'), merge({ Fichier: [{ ...HEADER, SIRET: '44223344500000' }] }, demandeRows('00002')));
    await writeWorkbook(path.join(dir, 'in', 'autre.xlsx'), exampleRows());
    const out = path.join(dir, 'out');
    const r = cli(['convert', path.join(dir, 'in', 'x*.xlsx'), '-o', out, '--date', '20261124', '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.workbooks.map((w: any) => path.basename(w.file))).toEqual(['x1.xlsx', 'x2.xlsx']);
    const siret = rep.issues.find((i: any) => i.code === 'NUMERO_ANS_SIRET_DIFFERENTS');
    expect(siret).toMatchObject({ sheet: 'Fichier', row: 2, column: 'B' });
    // Neither is trusted: both workbooks are rejected, nothing is written.
    expect(rep.issues.filter((i: any) => i.code === 'NUMERO_ANS_SIRET_DIFFERENTS').map((i: any) => path.basename(i.file))).toEqual(['x1.xlsx', 'x2.xlsx']);
    expect(rep.demandes.map((d: any) => d.status)).toEqual(['rejetee', 'rejetee']);
    expect(jsonFiles(out)).toEqual([]);
  });
});

describe('bad input gets a clear answer, and the rest of the batch goes on', () => {
  it('not a workbook, an old .xls, a truncated file: exit 2, French message naming the file; the good one is converted', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'notes.xlsx'), 'ceci est un texte');
    fs.writeFileSync(path.join(dir, 'ancien.xls'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]));
    const good = fs.readFileSync(path.join(root, 'samples/exemple-specification.xlsx'));
    fs.writeFileSync(path.join(dir, 'tronque.xlsx'), good.subarray(0, Math.floor(good.length / 2)));
    const out = path.join(dir, 'out');
    const r = cli(['convert', path.join(dir, 'notes.xlsx'), path.join(dir, 'ancien.xls'), path.join(dir, 'tronque.xlsx'), 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${path.join(dir, 'notes.xlsx')} : ce fichier n'est pas un classeur .xlsx lisible.`);
    expect(r.stdout).toMatch(/ancien\.xls : ce fichier n'est pas un classeur \.xlsx \(ancien format \.xls, ou classeur protégé par mot de passe\)/);
    expect(r.stdout).toMatch(/tronque\.xlsx : classeur \.xlsx illisible ou endommagé/);
    expect(r.stdout).toContain('3 fichiers en échec');
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
  });
});
