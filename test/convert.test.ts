import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, colOf, demandeRows, HEADER, jsonFiles, manyDemandes, merge, noteOf, readJson, readXlsx, root, tmpDir, writeWorkbook } from './helpers.js';

describe('convert: the specification example', () => {
  it('writes the golden JSON byte for byte, exit 0', () => {
    const out = tmpDir();
    const r = cli(['convert', 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-001.json']);
    const text = fs.readFileSync(path.join(out, 'JSON-ANS0000001-20261124-001.json'), 'utf8');
    expect(text).toBe(fs.readFileSync(path.join(root, 'test/golden/exemple-specification.json'), 'utf8'));
    expect(text).toContain('"montantSegurHT": 27450.00');
    expect(r.stdout).toContain('1 demande lue : 1 exportée, 0 rejetée');
  });

  it('is deterministic: same input and date, same bytes (JSON and results workbook)', () => {
    const a = tmpDir();
    const b = tmpDir();
    cli(['convert', 'samples/exemple-specification.xlsx', '-o', a, '--date', '20261124']);
    cli(['convert', 'samples/exemple-specification.xlsx', '-o', b, '--date', '20261124']);
    for (const f of fs.readdirSync(a)) {
      expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f)))).toBe(true);
    }
  });

  it('--json prints a machine-readable report', () => {
    const out = tmpDir();
    const r = cli(['convert', 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124', '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.totals).toMatchObject({ demandes: 1, statuses: { exportee: 1, rejetee: 0, deja_exportee: 0 }, needsAction: 0, jsonFiles: 1 });
    expect(rep.demandes[0]).toMatchObject({ numeroEditeur: '00001', status: 'exportee', statusLabel: 'Exportée : JSON-ANS0000001-20261124-001.json, ligne 1', jsonFile: 'JSON-ANS0000001-20261124-001.json', numLigne: 1 });
  });
});

describe('convert: splitting into files of 200 lines', () => {
  for (const [n, sizes] of [
    [200, [200]],
    [201, [200, 1]],
    [400, [200, 200]],
    [401, [200, 200, 1]],
  ] as const) {
    it(`${n} demandes → ${sizes.join(' + ')} lines, numLigne from 1 in each file`, async () => {
      const dir = tmpDir();
      const wb = await writeWorkbook(path.join(dir, 'in.xlsx'), manyDemandes(n));
      const out = path.join(dir, 'out');
      const r = cli(['convert', wb, '-o', out, '--date', '20261124']);
      expect(r.code).toBe(0);
      const files = jsonFiles(out);
      expect(files).toEqual(sizes.map((_, i) => `JSON-ANS0000001-20261124-${String(i + 1).padStart(3, '0')}.json`));
      let next = 1;
      files.forEach((f, i) => {
        const j = readJson(path.join(out, f));
        expect(j.lignesImport).toHaveLength(sizes[i]);
        expect(j.lignesImport.map((l: any) => l.numLigne)).toEqual(Array.from({ length: sizes[i] }, (_, k) => k + 1));
        for (const l of j.lignesImport) expect(l.numeroEditeur).toBe(String(next++).padStart(5, '0'));
      });
    });
  }
});

