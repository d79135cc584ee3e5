import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { runConvert } from '../src/commands/convert.js';
import { buildTemplate } from '../src/template/template.js';
import { avanceExample } from '../src/template/example.js';
import { fieldOfHeader } from '../src/read/sheet.js';
import { columnLetter } from '../src/issues/issues.js';
import { findWorksheet } from '../src/rules/validate.js';
import type { Report } from '../src/report/report.js';
import { avanceMapping, root, SCENARIO_BOOLEANS, tmpDir, writeWorkbook, type SheetRows } from './helpers.js';

/**
 * Property-based tests (fast-check, fixed seeds): random valid demandes, in all the forms a spreadsheet
 * gives them (text or Excel dates and numbers, OUI/vrai/TRUE/1, « 27 450,50 € », FINESS on one row each or
 * several in a cell…), written to a workbook and converted, give a JSON holding exactly their data; and a
 * random bad value in a random cell of a random demande rejects that demande, with an error on that very
 * cell, while every other demande is accepted and written — never an exception, never exit code 2.
 *
 * Each case is one batch of 1 to 30 demandes in one workbook, converted in process (runConvert), so that
 * thousands of demandes and hundreds of corruptions are covered in well under a minute (200 batches each:
 * about 3,000 valid demandes and 700 corruptions with these seeds).
 */

const DATE = '20261124';
const DEPOSIT = Date.UTC(2026, 10, 24);
const mapping = avanceMapping();
const operateurs: { code: string; label: string }[] = JSON.parse(
  fs.readFileSync(path.join(root, 'mappings', 'listes', 'operateurs-messagerie.json'), 'utf8'),
).items;

/** Column letter of each field in the template, by sheet (the rows are written there by writeWorkbook). */
const LETTERS: Record<string, Record<string, string>> = (() => {
  const wb = buildTemplate(mapping, avanceExample, 1);
  const out: Record<string, Record<string, string>> = {};
  for (const spec of mapping.sheets) {
    const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
    const ws = findWorksheet(wb, spec.name)!;
    out[spec.name] = {};
    ws.getRow(1).eachCell((cell, col) => {
      const f = typeof cell.value === 'string' ? fieldOfHeader(cell.value, known) : undefined;
      if (f) out[spec.name][f] = columnLetter(col);
    });
  }
  return out;
})();

// ---------------------------------------------------------------------------------------------------
// Values and the forms a cell may give them

type Cell = ExcelJS.CellValue;
/** A value as the JSON must hold it, and as a cell holds it. */
interface Given<T> {
  value: T;
  cell: Cell;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const dateArb: fc.Arbitrary<Given<string>> = fc
  .tuple(fc.integer({ min: Date.UTC(2019, 0, 1) / 864e5, max: DEPOSIT / 864e5 }), fc.integer({ min: 0, max: 4 }))
  .map(([day, form]) => {
    const d = new Date(day * 864e5);
    const [j, m, a] = [d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear()];
    const value = `${pad(j)}/${pad(m)}/${a}`;
    const cell: Cell = [d, value, `${j}/${m}/${a}`, `${a}-${pad(m)}-${pad(j)}`, day + 25569][form];
    return { value, cell };
  });

/** An amount in cents, as an Excel number or a French text (thousands separators, decimal comma, €). */
const amountArb: fc.Arbitrary<Given<number> & { text: string }> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 9_999_999_99 })),
    fc.integer({ min: 0, max: 4 }),
    fc.constantFrom(' ', '\u00a0', '\u202f', ''),
    fc.boolean(),
  )
  .map(([cents, form, sep, euro]) => {
    const euros = Math.floor(cents / 100);
    const cc = pad(cents % 100);
    const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
    const short = cc === '00' ? '' : cc.endsWith('0') ? `,${cc[0]}` : `,${cc}`;
    const cell: Cell = [cents / 100, `${grouped},${cc}`, `${grouped}${short}${euro ? ' €' : ''}`, `${euros}.${cc}`, `${euros}${short}`][form];
    return { value: cents / 100, cell, text: `${euros}.${cc}` };
  });

