import type JSZip from 'jszip';
import { damagedWorkbook, entryBytes, entrySize, openZip } from './xlsx.js';
import { checkSheetNames, checkStyles, checkXml, IntegrityFault, XSD_DOUBLE } from './integrity.js';
import { attr, decodeXml, elements, firstContent, relsPartOf, resolveTarget, sourceOfRels, runText, sourceDirOf, unescapeXstring } from './xml.js';
import { cellsOf, columnName, mergeOf, MergeSweep, rowsOf, SheetFault, type CellMatch, type Merge, type RowMatch } from './sheet-xml.js';
import { CellError, cellScalar, type CellScalar } from './cell.js';
import type { Grid } from './sheet.js';
export { cellsOf, rowsOf, type CellMatch, type RowMatch } from './sheet-xml.js';
import { fold } from './sheet.js';
import { UserError } from '../util/errors.js';
import { nextTurn } from '../util/turn.js';

/** A relationship of a part, its target resolved to a part name ("xl/worksheets/sheet1.xml"). */
export interface Rel {
  id: string;
  type: string;
  /** Part name, without a leading slash; the raw target when external. */
  target: string;
  external: boolean;
}

export interface SheetEntry {
  name: string;
  /** Part name of the sheet's XML. */
  part: string;
  /** The sheet's whole <sheet> element in workbook.xml. */
  tag: string;
}

/** Number formats Excel does not write out (ECMA-376 §18.8.30), those exceljs's reading knows. */
const BUILTIN_FORMATS: Record<number, string> = {
  0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 9: '0%', 10: '0.00%', 11: '0.00E+00', 12: '# ?/?', 13: '# ??/??',
  14: 'mm-dd-yy', 15: 'd-mmm-yy', 16: 'd-mmm', 17: 'mmm-yy', 18: 'h:mm AM/PM', 19: 'h:mm:ss AM/PM', 20: 'h:mm', 21: 'h:mm:ss',
  22: 'm/d/yy "h":mm', 37: '#,##0 ;(#,##0)', 38: '#,##0 ;[Red](#,##0)', 39: '#,##0.00 ;(#,##0.00)', 40: '#,##0.00 ;[Red](#,##0.00)',
  45: 'mm:ss', 46: '[h]:mm:ss', 47: 'mmss.0', 48: '##0.0E+0', 49: '@',
};

/** A number format shows a date when it has date letters outside quotes and brackets (as exceljs decides). */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return /[ymdhMsb]+/.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** exceljs's conversion of a serial day number to a date (UTC). */
function excelDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
}

const WINDOW = 4 * 1024 * 1024;

/**
 * The rows of a sheet's XML, as windows of about WINDOW bytes, each cut just before a row's start tag (a
 * "<" in text is always escaped, so "<row" only starts a row): a big sheet is never one string.
 * Windows, head (before the first row) and tail (after the last) are byte strings: each character is one
 * byte of the UTF-8 text (latin1 decoding). The markup is ASCII, so it reads the same; offsets in a window
 * are offsets in the part, so unchanged stretches are copied as bytes; text values go through utf8().
 */
export function sheetWindows(buf: Buffer): { head: string; windows: () => Generator<{ text: string; start: number }>; tail: string; bodyStart: number; bodyEnd: number } {
  const start = findTag(buf, 'sheetData', 0);
  if (start < 0) return { head: buf.toString('latin1'), windows: function* () {}, tail: '', bodyStart: buf.length, bodyEnd: buf.length };
  const open = buf.indexOf('>', start);
  const selfClosed = buf[open - 1] === 0x2f;
  const bodyStart = open + 1;
  const bodyEnd = selfClosed ? bodyStart : lastCloseTag(buf, 'sheetData');
  const head = buf.toString('latin1', 0, bodyStart);
  const tail = buf.toString('latin1', bodyEnd);
  // The row tag, with the prefix the sheet uses ("<row" or "<x:row").
  const first = findTag(buf, 'row', bodyStart);
  const rowTag = first >= 0 && first < bodyEnd ? buf.toString('latin1', first, buf.indexOf('row', first) + 3) : '<row';
  return {
    head,
    tail,
    bodyStart,
    bodyEnd,
    windows: function* () {
      let pos = bodyStart;
      while (pos < bodyEnd) {
        let end = Math.min(pos + WINDOW, bodyEnd);
        if (end < bodyEnd) {
          let next = buf.indexOf(rowTag, end);
          while (next >= 0 && next < bodyEnd && !isNameEnd(buf[next + rowTag.length])) next = buf.indexOf(rowTag, next + 1);
          end = next < 0 || next > bodyEnd ? bodyEnd : next;
        }
        yield { text: buf.toString('latin1', pos, end), start: pos };
        pos = end;
      }
    },
  };
}