describe('convert: file numbering', () => {
  it('continues after the highest file of that numeroAns and day already in the folder, never overwrites', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    // Files of another kind or another day or numeroAns: only the same numeroAns and day count.
    fs.writeFileSync(path.join(out, 'JSON-ANS0000001-20261124-001.json'), 'solde déjà déposé');
    fs.writeFileSync(path.join(out, 'JSON-ANS0000001-20261124-004.json'), 'autre');
    fs.writeFileSync(path.join(out, 'JSON-ANS0000001-20261123-009.json'), 'autre jour');
    fs.writeFileSync(path.join(out, 'JSON-ANS0000002-20261124-007.json'), 'autre ANS');
    const wb = await writeWorkbook(path.join(dir, 'in.xlsx'), manyDemandes(201));
    const r = cli(['convert', wb, '-o', out, '--date', '20261124']);
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(out, 'JSON-ANS0000001-20261124-005.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'JSON-ANS0000001-20261124-006.json'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'JSON-ANS0000001-20261124-001.json'), 'utf8')).toBe('solde déjà déposé');
    // A second run (forced: the journal knows these demandes) continues again.
    cli(['convert', wb, '-o', out, '--date', '20261124', '--force']);
    expect(fs.existsSync(path.join(out, 'JSON-ANS0000001-20261124-008.json'))).toBe(true);
  });

  it('--sequence sets the first number', async () => {
    const dir = tmpDir();
    const wb = await writeWorkbook(path.join(dir, 'in.xlsx'), manyDemandes(1));
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124', '--sequence', '12']);
    expect(r.code).toBe(0);
    expect(jsonFiles(out)).toEqual(['JSON-ANS0000001-20261124-012.json']);
  });

  it('a bad --date is a usage error (exit 2, French message)', () => {
    const r = cli(['convert', 'samples/exemple-specification.xlsx', '-o', tmpDir(), '--date', '2026-11-24']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AAAAMMJJ');
  });
});

describe('convert: rejected demandes and the results workbook', () => {
  it('writes the accepted ones, marks the rejected ones in place, exit 1', async () => {
    const dir = tmpDir();
    const rows = merge(
      { Fichier: [HEADER] },
      demandeRows('00001'),
      demandeRows('00002', { Commandes: { montantSegurHT: '12,345' } }),
      demandeRows('00003'),
    );
    const wb = await writeWorkbook(path.join(dir, 'commandes.xlsx'), rows);
    const before = fs.readFileSync(wb);
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124']);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(wb).equals(before)).toBe(true); // input untouched
    const j = readJson(path.join(out, 'JSON-ANS0000001-20261124-001.json'));
    expect(j.lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001', '00003']);
    const res = await readXlsx(path.join(out, 'commandes.resultats.xlsx'));
    const ws = res.getWorksheet('Commandes')!;
    const status = colOf(ws, 'Statut [xlsx2segur]');
    const problems = colOf(ws, 'Problèmes [xlsx2segur]');
    expect(ws.getRow(2).getCell(status).value).toBe('Exportée : JSON-ANS0000001-20261124-001.json, ligne 1');
    expect(ws.getRow(3).getCell(status).value).toBe('Rejetée : 1 erreur à corriger (voir Problèmes)');
    expect(ws.getRow(4).getCell(status).value).toBe('Exportée : JSON-ANS0000001-20261124-001.json, ligne 2');
    expect(String(ws.getRow(3).getCell(problems).value)).toContain('MONTANT_DECIMALES');
    const amount = ws.getRow(3).getCell(colOf(ws, '(montantSegurHT)'));
    expect(amount.value).toBe('12,345'); // value kept
    expect(noteOf(amount)).toContain('plus de deux décimales');
    expect((amount.fill as any).fgColor.argb).toBe('FFFFC7CE');
    // The other rows of the rejected demande say why.
    const fin = res.getWorksheet('FINESS')!;
    expect(fin.getRow(3).getCell(colOf(fin, 'Statut [xlsx2segur]')).value).toBe('Rejetée : 1 erreur à corriger (voir Problèmes)');
    expect(String(fin.getRow(3).getCell(colOf(fin, 'Problèmes [xlsx2segur]')).value)).toBe('Demande 00002 rejetée : voir la feuille « Commandes », ligne 3.');
    // Synthèse: counts, rejected demandes, files to deposit.
    const syn = res.getWorksheet('Synthèse')!;
    const text: string[] = [];
    syn.eachRow((row) => text.push((row.values as any[]).filter((v) => v !== undefined && v !== null).join(' | ')));
    const all = text.join('\n');
    expect(all).toContain('Demandes lues | 3');
    expect(all).toContain('Demandes exportées par cette conversion | 2');
    expect(all).toContain('Demandes rejetées | 1');
    expect(all).toContain('JSON-ANS0000001-20261124-001.json | avance | ANS0000001 | 2');
    expect(all).toMatch(/00002 \| Commandes, ligne 3 \| rejetée \| Commandes!D3 : .*plus de deux décimales/);
    expect(all).toMatch(/Commandes!D3 \| MONTANT_DECIMALES \| 00002 \|/);
  });

  it('the results workbook, once fixed, converts again (status columns ignored)', async () => {
    const dir = tmpDir();
    const rows = merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002', { Commandes: { regimeTVA: 'HTX' } }));
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), rows);
    const out1 = path.join(dir, 'out1');
    expect(cli(['validate', wb, '-o', out1, '--date', '20261124']).code).toBe(1);
    expect(jsonFiles(out1)).toEqual([]); // validate writes no JSON
    const res = await readXlsx(path.join(out1, 'c.resultats.xlsx'));
    const ws = res.getWorksheet('Commandes')!;
    ws.getRow(3).getCell(colOf(ws, '(regimeTVA)')).value = 'TTC';
    const fixed = path.join(dir, 'c.resultats.xlsx');
    await res.xlsx.writeFile(fixed);
    const out2 = path.join(dir, 'out2');
    const r = cli(['convert', fixed, '-o', out2, '--date', '20261124']);
    expect(r.stdout).toContain('2 demandes lues : 2 exportées, 0 rejetée');
    expect(r.code).toBe(0);
    const again = await readXlsx(path.join(out2, 'c.resultats.xlsx'));
    const ws2 = again.getWorksheet('Commandes')!;
    // The old mark is gone, the status is updated, no second status column.
    const cell = ws2.getRow(3).getCell(colOf(ws2, '(regimeTVA)'));
    expect(noteOf(cell)).toBe('');
    expect(ws2.getRow(3).getCell(colOf(ws2, 'Statut [xlsx2segur]')).value).toBe('Exportée : JSON-ANS0000001-20261124-001.json, ligne 2');
    let statusCols = 0;
    ws2.getRow(1).eachCell((c) => (statusCols += c.value === 'Statut [xlsx2segur]' ? 1 : 0));
    expect(statusCols).toBe(1);
  });
});

