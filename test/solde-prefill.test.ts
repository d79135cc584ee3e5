import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMapping, mappingPathFor } from '../src/mapping/load.js';
import { carriedFields } from '../src/mapping/carry.js';
import { LibreOffice, runPython } from './clients.js';
import { cli, colOf, demandeRows, HEADER, merge, noteOf, readJson, readXlsx, tmpDir, writeWorkbook } from './helpers.js';

/**
 * solde --from carries the scenario answers the avance already gave (isDirecToDMP → isDirectToDMP,
 * isDirectToMSSPro, isDirectToMSSCitoyen), marked as pre-filled, from the deposited avance JSON (journal)
 * or from the avance workbook; and its summary counts the avances by their state in the journal.
 * Everything runs the real command line: convert, retour with a fake ASP answer, journal --payee/--refusee,
 * solde --from, then convert of the completed solde workbook.
 */

const DATE = '20261124';
const VIOLET = 'FFE4DFEC';
const CARRIED = ['isDirectToDMP', 'isDirectToMSSPro', 'isDirectToMSSCitoyen'];
const FILE_1 = `JSON-ANS0000001-${DATE}-001.json`;
const FILE_2 = `JSON-ANS0000001-${DATE}-002.json`;

/** The avance answers of each demande: DMP, MSS Pro, MSS Citoyen (the avance's own spelling isDirecToDMP). */
const ANSWERS: Record<string, [string, string, string]> = {
  '00001': ['OUI', 'NON', 'OUI'],
  '00002': ['NON', 'OUI', 'NON'],
  '00003': ['OUI', 'OUI', 'OUI'],
  '00004': ['NON', 'NON', 'NON'],
  '00005': ['NON', 'NON', 'OUI'],
  '00006': ['OUI', 'NON', 'NON'],
  '00007': ['NON', 'NON', 'OUI'],
};

const avanceRows = (num: string) => {
  const [dmp, pro, cit] = ANSWERS[num];
  return demandeRows(num, { Scénarios: { isDirecToDMP: dmp, isDirectToMSSPro: pro, isDirectToMSSCitoyen: cit } });
};

/** The ASP's answer to a deposited file, for the lines kept: accepted with a FINBIO number, or rejected. */
function aspReturn(file: string, target: string, answers: Record<string, string | null>) {
  const j = readJson(file);
  j.impId = 'IMP-' + path.basename(file);
  j.lignesImport = j.lignesImport.filter((l: any) => l.numeroEditeur in answers);
  for (const l of j.lignesImport) {
    const asp = answers[l.numeroEditeur];
    Object.assign(l, asp ? { numeroASP: asp, codeTraitement: '0', libelleTraitement: 'Demande acceptée' } : { codeTraitement: 'E12', libelleTraitement: 'Le numéro FINESS juridique est inconnu' });
  }
  fs.writeFileSync(target, JSON.stringify(j, null, 2));
}

/** The row of a sheet whose numeroEditeur is num. */
function rowOf(ws: ExcelJS.Worksheet, num: string): ExcelJS.Row {
  const col = colOf(ws, '(numeroEditeur)');
  let found = 0;
  ws.eachRow((row, i) => {
    if (i > 1 && row.getCell(col).value === num) found = i;
  });
  if (!found) throw new Error(`demande ${num} absente de ${ws.name}`);
  return ws.getRow(found);
}

const fillOf = (cell: ExcelJS.Cell) => ((cell.fill as any)?.fgColor?.argb as string | undefined) ?? null;

/** The three carried cells of a demande in the Scénarios sheet: value, fill, note. */
function carried(ws: ExcelJS.Worksheet, num: string) {
  const row = rowOf(ws, num);
  return CARRIED.map((f) => {
    const cell = row.getCell(colOf(ws, `(${f})`));
    return { value: cell.value ?? null, fill: fillOf(cell), note: noteOf(cell) };
  });
}

function numbersOf(ws: ExcelJS.Worksheet): string[] {
  const col = colOf(ws, '(numeroEditeur)');
  const out: string[] = [];
  ws.eachRow((row, i) => i > 1 && out.push(String(row.getCell(col).value)));
  return out;
}

