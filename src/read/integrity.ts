/**
 * What a package must hold for Excel to open it without repairing it, checked once when it is opened,
 * before anything is read or written from it: its list of part types, every part its relationships name,
 * sheet names Excel accepts, and XML parts that are well formed. In sheets, every cell and row reference
 * lies within Excel's limits, every style and shared string a cell names exists, and every number is
 * written as a number (xsd:double: no hexadecimal, no spaces, no Infinity). A fault is told in the vendor's
 * terms (IntegrityFault.what) and in XML terms (detail), in French.
 */
import { MAX_COL, MAX_ROW } from './sheet-xml.js';
import { attr, columnOf, elements, firstContent } from './xml.js';

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

/** Where a sheet's cells and rows are checked, as the scanner meets them. */
interface SheetCheck {
  styles: number;
  strings: number;
}

/**
 * Checks that an XML part is well formed: every start tag closed in order, attributes quoted, no DTD, one
 * root. With `sheet`, also checks the cells and rows of a worksheet as they go by. Linear in the text.
 */
export function checkXml(part: string, xml: string, sheet?: SheetCheck): void {
  const stack: string[] = [];
  let roots = 0;
  let cell: { ref: string; t: string | undefined } | undefined;
  let valueAt = -1;
  const re = new RegExp(TOKEN.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    if (m[0] === '<') throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : balise illisible à la position ${m.index}`);
    if (m[1]) throw new IntegrityFault('une partie du classeur contient une déclaration interdite', `partie ${part} : <!${m[1]}`);
    const name = m[3];
    if (!name) continue;
    if (m[2]) {
      if (stack.pop() !== name) throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : </${name}> ne ferme pas l'élément ouvert`);
      if (sheet) {
        const local = localName(name);
        if (local === 'v' && cell && valueAt >= 0) checkValue(part, cell, xml.slice(valueAt, m.index), sheet);
        if (local === 'c') cell = undefined;
        valueAt = -1;
      }
      continue;
    }
    if (!stack.length && ++roots > 1) throw new IntegrityFault('une partie du classeur est mal formée', `partie ${part} : plusieurs éléments racines`);
    if (sheet) {
      const local = localName(name);
      if (local === 'c') cell = checkCell(part, m[4], sheet);
      else if (local === 'row') checkRow(part, m[4]);
      else if (local === 'v') valueAt = re.lastIndex;
    }
    if (!m[5]) stack.push(name);
    else if (sheet && localName(name) === 'c') cell = undefined;
  }
  if (stack.length) throw new IntegrityFault('une partie du classeur est incomplète', `partie ${part} : <${stack[stack.length - 1]}> jamais fermé`);
  if (!roots) throw new IntegrityFault('une partie du classeur est vide', `partie ${part}`);
}

function localName(name: string): string {
  const at = name.indexOf(':');
  return at < 0 ? name : name.slice(at + 1);
}

function attrOf(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[1] ?? m[2]) : undefined;
}

function checkRow(part: string, attrs: string): void {
  const r = attrOf(attrs, 'r');
  if (r !== undefined && !(/^\d{1,7}$/.test(r) && Number(r) >= 1 && Number(r) <= MAX_ROW)) {
    throw new IntegrityFault(`une ligne porte le numéro « ${r} », qui n'est pas un numéro de ligne d'Excel`, `partie ${part} : <row r="${r}">`);
  }
}

const CELL_TYPES = new Set(['b', 'd', 'e', 'inlineStr', 'n', 's', 'str']);

function checkCell(part: string, attrs: string, sheet: SheetCheck): { ref: string; t: string | undefined } {
  const r = attrOf(attrs, 'r');
  const ref = r === undefined ? undefined : /^([A-Z]{1,3})([1-9]\d{0,6})$/.exec(r);
  if (r !== undefined && (!ref || columnOf(ref[1]) > MAX_COL || Number(ref[2]) > MAX_ROW)) {
    throw new IntegrityFault(`une cellule a la référence « ${r} », qui n'est pas une cellule d'Excel`, `partie ${part} : <c r="${r}">`);
  }
  const s = attrOf(attrs, 's');
  if (s !== undefined && !(/^\d+$/.test(s) && Number(s) < Math.max(1, sheet.styles))) {
    throw new IntegrityFault(`la cellule ${r ?? ''} a un style qui n'existe pas`, `partie ${part} : s="${s}", ${sheet.styles} styles de cellule`);
  }
  const t = attrOf(attrs, 't');
  if (t !== undefined && !CELL_TYPES.has(t)) throw new IntegrityFault(`la cellule ${r ?? ''} a un type inconnu`, `partie ${part} : t="${t}"`);
  return { ref: r ?? '', t };
}

function checkValue(part: string, cell: { ref: string; t: string | undefined }, text: string, sheet: SheetCheck): void {
  if (text === '') return; // <v></v>: an empty cell, as openpyxl writes it
  if (cell.t === undefined || cell.t === 'n') {
    if (!XSD_DOUBLE.test(text) || !Number.isFinite(Number(text))) {
      throw new IntegrityFault(`la cellule ${cell.ref} contient « ${text.slice(0, 40)} » là où un nombre est écrit`, `partie ${part} : <v>${text.slice(0, 40)}</v> n'est pas un nombre xsd:double`);
    }
  } else if (cell.t === 's') {
    if (!/^\d+$/.test(text) || Number(text) >= sheet.strings) {
      throw new IntegrityFault(`la cellule ${cell.ref} renvoie à une chaîne partagée qui n'existe pas`, `partie ${part} : <v>${text.slice(0, 40)}</v>`);
    }
  } else if (cell.t === 'b' && text !== '0' && text !== '1') {
    throw new IntegrityFault(`la cellule ${cell.ref} contient « ${text.slice(0, 40)} » là où VRAI ou FAUX est écrit`, `partie ${part} : <v>${text.slice(0, 40)}</v>`);
  }
}

/** checkXml for a worksheet, with the number of cell styles and shared strings of its workbook. */
export function checkSheetXml(part: string, xml: string, styles: number, strings: number): void {
  checkXml(part, xml, { styles, strings });
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