describe('dates never shift with the time zone', () => {
  for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
    it(`TZ=${tz}`, async () => {
      const dir = tmpDir();
      const rows = merge(
        { Fichier: [HEADER] },
        demandeRows('00001', { Commandes: { dateCommande: new Date(Date.UTC(2022, 0, 1)) } }),
        demandeRows('00002', { Commandes: { dateCommande: '31/12/2021' } }),
        demandeRows('00003', { Commandes: { dateCommande: new Date(Date.UTC(2024, 1, 29)) } }),
      );
      const wb = await writeWorkbook(path.join(dir, 'd.xlsx'), rows);
      const out = path.join(dir, 'out');
      const r = cli(['convert', wb, '-o', out, '--date', '20261124'], { env: { TZ: tz } });
      expect(r.code).toBe(0);
      const j = readJson(path.join(out, jsonFiles(out)[0]));
      expect(j.lignesImport.map((l: any) => l.commande.dateCommande)).toEqual(['01/01/2022', '31/12/2021', '29/02/2024']);
    });
  }
});

describe('usage', () => {
  it('--help works and lists the commands', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['template', 'convert', 'validate', 'modele']) expect(r.stdout).toContain(c);
  });
  it('an unknown command is exit 2', () => {
    expect(cli(['bogus']).code).toBe(2);
  });
  it('a missing input file is exit 2 with its name', () => {
    const r = cli(['convert', 'nope.xlsx', '-o', tmpDir()]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('nope.xlsx');
  });
});

describe('results workbook readability', () => {
  it('a row with several problems is tall enough to show them all', async () => {
    const out = tmpDir();
    cli(['convert', 'samples/avec-erreurs.xlsx', '-o', out, '--date', '20261124']);
    const ws = (await readXlsx(path.join(out, 'avec-erreurs.resultats.xlsx'))).getWorksheet('Commandes')!;
    // 00004: three REQUIS_SI problems, each on its own line or two.
    expect(String(ws.getRow(5).getCell(colOf(ws, 'Problèmes [xlsx2segur]')).value).split('\n')).toHaveLength(3);
    expect(ws.getRow(5).height).toBeGreaterThanOrEqual(45);
  });

  it('opens on its Synthèse, the only selected tab', async () => {
    const out = tmpDir();
    cli(['convert', 'samples/avec-erreurs.xlsx', '-o', out, '--date', '20261124']);
    const wb = await readXlsx(path.join(out, 'avec-erreurs.resultats.xlsx'));
    expect(wb.worksheets[wb.views[0].activeTab].name).toBe('Synthèse');
    // exceljs does not give tabSelected back: read the sheets' XML.
    const zip = await (await import('jszip')).default.loadAsync(fs.readFileSync(path.join(out, 'avec-erreurs.resultats.xlsx')));
    const sheets = Object.keys(zip.files).filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
    const selected: string[] = [];
    for (const n of sheets) if ((await zip.file(n)!.async('string')).includes('tabSelected="1"')) selected.push(n);
    expect(selected).toEqual([`xl/worksheets/sheet${wb.views[0].activeTab + 1}.xml`]);
  });
});

describe('convert: the SIRET the journal knows for a numéro ANS', () => {
  it('another SIRET for the same numéro ANS is a warning on the header cell; the demandes are still exported', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    const lot = (name: string, siret: string, num: string) => writeWorkbook(path.join(dir, name), merge({ Fichier: [{ ...HEADER, SIRET: siret }] }, demandeRows(num)));
    expect(cli(['convert', await lot('lot1.xlsx', HEADER.SIRET, '00001'), '-o', out, '--date', '20261124']).code).toBe(0);
    // The same SIRET again: no warning.
    const same = JSON.parse(cli(['convert', await lot('lot2.xlsx', HEADER.SIRET, '00002'), '-o', out, '--date', '20261124', '--json']).stdout);
    expect(same.issues).toEqual([]);
    const r = cli(['convert', await lot('lot3.xlsx', '73282932000074', '00003'), '-o', out, '--date', '20261124', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    const w = rep.issues.find((i: any) => i.code === 'SIRET_AUTRE_DANS_JOURNAL');
    expect(w).toMatchObject({ severity: 'avertissement', sheet: 'Fichier', row: 2, column: 'B', field: 'SIRET' });
    expect(w.message).toContain('déjà été exporté avec le SIRET 88412345600003 (JSON-ANS0000001-20261124-002.json) et non 73282932000074');
    expect(rep.demandes[0]).toMatchObject({ numeroEditeur: '00003', status: 'exportee', jsonFile: 'JSON-ANS0000001-20261124-003.json' });
  });
});