describe('solde --from pre-fills the scenario answers the avance already gave', () => {
  let dir: string;
  let out: string;

  beforeAll(async () => {
    dir = tmpDir();
    out = path.join(dir, 'depot');
    // First file: 00001…00005. Second file, the same day: 00006 (never answered) and 00007.
    const first = await writeWorkbook(path.join(dir, 'avances.xlsx'), merge({ Fichier: [HEADER] }, ...['00001', '00002', '00003', '00004', '00005'].map(avanceRows)));
    const second = await writeWorkbook(path.join(dir, 'avances-2.xlsx'), merge({ Fichier: [HEADER] }, avanceRows('00006'), avanceRows('00007')));
    expect(cli(['convert', first, '-o', out, '--date', DATE]).code).toBe(0);
    expect(cli(['convert', second, '-o', out, '--date', DATE]).code).toBe(0);
    const ret1 = path.join(dir, 'retour-1.json');
    aspReturn(path.join(out, FILE_1), ret1, { '00001': 'FINBIO000001', '00002': 'FINBIO000002', '00003': 'FINBIO000003', '00004': null, '00005': 'FINBIO000005' });
    expect(cli(['retour', ret1, '-o', out, '--workbook', first]).code).toBe(0);
    const ret2 = path.join(dir, 'retour-2.json');
    aspReturn(path.join(out, FILE_2), ret2, { '00007': 'FINBIO000007' });
    expect(cli(['retour', ret2, '-o', out]).code).toBe(0);
    expect(cli(['journal', '-o', out, '--payee', 'FINBIO000001', 'FINBIO000002', 'FINBIO000007']).code).toBe(0);
    expect(cli(['journal', '-o', out, '--refusee', 'FINBIO000005']).code).toBe(0);
    // The journal holds the five states: payée, acceptée, rejetée, refusée, exportée.
    const states = JSON.parse(cli(['journal', '-o', out, '--json']).stdout).entries.map((e: any) => [e.numeroEditeur, e.etat]);
    expect(states).toEqual([
      ['00001', 'payee'],
      ['00002', 'payee'],
      ['00003', 'acceptee'],
      ['00004', 'rejetee'],
      ['00005', 'refusee'],
      ['00006', 'exportee'],
      ['00007', 'payee'],
    ]);
  });

  it('from the deposit folder: values, fill and note from the deposited avance line; the summary counts by state', async () => {
    const target = path.join(dir, 'soldes.xlsx');
    const r = cli(['solde', '--from', out, '-o', target]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Classeur de solde pré-rempli : ${target} — numéro ANS ANS0000001 : 3 avances payées, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n`,
    );
    expect(r.stdout).toContain("Pas de solde possible pour : 1 avance sans réponse de l'ASP (xlsx2segur retour), 1 avance refusée par l'ASP.\n");
    expect(r.stdout).not.toMatch(/\(s\)|non pré-rempli/);
    const wb = await readXlsx(target);
    const sc = wb.getWorksheet('Scénarios')!;
    expect(numbersOf(sc)).toEqual(['00001', '00002', '00007']);
    for (const [num, file, line] of [
      ['00001', FILE_1, 1],
      ['00002', FILE_1, 2],
      ['00007', FILE_2, 2],
    ] as const) {
      const cells = carried(sc, num);
      expect(cells.map((c) => c.value)).toEqual(ANSWERS[num]);
      for (const c of cells) {
        expect(c.fill).toBe(VIOLET);
        expect(c.note).toContain(`xlsx2segur : pré-rempli d'après la demande d'avance ${num} (fichier ${file}, ligne ${line}) : à vérifier.`);
      }
      expect(cells[0].note).toContain(`Réponse de l'avance : isDirecToDMP = ${ANSWERS[num][0]}.`);
    }
    // What an OUI asks for next is said in its note; the cells the avance could not answer stay empty.
    expect(carried(sc, '00001')[0].note).toContain('Avec OUI, renseignez aussi identDMP.');
    expect(carried(sc, '00001')[2].note).toContain('Avec OUI, renseignez aussi adresseBoiteMSSCitoyen.');
    expect(carried(sc, '00001')[1].note).not.toContain('renseignez');
    for (const f of ['identDMP', 'adresseBoiteMSSPro', 'adresseBoiteMSSCitoyen']) {
      const cell = rowOf(sc, '00001').getCell(colOf(sc, `(${f})`));
      expect([cell.value ?? null, fillOf(cell), noteOf(cell)]).toEqual([null, null, '']);
    }
    // The Notice explains the colour, in that colour.
    const notice = wb.getWorksheet('Notice')!;
    expect(String(notice.getRow(3).getCell(1).value)).toMatch(/^Cellules sur fond violet : réponses reprises de la demande d'avance \(isDirectToDMP, isDirectToMSSPro, isDirectToMSSCitoyen\), à vérifier/);
    expect(fillOf(notice.getRow(3).getCell(1))).toBe(VIOLET);
    expect(notice.getRow(1).getCell(1).value).toMatch(/^Modèle xlsx2segur/);
  });

  it('the workbook, its rows streamed below the template: the same bytes twice; openpyxl and LibreOffice read its values, fills, notes, dropdowns and widths', () => {
    const target = path.join(dir, 'soldes-clients.xlsx');
    expect(cli(['solde', '--from', out, '-o', target, '--non-payees']).code).toBe(0);
    const first = fs.readFileSync(target);
    expect(cli(['solde', '--from', out, '-o', target, '--non-payees']).code).toBe(0);
    expect(fs.readFileSync(target).equals(first)).toBe(true);
    const script = `import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {'sheets': [(ws.title, ws.sheet_state) for ws in wb.worksheets]}
def cell(c):
    return [c.value, c.fill.fgColor.rgb if c.fill.fill_type == 'solid' else None, c.comment.text if c.comment else None, c.number_format]
for name in ['Factures', 'Scénarios', 'FINESS', 'PJ']:
    ws = wb[name]
    # Rows with a value (LibreOffice writes the empty rows its dropdowns cover too).
    rows = [row for row in ws.iter_rows(min_row=1, max_row=ws.max_row) if any(c.value is not None for c in row)]
    out[name] = {'rows': [[cell(c) for c in row] for row in rows],
                 'widths': {k: v.width for k, v in ws.column_dimensions.items()},
                 'dv': sorted(str(d.sqref) for d in ws.data_validations.dataValidation),
                 'freeze': ws.freeze_panes}
out['notice'] = [cell(wb['Notice'].cell(row=r, column=1)) for r in range(1, 6)]
print(json.dumps(out))
`;
    const check = (file: string, fromCalc: boolean) => {
      const wb = JSON.parse(runPython(script, [file]));
      expect(wb.sheets.map((s: [string, string]) => s[0])).toEqual(['Notice', 'Fichier', 'Factures', 'FINESS', 'PJ', 'Scénarios', 'Listes']);
      expect(wb.sheets.at(-1)[1]).toBe('hidden');
      const sc = wb['Scénarios'];
      const head: string[] = sc.rows[0].map((c: unknown[]) => c[0]);
      const col = (f: string) => head.findIndex((h) => h?.includes(`(${f})`));
      expect(sc.rows.slice(1).map((r: unknown[][]) => r[col('numeroEditeur')][0])).toEqual(['00001', '00002', '00003', '00007']);
      for (const [i, num] of ['00001', '00002', '00003', '00007'].entries()) {
        for (const [k, f] of CARRIED.entries()) {
          const [value, fill, note] = sc.rows[i + 1][col(f)];
          expect(value).toBe(ANSWERS[num][k]);
          expect(fill).toBe(VIOLET);
          expect(note).toContain(`pré-rempli d'après la demande d'avance ${num}`);
        }
      }
      // Header notes, frozen header, dropdowns over the template's rows, column widths.
      expect(sc.rows[0][col('numeroEditeur')][2]).toContain('Numéro éditeur');
      if (!fromCalc) expect(sc.freeze).toBe('A2');
      expect(sc.dv.length).toBeGreaterThan(0);
      if (!fromCalc) expect(sc.dv.some((r: string) => /2:[A-Z]+2001/.test(r))).toBe(true);
      const fa = wb['Factures'];
      const faHead: string[] = fa.rows[0].map((c: unknown[]) => c[0]);
      const amount = faHead.indexOf('Montant de la commande, rappel [xlsx2segur]');
      const state = faHead.indexOf('Avance [xlsx2segur]');
      expect(amount).toBeGreaterThan(0);
      expect(state).toBe(amount + 1);
      expect(fa.rows.slice(1).map((r: unknown[][]) => [r[state][0], r[state][1]])).toEqual([
        ['payée', null],
        ['payée', null],
        ["acceptée par l'ASP : attendre le paiement avant de déposer", 'FFFFEB9C'],
        ['payée', null],
      ]);
      if (!fromCalc) expect(Object.values(fa.widths)).toContain(28);
      expect(wb['PJ'].rows.length).toBe(1 + 2 * 4);
      // The Notice's legend, its first line in the fill it explains.
      expect(wb.notice[2][0]).toMatch(/^Cellules sur fond violet/);
      expect(wb.notice[2][1]).toBe(VIOLET);
    };
    check(target, false);
    check(new LibreOffice().resave(target), true);
  }, 180_000);

  it('--non-payees adds the accepted unpaid avance, flagged and pre-filled too; the journal file gives the same', async () => {
    const target = path.join(dir, 'soldes-tous.xlsx');
    const r = cli(['solde', '--from', path.join(out, 'xlsx2segur-journal.json'), '--non-payees', '-o', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('numéro ANS ANS0000001 : 3 avances payées, 1 acceptée non payée (signalée).\n');
    const wb = await readXlsx(target);
    const sc = wb.getWorksheet('Scénarios')!;
    expect(numbersOf(sc)).toEqual(['00001', '00002', '00003', '00007']);
    expect(carried(sc, '00003').map((c) => [c.value, c.fill])).toEqual(ANSWERS['00003'].map((v) => [v, VIOLET]));
    const fac = wb.getWorksheet('Factures')!;
    expect(rowOf(fac, '00003').getCell(colOf(fac, 'Avance [xlsx2segur]')).value).toBe("acceptée par l'ASP : attendre le paiement avant de déposer");
  });

  it('an avance JSON moved out of the folder: one French line, its cells left empty and unmarked', async () => {
    const copy = path.join(dir, 'depot-copie');
    fs.cpSync(out, copy, { recursive: true });
    fs.renameSync(path.join(copy, FILE_2), path.join(dir, FILE_2));
    // In this copy 00003 is paid too: no accepted avance is left unpaid.
    expect(cli(['journal', '-o', copy, '--payee', 'FINBIO000003']).code).toBe(0);
    const target = path.join(dir, 'soldes-sans-fichier.xlsx');
    const r = cli(['solde', '--from', copy, '-o', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Classeur de solde pré-rempli : ${target} — numéro ANS ANS0000001 : 4 avances payées, aucune avance acceptée non payée.\n`);
    const missing = r.stdout.split('\n').filter((l) => l.includes('non pré-rempli'));
    expect(missing).toEqual([`Scénario non pré-rempli pour la demande 00007 : le fichier d'avance ${FILE_2} n'est plus dans ${copy} ; ses réponses sont à saisir.`]);
    const sc = (await readXlsx(target)).getWorksheet('Scénarios')!;
    expect(carried(sc, '00007')).toEqual(CARRIED.map(() => ({ value: null, fill: null, note: '' })));
    expect(carried(sc, '00001').map((c) => c.value)).toEqual(ANSWERS['00001']);
  });

  it('from the avance workbook retour wrote: read from its Scénarios sheet; without a journal, payment unknown', async () => {
    const retourWb = path.join(out, 'avances.retour.xlsx');
    const target = path.join(dir, 'soldes-classeur.xlsx');
    const r = cli(['solde', '--from', retourWb, '-o', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("numéro ANS ANS0000001 : 2 avances payées, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).\n");
    const sc = (await readXlsx(target)).getWorksheet('Scénarios')!;
    expect(numbersOf(sc)).toEqual(['00001', '00002']);
    const cells = carried(sc, '00002');
    expect(cells.map((c) => [c.value, c.fill])).toEqual(ANSWERS['00002'].map((v) => [v, VIOLET]));
    expect(cells[1].note).toContain("pré-rempli d'après la demande d'avance 00002 (classeur avances.retour.xlsx, feuille Scénarios, ligne 3) : à vérifier.");

    // The same workbook away from its journal: the FINBIO numbers are in it, the payments are not known.
    const alone = path.join(dir, 'seul', 'avances.retour.xlsx');
    fs.mkdirSync(path.dirname(alone));
    fs.copyFileSync(retourWb, alone);
    const none = cli(['solde', '--from', alone, '-o', path.join(dir, 'seul', 'rien.xlsx')]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('Aucune avance payée à solder : 4 avances au paiement non connu laissées de côté (--non-payees pour les ajouter).');
    const all = path.join(dir, 'seul', 'soldes.xlsx');
    const r2 = cli(['solde', '--from', alone, '--non-payees', '-o', all]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('numéro ANS ANS0000001 : aucune avance payée, 4 avances au paiement non connu (signalées).\n');
    const sc2 = (await readXlsx(all)).getWorksheet('Scénarios')!;
    expect(numbersOf(sc2)).toEqual(['00001', '00002', '00003', '00005']);
    for (const n of ['00001', '00003', '00005']) expect(carried(sc2, n).map((c) => c.value)).toEqual(ANSWERS[n]);
    expect(carried(sc2, '00005')[2].note).toContain('(classeur avances.retour.xlsx, feuille Scénarios, ligne 6)');
  });

  it('the completed workbook converts: no complaint about the pre-filled cells, their answers in the JSON, our marks not kept as the vendor\'s', async () => {
    const wb = await readXlsx(path.join(dir, 'soldes.xlsx'));
    const fac = wb.getWorksheet('Factures')!;
    for (const num of ['00001', '00002', '00007']) {
      rowOf(fac, num).getCell(colOf(fac, '(dateFacture)')).value = '20/10/2026';
      rowOf(fac, num).getCell(colOf(fac, '(montantSegurHTFacture)')).value = 15000;
    }
    const done = path.join(dir, 'soldes-complet.xlsx');
    await wb.xlsx.writeFile(done);
    // Before the identifiers and addresses the OUI answers ask for: only those are missing.
    const first = JSON.parse(cli(['validate', done, '-o', out, '--date', '20261126', '--json']).stdout);
    const errors = first.issues.filter((i: any) => i.severity === 'erreur');
    expect(errors.map((i: any) => [i.demande, i.code, i.field]).sort()).toEqual([
      ['00001', 'REQUIS_SI', 'adresseBoiteMSSCitoyen'],
      ['00001', 'REQUIS_SI', 'identDMP'],
      ['00002', 'REQUIS_SI', 'adresseBoiteMSSPro'],
      ['00007', 'REQUIS_SI', 'adresseBoiteMSSCitoyen'],
    ]);
    const sc = wb.getWorksheet('Scénarios')!;
    const put = (num: string, field: string, v: string) => (rowOf(sc, num).getCell(colOf(sc, `(${field})`)).value = v);
    put('00001', 'identDMP', 'IDNAT-1');
    put('00001', 'adresseBoiteMSSCitoyen', 'citoyen@labo.fr');
    put('00002', 'adresseBoiteMSSPro', 'pro@labo.fr');
    put('00007', 'adresseBoiteMSSCitoyen', 'citoyen7@labo.fr');
    await wb.xlsx.writeFile(done);
    const r = cli(['convert', done, '-o', out, '--date', '20261126', '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.issues).toEqual([]);
    expect(r.code).toBe(0);
    const lines = readJson(path.join(out, 'JSON-ANS0000001-20261126-001.json')).lignesImport;
    const bool = (v: string) => v === 'OUI';
    expect(lines.map((l: any) => [l.numeroEditeur, l.scenarioInstallation.isDirectToDMP, l.scenarioInstallation.isDirectToMSSPro, l.scenarioInstallation.isDirectToMSSCitoyen])).toEqual(
      ['00001', '00002', '00007'].map((n) => [n, ...ANSWERS[n].map(bool)]),
    );
    // The results workbook keeps the values, drops our pre-fill notes and fills (ours, not the vendor's).
    const res = (await readXlsx(path.join(out, 'soldes-complet.resultats.xlsx'))).getWorksheet('Scénarios')!;
    expect(carried(res, '00001')).toEqual(ANSWERS['00001'].map((value) => ({ value, fill: null, note: '' })));
    // The column help notes of the headers, the vendor's as far as convert knows, are still there.
    expect(noteOf(res.getRow(1).getCell(colOf(res, '(isDirectToDMP)')))).toContain('DMP');
  });
});

describe('the correspondence avance → solde is declared in the solde mapping (« fromAvance »)', () => {
  const solde = () => loadMapping(mappingPathFor('solde'));
  const avance = () => loadMapping(mappingPathFor('avance'));
  /** The avance mapping as JSON, its list of operators referred to where it lies, to be changed and written elsewhere. */
  const avanceJson = () => {
    const json = readJson(mappingPathFor('avance'));
    json.lists.operateurs.file = path.join(path.dirname(mappingPathFor('avance')), json.lists.operateurs.file);
    return json;
  };

  it('three scenario answers, found in the avance line where the avance mapping writes them', () => {
    expect(carriedFields(solde(), avance()).map((f) => [f.sheet, f.field, f.avanceSheet, f.avanceField, f.linePath.join('.')])).toEqual([
      ['Scénarios', 'isDirectToDMP', 'Scénarios', 'isDirecToDMP', 'scenarioInstallation.isDirecToDMP'],
      ['Scénarios', 'isDirectToMSSPro', 'Scénarios', 'isDirectToMSSPro', 'scenarioInstallation.isDirectToMSSPro'],
      ['Scénarios', 'isDirectToMSSCitoyen', 'Scénarios', 'isDirectToMSSCitoyen', 'scenarioInstallation.isDirectToMSSCitoyen'],
    ]);
  });

  it('follows the avance mapping\'s output: another container is read there', () => {
    const file = path.join(tmpDir(), 'avance.json');
    const json = avanceJson();
    const line = json.output.file.find((n: any) => n.lines).lines;
    line.find((n: any) => n.key === 'scenarioInstallation').key = 'scenario';
    fs.writeFileSync(file, JSON.stringify(json));
    expect(carriedFields(solde(), loadMapping(file))[0].linePath).toEqual(['scenario', 'isDirecToDMP']);
  });

  it('refuses, in French, a fromAvance the avance does not write, or in an avance mapping or a sheet of many rows per demande', () => {
    const dir = tmpDir();
    const noDmpJson = avanceJson();
    const line = noDmpJson.output.file.find((n: any) => n.lines).lines;
    const scen = line.find((n: any) => n.key === 'scenarioInstallation');
    scen.object = scen.object.filter((n: any) => n.field !== 'isDirecToDMP');
    const noDmp = path.join(dir, 'sans-dmp.json');
    fs.writeFileSync(noDmp, JSON.stringify(noDmpJson));
    expect(() => carriedFields(solde(), loadMapping(noDmp))).toThrow(/la colonne isDirectToDMP \(feuille « Scénarios »\) reprend « isDirecToDMP » de l'avance/);

    const inAvance = avanceJson();
    inAvance.sheets.find((s: any) => s.name === 'Scénarios').columns[1].fromAvance = 'isIdRef';
    const f1 = path.join(dir, 'avance-from.json');
    fs.writeFileSync(f1, JSON.stringify(inAvance));
    expect(() => loadMapping(f1)).toThrow(/« fromAvance » ne va que dans une correspondance de solde/);

    const onFiness = readJson(mappingPathFor('solde'));
    onFiness.sheets.find((s: any) => s.name === 'FINESS').columns[1].fromAvance = 'numeroFINESSGeos';
    const f2 = path.join(dir, 'solde-finess.json');
    fs.writeFileSync(f2, JSON.stringify(onFiness));
    expect(() => loadMapping(f2)).toThrow(/« fromAvance » demande une feuille d'une ligne par demande/);
  });
});
