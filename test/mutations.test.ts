import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { runConvert } from '../src/commands/convert.js';
import { compareModel } from '../src/commands/modele.js';
import { mappingOf } from '../src/mapping/detect.js';
import { UserError } from '../src/util/errors.js';
import { runPython } from './clients.js';
import { demandeRows, HEADER, merge, root, tmpDir, writeWorkbook } from './helpers.js';

/**
 * The fault suite: hundreds of seeded mutations of real workbooks (byte flips, truncation, removed or
 * duplicated parts, XML mutations, hostile values and names), each converted in process as the CLI does.
 * Whatever the bytes, the tool answers: an exit code of 0, 1 or 2, never an unexpected error; the input is
 * never modified; every JSON file written parses, has the mapping's structure and only valid names, inside
 * the output folder; every results workbook opens in openpyxl. The same seeds give the same cases.
 */

const CASES = 520;
const SEED = 20261203;
const DATE = '20261124';

/** mulberry32: a small seeded generator, so that every run draws the same cases. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)] };
}
type Gen = ReturnType<typeof generator>;

const HOSTILE_TEXTS = [
  '../../../etc/passwd',
  '/../../../',
  'ANS/000/01',
  'ANS\\000\\01',
  'CON',
  '=HYPERLINK("http://exemple.invalid","x")',
  '+1+1',
  '@SUM(A1)',
  '_x0000_',
  '_xD800_',
  '\u202e0000000SNA',
  'x'.repeat(100_000),
  '0x1F',
  '1e400',
  '-0',
  ' 12 ',
  'Infinity',
  'NaN',
  '9'.repeat(400),
  '00001',
  'FINBIO000006',
  '<script>',
  '&amp;&lt;',
  '\u0007\u001b[31m',
];

const HOSTILE_NUMBERS = ['0x1F', '1e400', '-1e400', 'Infinity', 'NaN', ' 12 ', '5e-324', '1e15', '44515.99999999', '-0', '1_000', '0b101', '١٢٣'];

type Mutation = (bytes: Buffer, g: Gen) => Promise<Buffer>;

async function xmlParts(bytes: Buffer): Promise<{ zip: JSZip; names: string[] }> {
  const zip = await JSZip.loadAsync(bytes);
  return { zip, names: Object.keys(zip.files).filter((n) => /\.(xml|rels)$/.test(n)) };
}

async function rewrite(bytes: Buffer, g: Gen, pattern: RegExp, change: (xml: string, g: Gen) => string): Promise<Buffer> {
  const { zip, names } = await xmlParts(bytes);
  const candidates = names.filter((n) => pattern.test(n));
  const name = g.pick(candidates.length ? candidates : names);
  zip.file(name, change(await zip.file(name)!.async('string'), g));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** A random element of an XML text: its start and end (whole element, or a single tag). */
function someElement(xml: string, g: Gen): [number, number] | undefined {
  const tags = [...xml.matchAll(/<([a-zA-Z][\w:.-]*)\b[^>]*?(\/?)>/g)];
  if (!tags.length) return undefined;
  const m = g.pick(tags);
  const start = m.index!;
  if (m[2]) return [start, start + m[0].length];
  const close = xml.indexOf(`</${m[1]}>`, start);
  return [start, close < 0 ? start + m[0].length : close + m[1].length + 3];
}

