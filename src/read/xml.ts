import path from 'node:path';

/**
 * Small, fast helpers for the XML parts of an .xlsx package (SpreadsheetML), read and rewritten as text,
 * and for the names of its parts and relationships. Elements may carry a namespace prefix (<x:row>,
 * written by some libraries): every pattern allows one.
 */

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text an XML text node or attribute value stands for. */
export function decodeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (all, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return NAMED[name];
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

/** Characters XML 1.0 does not allow at all (control characters other than tab, CR, LF). */
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text as an XML text node or attribute value (double-quoted). */
export function encodeXml(text: string): string {
  return text.replace(INVALID, '').replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const ATTR_CACHE = new Map<string, RegExp>();

/** The value of the attribute `name` (a local name: "id" finds "r:id") of a start tag, decoded. */
export function attr(tag: string, name: string): string | undefined {
  let re = ATTR_CACHE.get(name);
  if (!re) ATTR_CACHE.set(name, (re = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)));
  const m = re.exec(tag);
  return m ? decodeXml(m[1] ?? m[2]) : undefined;
}

const NAMED_ATTR = new Map<string, RegExp>();

/** The attribute `name` (exactly, with its prefix if any) and the blank before it. */
function namedAttr(name: string): RegExp {
  let re = NAMED_ATTR.get(name);
  if (!re) NAMED_ATTR.set(name, (re = new RegExp(`(\\s)${name}\\s*=\\s*(?:"[^"]*"|'[^']*')`)));
  return re;
}

/** Sets (or adds) the attribute `name` of a start tag ("<xf ...>" or "<xf .../>"). */
export function setAttr(tag: string, name: string, value: string): string {
  const re = namedAttr(name);
  if (re.test(tag)) return tag.replace(re, `$1${name}="${encodeXml(value)}"`);
  return tag.replace(/^(<[\w.:-]+)/, `$1 ${name}="${encodeXml(value)}"`);
}

/** Removes the attribute `name` of a start tag. */
export function removeAttr(tag: string, name: string): string {
  return tag.replace(namedAttr(name), '');
}

/**
 * Patterns of this reader stay linear on any text. A start tag is matched with [^<>]: XML allows no "<"
 * inside a tag, so a tag left unclosed fails at the next "<" instead of letting every later "<" scan on to
 * the next ">" (quadratic). An element's end is one forward search from its start tag, never a lazy match
 * retried at every position.
 */
const START_TAGS = new Map<string, RegExp>();
const END_TAGS = new Map<string, RegExp>();

function startTags(name: string): RegExp {
  let re = START_TAGS.get(name);
  if (!re) START_TAGS.set(name, (re = new RegExp(`<(?:[\\w.-]+:)?${name}(?=[\\s/>])[^<>]*?(/>|>)`, 'g')));
  return re;
}

/** Where the end tag of `name` (any prefix) first is, from `from`: its start and end, or undefined. */
export function endTag(xml: string, name: string, from: number): { index: number; end: number } | undefined {
  let re = END_TAGS.get(name);
  if (!re) END_TAGS.set(name, (re = new RegExp(`</(?:[\\w.-]+:)?${name}\\s*>`, 'g')));
  re.lastIndex = from;
  const m = re.exec(xml);
  return m ? { index: m.index, end: re.lastIndex } : undefined;
}

/**
 * Every element `name` (any prefix) of a text, with its start tag and its content (undefined when it is
 * empty, <name/>). Elements of that name must not nest; one left open runs to the end of the text.
 */
export function* elements(xml: string, name: string): Generator<{ tag: string; body: string | undefined; index: number; end: number }> {
  // A pattern of its own: the generator may be suspended while another one runs.
  const re = new RegExp(startTags(name).source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    const tag = m[0];
    if (m[1] === '/>') {
      yield { tag, body: undefined, index: m.index, end: re.lastIndex };
      continue;
    }
    const c = endTag(xml, name, re.lastIndex);
    const end = c ? c.end : xml.length;
    yield { tag, body: xml.slice(re.lastIndex, c ? c.index : xml.length), index: m.index, end };
    re.lastIndex = end;
  }
}

/** The content of the first element `name` of a text ('' for <name/>), undefined when it has none. */
export function firstContent(xml: string, name: string): string | undefined {
  const re = startTags(name);
  re.lastIndex = 0;
  const m = re.exec(xml);
  if (!m) return undefined;
  if (m[1] === '/>') return '';
  const c = endTag(xml, name, re.lastIndex);
  return xml.slice(re.lastIndex, c ? c.index : xml.length);
}

/** A text without its elements `name` (each removed with its content; one left open, up to the end). */
function without(xml: string, name: string): string {
  const re = startTags(name);
  let out = '';
  let at = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    out += xml.slice(at, m.index);
    const c = m[1] === '/>' ? { end: re.lastIndex } : endTag(xml, name, re.lastIndex);
    at = c ? c.end : xml.length;
    re.lastIndex = at;
  }
  return out + xml.slice(at);
}

