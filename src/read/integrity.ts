/**
 * What a package must hold for Excel to open it without repairing it, checked once when it is opened,
 * before anything is read or written from it: its list of part types, every part its relationships name,
 * sheet names Excel accepts, XML parts that are well formed, styles that name what exists. A sheet's rows
 * are checked as they are read (read/package.ts, sheet-xml.ts). A fault is told in the vendor's terms
 * (IntegrityFault.what) and in XML terms (detail), in French.
 */
import { attr, elements, firstContent } from './xml.js';

export class IntegrityFault extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what} (${detail})`);
  }
}

/** The lexical form of xsd:double, which OOXML numbers follow. */
export const XSD_DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Characters Excel refuses in a sheet name, and its length limit. */
const BAD_SHEET_NAME = /[:\\/?*[\]]/;

export function checkSheetNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const bad = name.length === 0 || name.length > 31 || BAD_SHEET_NAME.test(name) || name.startsWith("'") || name.endsWith("'");
    if (bad) throw new IntegrityFault(`le nom de feuille « ${name} » n'est pas un nom qu'Excel accepte`, 'de 1 à 31 caractères, sans : \\ / ? * [ ] ni apostrophe au début ou à la fin');
    const key = name.toLocaleLowerCase('fr-FR');
    if (seen.has(key)) throw new IntegrityFault(`deux feuilles portent le nom « ${name} »`, 'noms de feuilles en double');
    seen.add(key);
  }
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!([A-Za-z]+)|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=<>/]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|</g;

/** Checks that an XML part is well formed: every start tag closed in order, attributes quoted, no DTD, one root. Linear in the text. */
export function checkXml(part: string, xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  const re = new RegExp(TOKEN.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    if (m[0] === '<') throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : balise illisible à la position ${m.index}`);
    if (m[1]) throw new IntegrityFault('une partie du classeur contient une déclaration interdite', `partie ${part} : <!${m[1]}`);
    const name = m[3];
    if (!name) continue;
    if (m[2]) {
      if (stack.pop() !== name) throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : </${name}> ne ferme pas l'élément ouvert`);
      continue;
    }
    if (!stack.length && ++roots > 1) throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : plusieurs éléments racines`);
    if (!m[5]) stack.push(name);
  }
  if (stack.length) throw new IntegrityFault('une partie du classeur est incomplète', `partie ${part} : <${stack[stack.length - 1]}> jamais fermé`);
  if (!roots) throw new IntegrityFault('une partie du classeur est vide', `partie ${part}`);
}

/** The xf elements of one list of styles.xml (cellXfs or cellStyleXfs), or undefined when it is absent. */
function xfsOf(xml: string, list: string): string[] | undefined {
  const body = firstContent(xml, list);
  return body === undefined ? undefined : [...elements(body, 'xf')].map((e) => e.tag);
}

function countOf(xml: string, list: string, item: string): number | undefined {
  const body = firstContent(xml, list);
  return body === undefined ? undefined : [...elements(body, item)].length;
}

/**
 * Checks that every style names fonts, fills, borders and parent styles that exist: Excel repairs a
 * workbook whose styles name missing ones, and openpyxl refuses it.
 */
export function checkStyles(part: string, xml: string): void {
  const limits: [string, number | undefined][] = [
    ['fontId', countOf(xml, 'fonts', 'font')],
    ['fillId', countOf(xml, 'fills', 'fill')],
    ['borderId', countOf(xml, 'borders', 'border')],
  ];
  const parents = xfsOf(xml, 'cellStyleXfs');
  const cellXfs = (xfsOf(xml, 'cellXfs') ?? []).map((tag) => ({ tag, list: 'cellXfs', parent: true }));
  const styleXfs = (parents ?? []).map((tag) => ({ tag, list: 'cellStyleXfs', parent: false }));
  for (const { tag, list, parent } of [...styleXfs, ...cellXfs]) {
    const checks = parent ? [...limits, ['xfId', parents?.length] as [string, number | undefined]] : limits;
    for (const [name, count] of checks) checkIndex(part, `${list} : ${name}`, attr(tag, name), count);
  }
  for (const e of elements(firstContent(xml, 'cellStyles') ?? '', 'cellStyle')) {
    checkIndex(part, 'cellStyles : xfId', attr(e.tag, 'xfId'), parents?.length);
  }
}

function checkIndex(part: string, what: string, value: string | undefined, count: number | undefined): void {
  if (value === undefined || count === undefined) return;
  if (!/^\d+$/.test(value) || Number(value) >= count) {
    throw new IntegrityFault('les styles du classeur renvoient à un style qui n\'existe pas', `partie ${part} : ${what}="${value}", ${count} disponibles`);
  }
}