const MUTATIONS: Record<string, Mutation> = {
  async flipBytes(bytes, g) {
    const b = Buffer.from(bytes);
    for (let n = 1 + g.int(8); n > 0; n--) b[g.int(b.length)] ^= 1 + g.int(255);
    return b;
  },
  async truncate(bytes, g) {
    return bytes.subarray(0, g.int(bytes.length));
  },
  async removePart(bytes, g) {
    const zip = await JSZip.loadAsync(bytes);
    zip.remove(g.pick(Object.keys(zip.files).filter((n) => !zip.files[n].dir)));
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  },
  async duplicateElement(bytes, g) {
    return rewrite(bytes, g, /worksheets\/sheet|sharedStrings|workbook\.xml$/, (xml) => {
      const at = someElement(xml, g);
      return at ? xml.slice(0, at[1]) + xml.slice(at[0], at[1]) + xml.slice(at[1]) : xml;
    });
  },
  async removeElement(bytes, g) {
    return rewrite(bytes, g, /worksheets\/sheet|sharedStrings|workbook\.xml$|styles/, (xml) => {
      const at = someElement(xml, g);
      return at ? xml.slice(0, at[0]) + xml.slice(at[1]) : xml;
    });
  },
  async repeatRow(bytes, g) {
    return rewrite(bytes, g, /worksheets\/sheet\d+\.xml$/, (xml) => {
      const rows = [...xml.matchAll(/<row\b[\s\S]*?<\/row>/g)];
      if (!rows.length) return xml;
      const r = g.pick(rows);
      return xml.slice(0, r.index! + r[0].length) + r[0].repeat(1 + g.int(300)) + xml.slice(r.index! + r[0].length);
    });
  },
  async hostileReference(bytes, g) {
    return rewrite(bytes, g, /worksheets\/sheet\d+\.xml$/, (xml) =>
      xml.replace(/\br="([A-Z]+\d+)"/, () => `r="${g.pick(['A0', 'ZZZZZ99999999', 'A-1', '', 'XFE1', 'A1048577', 'a2', '1A'])}"`),
    );
  },
  async hostileNumber(bytes, g) {
    return rewrite(bytes, g, /worksheets\/sheet\d+\.xml$/, (xml) => {
      const cells = [...xml.matchAll(/<c\b([^>]*)>(?:<f>[^<]*<\/f>)?<v>[^<]*<\/v><\/c>/g)];
      if (!cells.length) return xml;
      const c = g.pick(cells);
      const attrs = c[1].replace(/\st="[^"]*"/, '');
      return xml.slice(0, c.index!) + `<c${attrs}><v>${g.pick(HOSTILE_NUMBERS)}</v></c>` + xml.slice(c.index! + c[0].length);
    });
  },
  async hostileText(bytes, g) {
    return rewrite(bytes, g, /sharedStrings|worksheets\/sheet\d+\.xml$/, (xml) => {
      const texts = [...xml.matchAll(/<t(\s[^>]*)?>([^<]*)<\/t>/g)];
      if (!texts.length) return xml;
      const t = g.pick(texts);
      const value = g.pick(HOSTILE_TEXTS).replace(/&/g, '&amp;').replace(/</g, '&lt;');
      return xml.slice(0, t.index!) + `<t xml:space="preserve">${value}</t>` + xml.slice(t.index! + t[0].length);
    });
  },
  async entities(bytes, g) {
    return rewrite(bytes, g, /sharedStrings|worksheets\/sheet\d+\.xml$|workbook\.xml$/, (xml) => {
      const doctype = g.pick([
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x SYSTEM "http://exemple.invalid/x.dtd">',
      ]);
      return xml.replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl}${doctype}`).replace(/<t>/, '<t>&b;&xxe;');
    });
  },
  async deepNesting(bytes, g) {
    return rewrite(bytes, g, /sharedStrings/, (xml) => xml.replace(/<t>/, `${'<r>'.repeat(2000 + g.int(3000))}<t>`));
  },
  async renameSheet(bytes, g) {
    return rewrite(bytes, g, /workbook\.xml$/, (xml) =>
      xml.replace(/(<sheet\b[^>]*\bname=")([^"]*)"/, (_, a) => `${a}${g.pick(['../../x', 'Synthèse', '', 'Commandes', 'FINESS', 'x'.repeat(40)])}"`),
    );
  },
};

interface Outcome {
  family: string;
  index: number;
  problem?: string;
  results: string[];
}

/** Every path under a folder. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Checks what a run wrote: JSON files that parse, with the mapping's structure and valid names. */
function checkOutputs(out: string): string | undefined {
  for (const file of listFiles(out)) {
    if (!path.resolve(file).startsWith(path.resolve(out) + path.sep)) return `écrit hors du dossier : ${file}`;
    const name = path.basename(file);
    if (!name.endsWith('.json') || name === 'xlsx2segur-journal.json') continue;
    if (!/^JSON-[A-Za-z0-9]{10}-\d{8}-\d{3}\.json$/.test(name)) return `nom de fichier JSON invalide : ${name}`;
    let json: any;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      return `${name} ne se relit pas : ${(e as Error).message}`;
    }
    const kind = json.lignesImport?.[0] && 'facture' in json.lignesImport[0] ? 'solde' : 'avance';
    const diffs = compareModel(json, mappingOf(kind).output.file);
    if (diffs.length) return `${name} n'a pas la structure de la correspondance : ${JSON.stringify(diffs[0])}`;
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(fs.readFileSync(file, 'utf8'))) return `${name} contient un caractère de contrôle`;
  }
  return undefined;
}

