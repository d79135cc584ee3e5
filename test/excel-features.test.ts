import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { cli, jsonFiles, readJson, root, tmpDir } from './helpers.js';
import { workbookBytes } from '../src/util/xlsx-write.js';

/** Reference: the spec's example sample, converted as is. */
function reference(): any {
  const out = tmpDir();
  cli(['convert', path.join(root, 'samples/exemple-specification.xlsx'), '-o', out, '--date', '20261124']);
  return readJson(path.join(out, jsonFiles(out)[0]));
}

/** A workbook as Excel users really make them: the same data as the sample, typed every other way. */
async function excelStyleWorkbook(file: string, date1904: boolean) {
  const wb = new ExcelJS.Workbook();
  (wb as any).properties.date1904 = date1904;
  const fichier = wb.addWorksheet('Fichier');
  fichier.addRow(['SIRET du fournisseur (SIRET)', 'numeroAns', 'Une colonne à moi']);
  fichier.addRow([{ formula: '"884123456"&"00003"', result: '88412345600003' }, '\u00a0ANS0000001 ', 'notes']);
  const cmd = wb.addWorksheet('commandes'); // case differs from the template
  cmd.addRow(['Commentaire', 'Montant (montantSegurHT)', 'N° (numeroEditeur)', 'Quand ? (dateCommande)', 'TVA (regimeTVA)', 'isMandataire', 'isClientUnique', 'nomMandataire', 'emailMandataire', 'telephoneMandataire']);
  cmd.addRow([]); // empty rows between data
  cmd.addRow(['vu', { formula: '9150*3', result: 27450 }, '00001', new Date(Date.UTC(2021, 10, 15)), 'ht', { richText: [{ text: 'V', font: { bold: true } }, { text: 'RAI' }] }, false, { richText: [{ text: 'DUR' }, { text: 'AND' }] }, { text: 'm.durand@exemple.fr', hyperlink: 'mailto:m.durand@exemple.fr' }, '01 02 03 04 05']);
  const fin = wb.addWorksheet('FINESS');
  fin.addRow(['numeroEditeur', 'numeroFINESSJuridique', 'nomClient', 'emailClient', 'telephoneClient', 'numeroFINESSGeos']);
  fin.addRow(['00001', 999999991, 'DURAND', { text: 'm.durand@exemple.fr', hyperlink: 'mailto:m.durand@exemple.fr' }, '01 02 03 04 05', '111111111']);
  fin.addRow(['00001', null, 'DURAND ', 'm.durand@exemple.fr', '01 02 03 04 05', 111111112]);
  fin.mergeCells('B2:B3'); // one juridique over its two sites
  fin.addRow([]);
  fin.addRow(['00001', '999999992', 'DURAND', 'm.durand@exemple.fr', '01 02 03 04 05', '222222222\u00a0']);
  const pj = wb.addWorksheet('PJ');
  pj.addRow(['typeFichier', 'numeroEditeur', 'formatFichier', 'nomFichier']);
  pj.addRow(['BON_COMMANDE', '00001', 'pdf', 'BIO-SGL-Va1-BDC-00001.pdf']);
  pj.addRow(['PREUVE_HT', '00001', 'PDF', null]);
  const sc = wb.addWorksheet('Scenarios'); // accent dropped
  sc.addRow(['numeroEditeur', 'isIdRef', 'isIdSlave', 'operateurMessagerie', 'isSendingFluxIntraSIH', 'isProSanteConnectNeeded', 'isDirecToDMP', 'isPFIToDMP', 'isDirectToMSSPro', 'isPFIToMSSPro', 'isDirectToMSSCitoyen', 'isPFIToMSSCitoyen']);
  sc.addRow(['00001', 'non', true, 'ENO_5', 0, 'FAUX', 'Oui', 'false', 1, 'NON', 'NON', 'NON']);
  fs.writeFileSync(file, await workbookBytes(wb));
}

describe('workbooks typed the Excel way give the same JSON as the template', () => {
  for (const date1904 of [false, true]) {
    it(`formulas, rich text, hyperlinks, merged cells, empty rows, spaces, edited labels, ${date1904 ? '1904' : '1900'} dates`, async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'excel.xlsx');
      await excelStyleWorkbook(file, date1904);
      if (date1904) {
        const xml = await (await import('jszip')).default.loadAsync(fs.readFileSync(file)).then((z) => z.file('xl/workbook.xml')!.async('string'));
        expect(xml).toContain('date1904="1"');
      }
      const out = path.join(dir, 'out');
      const r = cli(['convert', file, '-o', out, '--date', '20261124', '--json']);
      const rep = JSON.parse(r.stdout);
      expect(rep.issues.filter((i: any) => i.severity === 'erreur')).toEqual([]);
      expect(r.code).toBe(0);
      const got = readJson(path.join(out, jsonFiles(out)[0]));
      expect(got).toEqual(reference());
    });
  }
});