const BOOLEAN_FORMS: [Cell, Cell][] = [['OUI', 'NON'], ['oui', 'non'], ['Vrai', 'Faux'], ['TRUE', 'FALSE'], [true, false], [1, 0], ['1', '0']];
const boolArb: fc.Arbitrary<Given<boolean>> = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: BOOLEAN_FORMS.length - 1 }))
  .map(([value, form]) => ({ value, cell: BOOLEAN_FORMS[form][value ? 0 : 1] }));
const boolOf = (value: boolean): fc.Arbitrary<Given<boolean>> =>
  fc.integer({ min: 0, max: BOOLEAN_FORMS.length - 1 }).map((form) => ({ value, cell: BOOLEAN_FORMS[form][value ? 0 : 1] }));

/** An enum value, written as is, in lower case or with spaces around. */
const enumOf = (values: string[], aliases: Record<string, string> = {}): fc.Arbitrary<Given<string>> =>
  fc.tuple(fc.constantFrom(...values, ...Object.keys(aliases)), fc.integer({ min: 0, max: 2 })).map(([v, form]) => ({
    value: aliases[v] ?? v,
    cell: [v, v.toLowerCase(), ` ${v} `][form],
  }));

const operateurArb: fc.Arbitrary<Given<string>> = fc
  .tuple(fc.constantFrom(...operateurs), fc.integer({ min: 0, max: 2 }))
  .map(([o, form]) => ({ value: o.code, cell: [o.code, `${o.code} — ${o.label}`, o.code.toLowerCase()][form] }));

/** Upper-case names (accents, spaces, hyphens, apostrophes), under 50 characters. */
const nameArb = fc.stringMatching(/^[A-ZÉÈÀÇ][A-ZÉÈÀÇ '-]{0,40}[A-Z]$/);
const emailArb = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,15}[a-z0-9])?@[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?\.(fr|com|org)$/).filter((s) => !s.includes('..'));
const phoneArb = fc.stringMatching(/^(\+33 |0)[1-9]( ?[0-9]{2}){4}$/);
const finessArb = fc.oneof(fc.stringMatching(/^[0-9]{9}$/), fc.stringMatching(/^2[AB][0-9]{7}$/));
/** A FINESS cell: text, or an Excel number when it has no leading zero. */
const finessCell = (f: string, asNumber: boolean): Cell => (asNumber && /^[1-9][0-9]{8}$/.test(f) ? Number(f) : f);