/** The text a byte string (see sheetWindows) stands for. */
export function utf8(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

/** A text as a byte string (see sheetWindows). */
export function bytesOf(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

function isNameEnd(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x3e || byte === 0x2f || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** A byte of an XML name (and of a prefix): letters, digits, _ . - and the colon. */
function isNameByte(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x3a) || byte === 0x5f || byte === 0x2e || byte === 0x2d;
}

/** The local name of the tag whose name starts at `at` ("x:row" → "row"), and the offset after it. */
function localNameAt(buf: Buffer, at: number): { name: string; end: number } {
  let end = at;
  while (end < buf.length && end - at < 256 && isNameByte(buf[end])) end++;
  const q = buf.toString('latin1', at, end);
  return { name: q.slice(q.indexOf(':') + 1), end };
}

/** Offset of the start tag of `name` (any prefix) from `from`, or -1: each "<" is looked at once. */
function findTag(buf: Buffer, name: string, from: number): number {
  for (let i = buf.indexOf(0x3c, from); i >= 0; i = buf.indexOf(0x3c, i + 1)) {
    const q = localNameAt(buf, i + 1);
    if (q.name === name && isNameEnd(buf[q.end])) return i;
  }
  return -1;
}

/** Offset of the last end tag of `name` ("</sheetData>"), going back from one "</" to the one before. */
function lastCloseTag(buf: Buffer, name: string): number {
  for (let i = buf.lastIndexOf('</'); i >= 0; i = i > 0 ? buf.lastIndexOf('</', i - 1) : -1) {
    const q = localNameAt(buf, i + 2);
    if (q.name === name && (buf[q.end] === 0x3e || isNameEnd(buf[q.end]))) return i;
  }
  return buf.length;
}

/** An inline string of one run, without prefix nor phonetic run: <is><t>…</t></is>. */
const PLAIN_INLINE = /^<is><t(?: xml:space="preserve")?>([^<]*)<\/t><\/is>$/;
const V_RE = /<(?:[\w.-]+:)?v(?:\s[^<>]*)?>([^<]*)<\/(?:[\w.-]+:)?v\s*>/;

/** Each sheet's merged ranges, from the part's tail. */
function mergesOf(tail: string): Merge[] {
  const out: Merge[] = [];
  for (const e of elements(tail, 'mergeCell')) {
    const ref = attr(e.tag, 'ref');
    if (ref && ref.includes(':')) out.push(mergeOf(ref));
  }
  return out;
}

/** A sheet read from the package: its rows as a Grid, and what the reading saw. */
export interface PackageGrid extends Grid {
  /** Highest column of any cell of the sheet, once rows() has been read through. */
  maxCol: number;
}

/**
 * An .xlsx package read straight from its XML parts: the values of the cells, row by row, without building
 * a model of the workbook. This is what conversion reads (exceljs builds every cell's model and style, which
 * on a workbook of thousands of demandes costs more time and memory than all the rest of the conversion).
 * The package is kept, compressed, to write the results workbook from it (annotate/results.ts).
 */
export class XlsxPackage {
  readonly sheets: SheetEntry[] = [];
  date1904 = false;
  subject = '';
  keywords = '';
  /** Custom document properties (docProps/custom.xml): name → text. */
  readonly customProperties = new Map<string, string>();
  /** Part name of the workbook ("xl/workbook.xml"). */
  workbookPart = 'xl/workbook.xml';
  private sst?: string[];
  private styles?: { numFmts: (string | undefined)[] };
  private readonly relsCache = new Map<string, Rel[]>();
  /** Told the bytes of sheet XML each reading goes through, window by window (for a progress bar). */
  onRead?: (bytes: number) => void;

  private constructor(
    readonly file: string,
    readonly zip: JSZip,
  ) {}

  /** Opens a workbook file (or, with bytes, a workbook built in memory, e.g. from CSV files). */
  static async open(file: string, bytes?: Buffer): Promise<XlsxPackage> {
    // Every entry is checked (size, CRC-32) as it is opened, chunk by chunk, keeping nothing; then inflated
    // only when read.
    const { zip } = await openZip(file, bytes);
    const pkg = new XlsxPackage(file, zip);
    try {
      await pkg.init();
      await pkg.checkIntegrity();
    } catch (e) {
      if (e instanceof IntegrityFault) throw damagedWorkbook(file, e.what, e.detail);
      if (e instanceof UserError) throw e;
      throw new UserError(`${file} : classeur .xlsx illisible ou endommagé (${(e as Error).message}).`);
    }
    return pkg;
  }

  private async init(): Promise<void> {
    const office = (await this.rels('')).find((r) => r.type.endsWith('/officeDocument'));
    if (office && this.zip.file(office.target)) this.workbookPart = office.target;
    const wb = await this.text(this.workbookPart);
    if (wb === undefined) throw new UserError(`${this.file} : classeur .xlsx illisible ou endommagé (partie ${this.workbookPart} absente).`);
    const pr = [...elements(wb, 'workbookPr')][0];
    const d1904 = pr ? attr(pr.tag, 'date1904') : undefined;
    this.date1904 = d1904 === '1' || d1904 === 'true';
    const rels = await this.rels(this.workbookPart);
    for (const e of elements(wb, 'sheet')) {
      const id = attr(e.tag, 'id');
      const rel = rels.find((r) => r.id === id);
      const name = attr(e.tag, 'name');
      if (!rel || name === undefined) continue;
      this.sheets.push({ name, part: rel.target, tag: wb.slice(e.index, e.end) });
    }
    const core = (await this.rels('')).find((r) => r.type.endsWith('/core-properties'));
    const coreXml = core ? await this.text(core.target) : undefined;
    if (coreXml) {
      this.subject = decodeXml(/<(?:[\w.-]+:)?subject\b[^>]*>([^<]*)</.exec(coreXml)?.[1] ?? '');
      this.keywords = decodeXml(/<(?:[\w.-]+:)?keywords\b[^>]*>([^<]*)</.exec(coreXml)?.[1] ?? '');
    }
    const custom = (await this.rels('')).find((r) => r.type.endsWith('/custom-properties'));
    const customXml = custom ? await this.text(custom.target) : undefined;
    for (const e of elements(customXml ?? '', 'property')) {
      const name = attr(e.tag, 'name');
      const value = /<(?:[\w.-]+:)?lpwstr\b[^>]*>([^<]*)</.exec(e.body ?? '')?.[1];
      if (name && value !== undefined) this.customProperties.set(name, decodeXml(value));
    }
  }

  /**
   * What Excel needs to open the package without repairing it (read/integrity.ts): its list of part types,
   * every part a relationship names, sheet names, well-formed XML parts, sound cells in every sheet.
   */
  private async checkIntegrity(): Promise<void> {
    if (!this.zip.file('[Content_Types].xml')) throw new IntegrityFault('la liste des parties du classeur manque', 'partie [Content_Types].xml absente');
    checkSheetNames(this.sheets.map((s) => s.name));
    const names = Object.keys(this.zip.files).filter((n) => !this.zip.files[n].dir);
    for (const rels of names.filter((n) => n.endsWith('.rels'))) {
      for (const r of await this.rels(sourceOfRels(rels))) {
        if (!r.external && !this.zip.file(r.target)) throw new IntegrityFault('une partie du classeur manque', `partie ${r.target}, nommée par ${rels}, absente`);
      }
    }
    const sheets = new Set(this.sheets.map((s) => s.part));
    const stylesPart = (await this.rels(this.workbookPart)).find((r) => r.type.endsWith('/styles'))?.target;
    for (const part of names.filter((n) => /\.(xml|rels)$/i.test(n))) {
      const xml = await this.text(part);
      if (xml === undefined) continue;
      // A sheet's XML is checked as it is read (read/sheet-xml.ts), with messages naming the sheet and row.
      if (!sheets.has(part)) checkXml(part, xml);
      if (part === stylesPart) checkStyles(part, xml);
    }
  }

  /** The bytes of a part (inflated), undefined when the package has no such part. */
  async bytes(part: string): Promise<Buffer | undefined> {
    const entry = this.zip.file(part);
    return entry ? entryBytes(entry, this.file) : undefined;
  }

  async text(part: string): Promise<string | undefined> {
    const b = await this.bytes(part);
    if (!b) return undefined;
    // A byte order mark, which some writers put before the XML declaration.
    const xml = b.toString('utf8').replace(/^\ufeff/, '');
    if (/\.(xml|rels|vml)$/i.test(part)) this.checkXml(part, xml.slice(0, 4096), xml.slice(-256));
    return xml;
  }

  /**
   * Refuses an XML part that declares a DTD (no part of a workbook has one: entities that expand into
   * millions of characters are an attack) or that stops before the end of its root element (truncated).
   */
  checkXml(part: string, start: string, end: string): void {
    const fault = (why: string) => new UserError(`${this.file} : classeur .xlsx illisible ou endommagé (partie ${part} : ${why}).`);
    if (/<!DOCTYPE|<!ENTITY/i.test(start)) throw fault('déclaration DOCTYPE ou ENTITY, interdite dans un classeur');
    const root = /<([\w.:-]+)[\s/>]/.exec(start.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))?.[1];
    if (!root) throw fault('XML vide ou illisible');
    const trimmed = end.trimEnd();
    if (!trimmed.endsWith(`</${root}>`) && !new RegExp(`</${root}\\s*>$`).test(trimmed) && !trimmed.endsWith('/>')) {
      throw fault('XML incomplet : la partie s\'arrête avant sa fin');
    }
  }

  /** The relationships of a part ('' for the package's own, _rels/.rels). */
  async rels(part: string): Promise<Rel[]> {
    const cached = this.relsCache.get(part);
    if (cached) return cached;
    const relsPart = relsPartOf(part);
    const xml = (await this.text(relsPart)) ?? '';
    const dir = sourceDirOf(part);
    const out: Rel[] = [];
    for (const e of elements(xml, 'Relationship')) {
      const target = attr(e.tag, 'Target') ?? '';
      const external = attr(e.tag, 'TargetMode') === 'External';
      out.push({
        id: attr(e.tag, 'Id') ?? '',
        type: attr(e.tag, 'Type') ?? '',
        target: external ? target : resolveTarget(dir, target),
        external,
      });
    }
    this.relsCache.set(part, out);
    return out;
  }

  /** The bytes of XML of all its sheets, as the archive declares them: what reading them all goes through. */
  sheetBytes(): number {
    let n = 0;
    for (const s of this.sheets) {
      const entry = this.zip.file(s.part);
      n += entry ? (entrySize(entry) ?? 0) : 0;
    }
    return n;
  }

  /** The sheet of that name (exactly, else with case, accents and spaces folded). */
  sheet(name: string): SheetEntry | undefined {
    return this.sheets.find((s) => s.name === name) ?? this.sheets.find((s) => fold(s.name) === fold(name));
  }

  private async sharedStrings(): Promise<string[]> {
    if (this.sst) return this.sst;
    const rel = (await this.rels(this.workbookPart)).find((r) => r.type.endsWith('/sharedStrings'));
    const xml = rel ? await this.text(rel.target) : undefined;
    const out: string[] = [];
    if (xml) for (const e of elements(xml, 'si')) out.push(runText(e.body));
    return (this.sst = out);
  }

  /** Number format of each cell style (cellXfs), by index. */
  private async numFmts(): Promise<(string | undefined)[]> {
    if (this.styles) return this.styles.numFmts;
    const rel = (await this.rels(this.workbookPart)).find((r) => r.type.endsWith('/styles'));
    const xml = rel ? await this.text(rel.target) : undefined;
    const custom = new Map<number, string>();
    const numFmts: (string | undefined)[] = [];
    if (xml) {
      for (const e of elements(xml, 'numFmt')) custom.set(Number(attr(e.tag, 'numFmtId')), attr(e.tag, 'formatCode') ?? '');
      const xfs = [...elements(xml, 'cellXfs')][0];
      for (const e of elements(xfs?.body ?? '', 'xf')) {
        const id = Number(attr(e.tag, 'numFmtId') ?? 0);
        numFmts.push(custom.get(id) ?? BUILTIN_FORMATS[id]);
      }
    }
    this.styles = { numFmts };
    return numFmts;
  }

  /**
   * A sheet's rows, read when they are asked for. Cell values are those exceljs would give, reduced by
   * cellScalar: shared and inline strings, numbers (dates when their format shows a date), booleans,
   * errors, formulas' cached results; a merged range gives its first cell's value to all its cells. A sheet
   * Excel would repair (rows or cells out of order or repeated, overlapping merged ranges, a shared string
   * that is not there…) is refused as damaged, once, naming the sheet and the row.
   */
  async grid(entry: SheetEntry): Promise<PackageGrid> {
    const [sst, numFmts, buf] = await Promise.all([this.sharedStrings(), this.numFmts(), this.bytes(entry.part)]);
    if (!buf) throw new UserError(`${this.file} : classeur .xlsx illisible ou endommagé (feuille « ${entry.name} » : partie ${entry.part} absente).`);
    this.checkXml(entry.part, buf.toString('latin1', 0, 4096), buf.toString('latin1', Math.max(0, buf.length - 256)));
    const { windows, head, tail } = sheetWindows(buf);
    const file = this.file;
    try {
      checkXml(entry.part, head + tail); // the XML around the rows: the rows themselves are checked as they are read
    } catch (e) {
      throw e instanceof IntegrityFault ? damagedWorkbook(file, `dans la feuille « ${entry.name} », ${e.what}`, e.detail) : e;
    }
    const damaged = (e: unknown) =>
      e instanceof SheetFault ? damagedWorkbook(file, `dans la feuille « ${entry.name} », ${e.what}`, `partie ${entry.part} : ${e.detail}`) : e;
    let merges: Merge[];
    try {
      merges = mergesOf(tail);
    } catch (e) {
      throw damaged(e);
    }
    const cells: CellContext = { sst, numFmts, date1904: this.date1904, onRead: (n) => this.onRead?.(n) };
    let reading: SheetReading | undefined;
    let focused: number[] | undefined;
    const grid: PackageGrid = {
      name: entry.name,
      maxCol: 0,
      focus(cols) {
        focused = cols;
        reading?.focus(cols);
      },
      *rows() {
        reading = new SheetReading(cells, merges, grid);
        if (focused) reading.focus(focused);
        try {
          yield* reading.rows(windows(), (text) => badRows(file, entry, text));
        } catch (e) {
          throw damaged(e);
        }
      },
    };
    return grid;
  }

  /**
   * Reads through every sheet but those a command reads itself (`read`), so that a sheet Excel would repair
   * is refused whichever sheet it is: the results workbook copies them, and must open wherever the input did.
   */
  async checkOtherSheets(read: SheetEntry[]): Promise<void> {
    for (const entry of this.sheets) {
      if (read.includes(entry)) continue;
      const grid = await this.grid(entry);
      for (const row of grid.rows()) {
        void row;
        if (grid.windowRead) {
          grid.windowRead = false;
          await nextTurn();
        }
      }
    }
  }
}

/** What reading a cell's value needs: the shared strings, the number format of each style, the date system. */
interface CellContext {
  sst: string[];
  numFmts: (string | undefined)[];
  date1904: boolean;
  /** Told each window's bytes once its rows are read. */
  onRead?: (bytes: number) => void;
}

/**
 * One reading of a sheet's rows: values decoded, merged cells filled, Excel's order checked (sheet-xml.ts).
 * Once focused on the columns its reader uses, the values of other cells are not decoded.
 */
class SheetReading {
  private readonly merges: MergeSweep;
  private cols?: Set<number>;

  constructor(
    private readonly ctx: CellContext,
    merges: Merge[],
    private readonly grid: PackageGrid,
  ) {
    this.merges = new MergeSweep(merges);
  }

  focus(cols: number[]): void {
    this.cols = new Set(cols);
    this.merges.focus(cols);
  }

  *rows(windows: Iterable<{ text: string }>, bad: (text: string) => Error): Generator<{ row: number; values: CellScalar[]; numFmt(col: number): string | undefined }> {
    const state = { last: 0 };
    const numFmts = this.ctx.numFmts;
    for (const { text: window } of windows) {
      let prev = 0;
      for (const r of rowsOf(window, state)) {
        // Between rows, only blanks: anything else is XML this reading would not understand.
        if (r.index > prev && /\S/.test(window.slice(prev, r.index))) throw bad(utf8(window.slice(prev, r.index)));
        prev = r.end;
        const read = this.row(r);
        if (read) yield { row: r.row, values: read.values, numFmt: (col: number) => numFmts[read.styles[col] ?? 0] };
      }
      if (/\S/.test(window.slice(prev))) throw bad(utf8(window.slice(prev)));
      this.ctx.onRead?.(window.length);
      this.grid.windowRead = true;
    }
  }

  /** A row's values and styles, by column; undefined when it has no value. */
  private row(r: RowMatch): { values: CellScalar[]; styles: number[] } | undefined {
    const firsts = this.merges.empty ? undefined : this.merges.advance(r.row);
    const values: CellScalar[] = [];
    const styles: number[] = [];
    for (const c of cellsOf(r.body, r.row)) {
      if (c.col > this.grid.maxCol) this.grid.maxCol = c.col;
      if (this.cols && !this.cols.has(c.col) && !firsts?.has(c.col)) {
        if (c.body && (c.t === undefined || c.t === 'n')) numberOf(c, r.row); // not read, but copied: still a number
        continue;
      }
      values[c.col] = valueOf(c, r.row, this.ctx);
      styles[c.col] = c.s;
    }
    if (firsts) this.merges.fill(r.row, values);
    if (!values.some((v) => v !== null && v !== undefined)) return undefined;
    return { values, styles };
  }
}

function badRows(file: string, entry: SheetEntry, text: string): UserError {
  const what = text.trim().slice(0, 60);
  return new UserError(`${file} : classeur .xlsx illisible ou endommagé (feuille « ${entry.name} », partie ${entry.part} : XML inattendu parmi les lignes : « ${what} »).`);
}

/** The shared string a cell names: one the workbook has, else the sheet is damaged. */
function sharedString(sst: string[], text: string, c: CellMatch, row: number): string {
  const n = /^\s*\d{1,10}\s*$/.test(text) ? Number(text) : NaN;
  if (n < sst.length) return sst[n];
  const shown = text.trim().slice(0, 20);
  throw new SheetFault(
    `la cellule ${columnName(c.col)}${row} renvoie à la chaîne partagée n° ${shown}, que le classeur n'a pas (il en a ${sst.length})`,
    `élément <v>${shown}</v> d'une cellule t="s"`,
  );
}

/** The value of a cell, as cellScalar reduces exceljs's. */
function valueOf(c: CellMatch, row: number, { sst, numFmts, date1904 }: CellContext): CellScalar {
  const body = c.body;
  if (!body) return null;
  if (c.t === 'inlineStr') {
    // One plain run, as openpyxl and most writers put it: what the general reading below gives, read at once.
    const plain = PLAIN_INLINE.exec(body);
    if (plain) return cellScalar(unescapeXstring(decodeXml(utf8(plain[1]))));
    const is = firstContent(body, 'is');
    return cellScalar(is ? runText(utf8(is)) : '');
  }
  const v = V_RE.exec(body);
  if (!v) return null;
  const text = v[1];
  switch (c.t) {
    case 's':
      return cellScalar(sharedString(sst, text, c, row));
    case 'str':
      return cellScalar(unescapeXstring(decodeXml(utf8(text))));
    case 'b':
      return text === '1' || text === 'true';
    case 'e':
      return new CellError(decodeXml(utf8(text)));
    case 'd': {
      // An ISO date without a time zone is the date written, not a local time.
      const iso = decodeXml(text).trim();
      const d = new Date(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(iso) ? (iso.includes('T') ? `${iso}Z` : iso) : iso);
      return Number.isNaN(d.getTime()) ? cellScalar(decodeXml(utf8(text))) : d;
    }
    default: {
      if (text === '') return cellScalar('');
      const n = numberOf(c, row, text);
      return isDateFormat(numFmts[c.s]) ? excelDate(n, date1904) : n;
    }
  }
}

/**
 * A number cell's value, written as OOXML writes numbers (xsd:double: no hexadecimal, no spaces, no
 * Infinity nor NaN); anything else is a sheet Excel would repair.
 */
function numberOf(c: CellMatch, row: number, text = V_RE.exec(c.body ?? '')?.[1]): number {
  if (text === undefined || text === '') return NaN;
  const n = Number(text);
  if (!XSD_DOUBLE.test(text) || !Number.isFinite(n)) {
    const shown = decodeXml(utf8(text)).slice(0, 40);
    throw new SheetFault(`la cellule ${columnName(c.col)}${row} contient « ${shown} » là où un nombre est écrit`, `<v>${shown}</v> n'est pas un nombre xsd:double`);
  }
  return n;
}
