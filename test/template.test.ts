import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type ExcelJS from 'exceljs';
import { cli, readXlsx, root, tmpDir } from './helpers.js';

/** What a template is made of, for comparison: sheets, headers, validations, formats (not bytes). */
function outline(wb: ExcelJS.Workbook) {
  return wb.worksheets.map((ws) => {
    const headers: unknown[] = [];
    ws.getRow(1).eachCell({ includeEmpty: true }, (c) => headers.push(c.value));
    const dv = (ws as any).dataValidations.model as Record<string, any>;
    // Validations are stored per cell once read: summarise them by column.
    const byColumn: Record<string, { rows: number; v: string }> = {};
    for (const [addr, v] of Object.entries(dv)) {
      if (!v) continue;
      const col = addr.replace(/\d+/g, '');
      const key = JSON.stringify(v);
      byColumn[col] ??= { rows: 0, v: key };
      byColumn[col].rows++;
      expect(byColumn[col].v).toBe(key);
    }
    const formats = ws.columns?.map((c) => c.numFmt ?? null) ?? [];
    return { name: ws.name, state: ws.state, headers, validations: byColumn, formats, frozen: ws.views?.[0]?.state ?? null };
  });
}

describe('template avance', () => {
  for (const kind of ['avance', 'solde']) {
    it(`the committed templates/${kind}-bio-sgl.xlsx is what the command produces`, async () => {
      const out = path.join(tmpDir(), 'm.xlsx');
      const r = cli(['template', kind, '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Modèle');
      const fresh = outline(await readXlsx(out));
      const committed = outline(await readXlsx(path.join(root, `templates/${kind}-bio-sgl.xlsx`)));
      expect(committed).toEqual(fresh);
    });
  }

  it('the solde template has its sheets, headers and dropdowns, and records its kind', async () => {
    const out = path.join(tmpDir(), 's.xlsx');
    cli(['template', 'solde', '-o', out]);
    const wb = await readXlsx(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Notice', 'Fichier', 'Factures', 'FINESS', 'PJ', 'Scénarios', 'Listes']);
    expect(wb.getWorksheet('Listes')!.getCell('A1').value).toBe('xlsx2segur:solde-bio-sgl');
    const headers = (ws: string) => (wb.getWorksheet(ws)!.getRow(1).values as string[]).filter(Boolean);
    expect(headers('Factures')).toEqual([
      'Numéro éditeur (numeroEditeur)',
      'Numéro de dossier ASP (numeroASP)',
      'Date de facture (dateFacture)',
      'Montant Ségur HT facturé (€) (montantSegurHTFacture)',
    ]);
    expect(headers('FINESS')).toEqual(['Numéro éditeur (numeroEditeur)', 'FINESS géographique (numeroFINESSGeo)']);
    expect(headers('Scénarios').map((h) => /\((\w+)\)$/.exec(h)![1])).toEqual([
      'numeroEditeur', 'isDirectToDMP', 'identDMP', 'isDirectToMSSPro', 'adresseBoiteMSSPro', 'isDirectToMSSCitoyen', 'adresseBoiteMSSCitoyen',
    ]);
    expect((wb.getWorksheet('PJ') as any).dataValidations.model.B2.formulae[0]).toBe('"FACTURE,VA"');
    expect((wb.getWorksheet('PJ') as any).dataValidations.model.C2.formulae[0]).toBe('"PDF,PNG,JPG,XML"');
  });

  it('has the sheets, headers with field names, dropdowns, text formats and help', async () => {
    const out = path.join(tmpDir(), 'm.xlsx');
    cli(['template', 'avance', '-o', out]);
    const wb = await readXlsx(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Notice', 'Fichier', 'Commandes', 'FINESS', 'PJ', 'Scénarios', 'Listes']);
    expect(wb.getWorksheet('Listes')!.state).toBe('hidden');
    const cmd = wb.getWorksheet('Commandes')!;
    const headers = (cmd.getRow(1).values as string[]).filter(Boolean);
    expect(headers).toEqual([
      'Numéro éditeur (numeroEditeur)',
      'Date de commande (dateCommande)',
      'Régime de TVA (regimeTVA)',
      'Montant Ségur HT (€) (montantSegurHT)',
      'Mandataire (isMandataire)',
      'Client unique (isClientUnique)',
      'Nom du mandataire (nomMandataire)',
      'Courriel du mandataire (emailMandataire)',
      'Téléphone du mandataire (telephoneMandataire)',
    ]);
    expect(cmd.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(cmd.getColumn(1).numFmt).toBe('@'); // numeroEditeur keeps its zeros
    expect(cmd.getColumn(1).width).toBeGreaterThanOrEqual(12);
    const dv = (cmd as any).dataValidations.model;
    expect(dv.C2).toMatchObject({ type: 'list', formulae: ['"HT,TTC"'] });
    expect(dv.E2).toMatchObject({ type: 'list', formulae: ['"OUI,NON"'] });
    expect(dv.B2.prompt).toContain('JJ/MM/AAAA');
    const fin = wb.getWorksheet('FINESS')!;
    expect(fin.getColumn(2).numFmt).toBe('@');
    const pj = wb.getWorksheet('PJ')!;
    expect((pj as any).dataValidations.model.B2.formulae[0]).toBe('"BON_COMMANDE,PREUVE_HT,PREUVE_ACT_BIO,ATTESTATION_HONNEUR"');
    expect((pj as any).dataValidations.model.C2.formulae[0]).toBe('"PDF,PNG,JPG"');
    // operateurMessagerie: all 355 codes from the hidden list sheet (inline lists stop at 255 characters).
    const sc = wb.getWorksheet('Scénarios')!;
    const opCol = (sc.getRow(1).values as string[]).findIndex((v) => v?.includes('(operateurMessagerie)'));
    const letter = sc.getColumn(opCol).letter;
    const formula = (sc as any).dataValidations.model[`${letter}2`].formulae[0];
    expect(formula).toBe('Listes!$B$2:$B$356');
    const lists = wb.getWorksheet('Listes')!;
    expect(lists.getCell('B2').value).toBe('GIP_1 — GIP MIPIH');
    expect(lists.getCell('B356').value).toBe('SOI_355 — SOINS SERVICE');
    expect(lists.getCell('B21').value).toBe("CH _20 — CH REGIONAL D'ORLEANS");
    // Help on every column: header note and input message.
    for (const ws of ['Fichier', 'Commandes', 'FINESS', 'PJ', 'Scénarios']) {
      const s = wb.getWorksheet(ws)!;
      s.getRow(1).eachCell((c) => {
        expect(String(c.value)).toMatch(/\([A-Za-z]+\)$/);
        expect(c.note).toBeTruthy();
      });
    }
    // The Notice explains and shows the spec's example.
    const notice: string[] = [];
    wb.getWorksheet('Notice')!.eachRow((r) => notice.push((r.values as unknown[]).filter(Boolean).join(' | ')));
    const text = notice.join('\n');
    expect(text).toContain('Comment remplir ce classeur');
    expect(text).toContain('DURAND');
    expect(text).toContain('27 450,00');
  });

  it('the empty template is checked, not a crash: its header row is missing', async () => {
    const out = tmpDir();
    const r = cli(['validate', path.join(root, 'templates/avance-bio-sgl.xlsx'), '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('0 demande lue');
    expect(r.stdout).toContain('La feuille « Fichier » doit contenir exactement une ligne de données (ici 0)');
  });

  it('an unknown kind is a usage error', () => {
    const r = cli(['template', 'bogus', '-o', path.join(tmpDir(), 'x.xlsx')]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(root, 'bogus-bio-sgl.xlsx'))).toBe(false);
  });
});