function siretWithKey(body: string): string {
  let sum = 0;
  for (let i = 0; i < 13; i++) {
    let d = Number(body[12 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
const headerArb = fc.record({
  numeroAns: fc.stringMatching(/^[A-Z0-9]{10}$/),
  SIRET: fc.stringMatching(/^[0-9]{13}$/).map(siretWithKey),
  profils: fc.array(fc.option(boolArb, { nil: undefined }), { minLength: 4, maxLength: 4 }),
});

const PJ_CODES: Record<string, string> = { BON_COMMANDE: 'BDC', PREUVE_HT: 'HT', PREUVE_ACT_BIO: 'PAB', ATTESTATION_HONNEUR: 'AH' };

interface Structure {
  juridique: string;
  juridiqueAsNumber: boolean;
  nom: string;
  email: string;
  tel: string;
  geos: string[];
  /** One row with every geo in its cell (with this separator), or one row per geo. */
  joinWith: string | null;
}
interface PieceGen {
  type: Given<string>;
  format: Given<string>;
  named: boolean;
}
interface DemandeGen {
  date: Given<string>;
  regime: Given<string>;
  amount: Given<number> & { text: string };
  /** 0: client unique; 1: several structures, no mandataire; 2: several structures and a mandataire. */
  kind: 0 | 1 | 2;
  isMandataire: Given<boolean>;
  isClientUnique: Given<boolean>;
  mandataire: { nom: string; email: string; tel: string };
  structures: Structure[];
  pieces: PieceGen[];
  scenario: Given<boolean>[];
  operateur: Given<string>;
  keyAsNumber: boolean;
}

const demandeArb: fc.Arbitrary<DemandeGen> = fc
  .integer({ min: 0, max: 2 })
  .chain((kind) =>
    fc.record({
      date: dateArb,
      regime: enumOf(['HT', 'TTC']),
      amount: amountArb,
      kind: fc.constant(kind as 0 | 1 | 2),
      isMandataire: boolOf(kind === 2),
      isClientUnique: boolOf(kind === 0),
      mandataire: fc.record({ nom: nameArb, email: emailArb, tel: phoneArb }),
      structures: fc
        .tuple(
          fc.uniqueArray(finessArb, { minLength: 3, maxLength: 3 }),
          fc.uniqueArray(finessArb, { minLength: 9, maxLength: 9 }),
          fc.array(
            fc.record({
              count: fc.integer({ min: 1, max: 3 }),
              joinWith: fc.constantFrom(null, ';', '; ', ' ; ', '\n'),
              nom: nameArb,
              email: emailArb,
              tel: phoneArb,
              juridiqueAsNumber: fc.boolean(),
            }),
            { minLength: kind === 0 ? 1 : 2, maxLength: kind === 0 ? 1 : 3 },
          ),
        )
        .map(([jur, geos, groups]) => {
          let next = 0;
          return groups.map((g, i) => ({ ...g, juridique: jur[i], geos: geos.slice(next, (next += g.count)) }));
        }),
      pieces: fc
        .tuple(
          fc.shuffledSubarray(['PREUVE_HT', 'PREUVE_ACT_BIO', 'ATTESTATION_HONNEUR']),
          fc.nat(),
          fc.array(fc.record({ typeForm: fc.integer({ min: 0, max: 2 }), format: enumOf(['PDF', 'PNG', 'JPG'], { JPEG: 'JPG' }), named: fc.boolean() }), {
            minLength: 4,
            maxLength: 4,
          }),
        )
        .map(([others, at, details]) => {
          // One BON_COMMANDE, anywhere among the other pieces.
          const types = [...others];
          types.splice(at % (others.length + 1), 0, 'BON_COMMANDE');
          return types.map((t, k) => ({ type: { value: t, cell: [t, t.toLowerCase(), ` ${t} `][details[k].typeForm] }, format: details[k].format, named: details[k].named }));
        }),
      scenario: fc.array(boolArb, { minLength: SCENARIO_BOOLEANS.length, maxLength: SCENARIO_BOOLEANS.length }),
      operateur: operateurArb,
      keyAsNumber: fc.boolean(),
    }),
  );

interface Batch {
  header: { numeroAns: string; SIRET: string; profils: (Given<boolean> | undefined)[] };
  demandes: DemandeGen[];
  /** Numéros éditeur: distinct, in any order. */
  numbers: number[];
}
const batchArb: fc.Arbitrary<Batch> = fc.record({
  header: headerArb,
  // 1 to 30 demandes, evenly (fc.array alone favours short arrays).
  demandes: fc.integer({ min: 1, max: 30 }).chain((n) => fc.array(demandeArb, { minLength: n, maxLength: n })),
  numbers: fc.uniqueArray(fc.integer({ min: 1, max: 99_999 }), { minLength: 30, maxLength: 30 }),
});

// ---------------------------------------------------------------------------------------------------
// Batch → workbook rows (with where each value went) and → the JSON expected

/** Where a field of a demande was written: sheet, row number and column letter. */
interface Place {
  sheet: string;
  row: number;
  field: string;
  column: string;
}
interface Built {
  rows: SheetRows;
  /** Cells that may be corrupted, by demande, with the kind of value they hold. */
  targets: { num: string; place: Place; kind: string }[][];
  nums: string[];
}

function buildRows(b: Batch): Built {
  const rows: SheetRows = { Fichier: [], Commandes: [], FINESS: [], PJ: [], Scénarios: [] };
  const profilFields = ['profilReferentielIdentite', 'profilEsclaveIdentite', 'profilMailiz', 'profilEnvironnementHospitalier'];
  rows.Fichier.push({
    numeroAns: b.header.numeroAns,
    SIRET: b.header.SIRET,
    ...Object.fromEntries(profilFields.map((f, i) => [f, b.header.profils[i]?.cell ?? null])),
  });
  const nums = b.demandes.map((_, i) => pad(b.numbers[i], 5));
  const targets: Built['targets'] = [];
  // Row 1 holds the headers: the next row of a sheet is its row count + 2.
  const place = (sheet: string, field: string): Place => ({ sheet, row: rows[sheet].length + 2, field, column: LETTERS[sheet][field] });
  b.demandes.forEach((d, i) => {
    const num = nums[i];
    const key: Cell = d.keyAsNumber ? Number(num) : num;
    const t: Built['targets'][number] = [];
    const add = (sheet: string, kinds: Record<string, string>) => {
      for (const [field, kind] of Object.entries(kinds)) t.push({ num, place: place(sheet, field), kind });
    };
    add('Commandes', {
      dateCommande: 'date',
      regimeTVA: 'enum',
      montantSegurHT: 'amount',
      isMandataire: 'boolean',
      isClientUnique: 'boolean',
      ...(d.kind === 2 ? { nomMandataire: 'name', emailMandataire: 'email', telephoneMandataire: 'phone' } : {}),
    });
    rows.Commandes.push({
      numeroEditeur: key,
      dateCommande: d.date.cell,
      regimeTVA: d.regime.cell,
      montantSegurHT: d.amount.cell,
      isMandataire: d.isMandataire.cell,
      isClientUnique: d.isClientUnique.cell,
      nomMandataire: d.kind === 2 ? d.mandataire.nom : null,
      emailMandataire: d.kind === 2 ? d.mandataire.email : null,
      telephoneMandataire: d.kind === 2 ? d.mandataire.tel : null,
    });
    for (const s of d.structures) {
      const cells = s.joinWith === null ? s.geos.map((g) => finessCell(g, s.juridiqueAsNumber)) : [s.geos.join(s.joinWith)];
      for (const geos of cells) {
        add('FINESS', { numeroFINESSJuridique: 'finess', nomClient: 'name', emailClient: 'email', telephoneClient: 'phone', numeroFINESSGeos: 'finess' });
        rows.FINESS.push({
          numeroEditeur: key,
          numeroFINESSJuridique: finessCell(s.juridique, s.juridiqueAsNumber),
          nomClient: s.nom,
          emailClient: s.email,
          telephoneClient: s.tel,
          numeroFINESSGeos: geos,
        });
      }
    }
    for (const p of d.pieces) {
      add('PJ', { typeFichier: 'enum', formatFichier: 'enum', nomFichier: 'nomFichier' });
      rows.PJ.push({ numeroEditeur: key, typeFichier: p.type.cell, formatFichier: p.format.cell, nomFichier: p.named ? pieceName(p, num) : null });
    }
    add('Scénarios', { ...Object.fromEntries(SCENARIO_BOOLEANS.map((f) => [f, 'boolean'])), operateurMessagerie: 'code' });
    rows['Scénarios'].push({
      numeroEditeur: key,
      operateurMessagerie: d.operateur.cell,
      ...Object.fromEntries(SCENARIO_BOOLEANS.map((f, k) => [f, d.scenario[k].cell])),
    });
    targets.push(t);
  });
  return { rows, targets, nums };
}

const pieceName = (p: PieceGen, num: string) => `BIO-SGL-Va1-${PJ_CODES[p.type.value]}-${num}.${p.format.value.toLowerCase()}`;

function expectedLine(d: DemandeGen, num: string, numLigne: number) {
  return {
    numLigne,
    typeAction: 'C',
    numeroASP: null,
    numeroEditeur: num,
    commande: { dateCommande: d.date.value, regimeTVA: d.regime.value, montantSegurHT: d.amount.value },
    beneficiaires: {
      isMandataire: d.isMandataire.value,
      isClientUnique: d.isClientUnique.value,
      nomMandataire: d.kind === 2 ? d.mandataire.nom : null,
      emailMandataire: d.kind === 2 ? d.mandataire.email : null,
      telephoneMandataire: d.kind === 2 ? d.mandataire.tel : null,
      EtablissementsClients: d.structures.map((s) => ({
        numeroFINESSJuridique: s.juridique,
        nomClient: s.nom,
        emailClient: s.email,
        telephoneClient: s.tel,
        numeroFINESSGeos: s.geos,
      })),
    },
    piecesJustificatives: d.pieces.map((p) => ({ nomFichier: pieceName(p, num), formatFichier: p.format.value, typeFichier: p.type.value })),
    scenarioInstallation: {
      isIdRef: d.scenario[0].value,
      isIdSlave: d.scenario[1].value,
      operateurMessagerie: d.operateur.value,
      ...Object.fromEntries(SCENARIO_BOOLEANS.slice(2).map((f, k) => [f, d.scenario[k + 2].value])),
    },
    codeTraitement: null,
    libelleTraitement: null,
  };
}

// ---------------------------------------------------------------------------------------------------
// One batch → one workbook → one conversion, in process

const work = tmpDir('x2s-prop-');
let runs = 0;

async function convert(rows: SheetRows): Promise<{ exitCode: number; report: Report; dir: string }> {
  const dir = path.join(work, String(++runs));
  const file = await writeWorkbook(path.join(dir, 'lot.xlsx'), rows);
  const out = path.join(dir, 'out');
  let printed = '';
  const { exitCode, report } = await runConvert({ inputs: [file], outDir: out, date: DATE, json: true, stdout: (t) => void (printed += t) });
  expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(report)));
  return { exitCode, report, dir };
}

function checkJson(report: Report, b: Batch, nums: string[], keep: (i: number) => boolean) {
  const kept = b.demandes.map((d, i) => ({ d, i })).filter(({ i }) => keep(i));
  expect(report.jsonFiles).toHaveLength(kept.length ? 1 : 0);
  if (!kept.length) return;
  const text = fs.readFileSync(report.jsonFiles[0].path, 'utf8');
  expect(JSON.parse(text)).toEqual({
    impId: null,
    numeroAns: b.header.numeroAns,
    SIRET: b.header.SIRET,
    lignesImport: kept.map(({ d, i }, k) => expectedLine(d, nums[i], k + 1)),
  });
  // Amounts are written with their two decimals, never rounded.
  expect([...text.matchAll(/"montantSegurHT": ([0-9.]+)/g)].map((m) => m[1])).toEqual(kept.map(({ d }) => d.amount.text));
}

// ---------------------------------------------------------------------------------------------------
// Corruptions: a bad value for the kind of value a cell holds

const BAD: Record<string, Cell[]> = {
  date: ['31/02/2022', '2022-13-45', 'hier', '25/11/2026', '00/01/2022', 0, null],
  amount: ['12,345', 'beaucoup', '-100,00', 0, '1 000,001', '12.345,678', null],
  boolean: ['PEUT-ETRE', 'OUI/NON', '2', 'oui non', 2, null],
  enum: ['XYZ', 'PDF2', 'BON COMMANDE X', null],
  code: ['XYZ_99', 'ORANGE', null],
  finess: ['12345', '1234567890', '2C1234567', 'ABCDEFGHI', 12345, null],
  email: ['pas-une-adresse', 'a@b', 'x@@y.fr', 'jean dupont@exemple.fr', null],
  name: ['X'.repeat(50), 'NOM '.repeat(15).trim(), null],
  phone: ['0'.repeat(50), '01 23 45 67 89 '.repeat(4).trim(), null],
  nomFichier: ['mauvais-nom.pdf', 'BIO-SGL-Va1-XXX-00000.pdf'],
};

describe('property: valid demandes → workbook → convert → the JSON holds exactly their data', () => {
  it('random batches of 1 to 30 demandes (seed 20261124)', async () => {
    let demandes = 0;
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        const b = batch;
        const { rows, nums } = buildRows(b);
        const { exitCode, report, dir } = await convert(rows);
        const errors = report.issues.filter((i) => i.severity === 'erreur');
        expect(errors, JSON.stringify(errors.slice(0, 3), null, 1)).toEqual([]);
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(0);
        expect(report.demandes.map((d) => [d.numeroEditeur, d.status])).toEqual(nums.map((n) => [n, 'exportee']));
        checkJson(report, b, nums, () => true);
        demandes += b.demandes.length;
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { seed: 20261124, numRuns: 200, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true },
    );
    // Several hundred demandes, every run.
    expect(demandes).toBeGreaterThan(2000);
  }, 200_000);
});

describe('property: a bad value in a random cell rejects its demande, with an error on that cell; the others go through', () => {
  it('random corruptions of random batches (seed 20261125)', async () => {
    let corruptions = 0;
    const kinds = new Set<string>();
    const corruptedBatch = batchArb.chain((batch) => {
      const n = batch.demandes.length;
      return fc.record({
        batch: fc.constant(batch),
        // Up to 8 demandes of the batch get one bad cell each.
        picks: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: Math.min(8, n) }),
        choices: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 8, maxLength: 8 }),
      });
    });
    await fc.assert(
      fc.asyncProperty(corruptedBatch, async ({ batch, picks, choices }) => {
        const b = batch;
        const built = buildRows(b);
        const done = picks.map((i, k) => {
          const cands = built.targets[i];
          const target = cands[choices[k][0] % cands.length];
          const bad = BAD[target.kind][choices[k][1] % BAD[target.kind].length];
          const row = built.rows[target.place.sheet][target.place.row - 2];
          row[target.place.field] = bad;
          kinds.add(`${target.kind}:${target.place.field}`);
          return { i, target, bad };
        });
        let outcome: Awaited<ReturnType<typeof convert>>;
        try {
          outcome = await convert(built.rows);
        } catch (e) {
          throw new Error(`exception pendant la conversion : ${(e as Error).stack}`);
        }
        const { exitCode, report } = outcome;
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(1);
        const status = new Map(report.demandes.map((d) => [d.numeroEditeur, d.status]));
        for (const { i, target, bad } of done) {
          const where = `${target.place.sheet}!${target.place.column}${target.place.row} (${target.place.field} = ${JSON.stringify(bad)})`;
          expect(status.get(built.nums[i]), where).toBe('rejetee');
          const onCell = report.issues.filter(
            (x) =>
              x.severity === 'erreur' &&
              x.demande === built.nums[i] &&
              x.sheet === target.place.sheet &&
              x.row === target.place.row &&
              x.column === target.place.column,
          );
          expect(onCell.length, `aucune erreur sur ${where} : ${JSON.stringify(report.issues.filter((x) => x.demande === built.nums[i]))}`).toBeGreaterThan(0);
        }
        const bad = new Set(picks);
        for (let i = 0; i < b.demandes.length; i++) if (!bad.has(i)) expect(status.get(built.nums[i]), built.nums[i]).toBe('exportee');
        // The other demandes are written, exactly.
        checkJson(report, b, built.nums, (i) => !bad.has(i));
        corruptions += done.length;
        fs.rmSync(outcome.dir, { recursive: true, force: true });
      }),
      { seed: 20261125, numRuns: 200, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true },
    );
    expect(corruptions).toBeGreaterThan(500);
    // Every kind of value got corrupted somewhere.
    expect(new Set([...kinds].map((k) => k.split(':')[0]))).toEqual(new Set(Object.keys(BAD)));
  }, 200_000);
});

describe('fixtures of the properties', () => {
  it('the SIRET generator gives valid keys, and the FINESS in a cell as a number keeps its nine digits', async () => {
    const sample = fc.sample(headerArb, { seed: 1, numRuns: 50 });
    const { siretKeyValid } = await import('../src/rules/named.js');
    for (const h of sample) expect(siretKeyValid(h.SIRET), h.SIRET).toBe(true);
    expect(finessCell('130000011', true)).toBe(130000011);
    expect(finessCell('030000011', true)).toBe('030000011');
  });
});

describe('property: the byte size written in the report is the UTF-8 size of the JSON text', () => {
  it('utf8Length equals TextEncoder on any text, lone surrogates included (seed 20261204)', async () => {
    const { utf8Length } = await import('../src/emit/json-text.js');
    const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }));
    fc.assert(
      fc.property(anyText, (s) => utf8Length(s) === new TextEncoder().encode(s).length),
      { seed: 20261204, numRuns: 2000 },
    );
  });
});