async function runCase(dir: string, base: Buffer, family: string, index: number, g: Gen): Promise<Outcome> {
  const bytes = await MUTATIONS[family](base, g);
  const file = path.join(dir, `cas-${index}.xlsx`);
  fs.writeFileSync(file, bytes);
  const out = path.join(dir, `out-${index}`);
  let printed = '';
  let problem: string | undefined;
  try {
    const { exitCode } = await runConvert({ inputs: [file], outDir: out, date: DATE, json: true, quiet: true, stdout: (t) => void (printed += t) });
    if (![0, 1, 2].includes(exitCode)) problem = `code de sortie ${exitCode}`;
  } catch (e) {
    if (!(e instanceof UserError)) problem = `erreur inattendue : ${(e as Error).stack}`;
  }
  if (!problem && /erreur inattendue/i.test(printed)) problem = `« erreur inattendue » dans la sortie : ${printed.slice(0, 400)}`;
  if (!problem && !fs.readFileSync(file).equals(bytes)) problem = "le classeur d'entrée a été modifié";
  problem ??= checkOutputs(out);
  const results = listFiles(out).filter((f) => f.endsWith('.resultats.xlsx'));
  return { family, index, problem, results };
}

const OPEN_ALL_PY = `
import sys, json, openpyxl
bad = []
for f in json.load(open(sys.argv[1])):
    try:
        openpyxl.load_workbook(f).close()
    except Exception as e:
        bad.append([f, repr(e)[:300]])
print(json.dumps(bad))
`;

describe('the fault suite: seeded mutations of real workbooks', () => {
  const outcomes: Outcome[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = tmpDir('x2s-mutations-');
    const built = await writeWorkbook(
      path.join(dir, 'base.xlsx'),
      merge({ Fichier: [HEADER] }, demandeRows('00001'), demandeRows('00002', { Commandes: { montantSegurHT: '12 500,50' } }), demandeRows('00003')),
    );
    const bases = [fs.readFileSync(built), fs.readFileSync(path.join(root, 'samples', 'avec-erreurs.xlsx')), fs.readFileSync(path.join(root, 'samples', 'solde-exemple-specification.xlsx'))];
    const families = Object.keys(MUTATIONS);
    const g = generator(SEED);
    for (let i = 0; i < CASES; i++) {
      const family = families[i % families.length];
      outcomes.push(await runCase(dir, bases[g.int(bases.length)], family, i, g));
    }
  }, 600_000);

  it(`${CASES} cases, every family drawn: exit 0, 1 or 2, no unexpected error, input unchanged, valid JSON only`, () => {
    expect(outcomes).toHaveLength(CASES);
    expect(new Set(outcomes.map((o) => o.family)).size).toBe(Object.keys(MUTATIONS).length);
    const failed = outcomes.filter((o) => o.problem).map((o) => `cas ${o.index} (${o.family}) : ${o.problem}`);
    expect(failed).toEqual([]);
  });

  it('every results workbook written opens in openpyxl', () => {
    const all = outcomes.flatMap((o) => o.results);
    expect(all.length).toBeGreaterThan(CASES / 5);
    const list = path.join(dir, 'resultats.json');
    fs.writeFileSync(list, JSON.stringify(all));
    const bad = JSON.parse(runPython(OPEN_ALL_PY, [list]));
    if (process.env.MUTATIONS_KEEP) {
      fs.mkdirSync(process.env.MUTATIONS_KEEP, { recursive: true });
      for (const [f] of bad) {
        fs.copyFileSync(f, path.join(process.env.MUTATIONS_KEEP, path.basename(f)));
        const input = path.join(dir, path.basename(f).replace('.resultats', ''));
        fs.copyFileSync(input, path.join(process.env.MUTATIONS_KEEP, path.basename(input)));
      }
      fs.writeFileSync(path.join(process.env.MUTATIONS_KEEP, 'bad.json'), JSON.stringify(bad, null, 1));
    }
    expect(bad).toEqual([]);
  }, 300_000);
});