const T_RE = /<(?:[\w.-]+:)?t(?:\s[^<>]*)?(?:\/>|>([^<]*)<\/(?:[\w.-]+:)?t>)/g;

/** The text of a string item (<si>, <is>, <text> of a note): its <t> elements, phonetic runs left out. */
export function runText(body: string | undefined): string {
  if (!body) return '';
  const clean = body.includes('rPh') ? without(body, 'rPh') : body;
  let out = '';
  T_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = T_RE.exec(clean))) out += m[1] ?? '';
  return unescapeXstring(decodeXml(out));
}

/**
 * The characters XML cannot hold that a spreadsheet string escapes as _xHHHH_ (ECMA-376 §22.9.2.19: Excel
 * writes a carriage return as _x000D_); _x005F_ escapes an underscore that would read as such an escape.
 */
export function unescapeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Column number (1-based) of a cell reference ("AB12" → 28); 0 when it has no letters. */
export function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + c - 64;
    else if (c >= 97 && c <= 122) n = n * 26 + c - 96;
    else break;
  }
  return n;
}

/** Row number of a cell reference ("AB12" → 12). */
export function rowOf(ref: string): number {
  const m = /\d+/.exec(ref);
  return m ? Number(m[0]) : 0;
}

/**
 * The part a relationship target names. Targets are relative to the folder of the relationship's source
 * part (`sourceDir`, "/xl/worksheets"), or absolute ("/xl/comments/comment1.xml", as openpyxl writes them).
 */
export function resolveTarget(sourceDir: string, target: string): string {
  return path.posix.join(target.startsWith('/') ? '/' : sourceDir, target).slice(1);
}

/** A part as a target relative to `sourceDir` (the form exceljs 4.4.0 resolves, and Excel writes). */
export function relativeTarget(sourceDir: string, part: string): string {
  return path.posix.relative(sourceDir, '/' + part);
}

/** The folder a part's relationship targets are relative to ('' for the package itself: its root). */
export function sourceDirOf(part: string): string {
  return '/' + path.posix.dirname(part || 'x');
}

/** "xl/worksheets/sheet1.xml" → "xl/worksheets/_rels/sheet1.xml.rels"; '' → "_rels/.rels". */
export function relsPartOf(part: string): string {
  if (!part) return '_rels/.rels';
  return path.posix.join(path.posix.dirname(part), '_rels', path.posix.basename(part) + '.rels');
}

/** The part whose relationships a .rels part holds: the reverse of relsPartOf. */
export function sourceOfRels(relsPart: string): string {
  if (relsPart === '_rels/.rels') return '';
  return path.posix.join(path.posix.dirname(path.posix.dirname(relsPart)), path.posix.basename(relsPart).replace(/\.rels$/, ''));
}
