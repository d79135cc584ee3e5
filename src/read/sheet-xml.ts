/**
 * The rows, cells and merged ranges of a sheet's XML, read in time linear in the XML whatever its shape, and
 * held to what Excel itself accepts: rows in increasing order, cells in increasing order within their row,
 * references within the sheet's limits, merged ranges that do not overlap. A sheet that breaks one of these
 * is one Excel would only open after repairing it: SheetFault, which the reader reports once, naming the row.
 */
import { attr, columnOf, endTag } from './xml.js';
import type { CellScalar } from './cell.js';

/** Excel's last row and last column (XFD). */
export const MAX_ROW = 1_048_576;
export const MAX_COL = 16_384;

/** What makes a sheet one Excel would repair: for the vendor (`what`), and in XML terms (`detail`), French. */
export class SheetFault extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what} (${detail})`);
  }
}

/** Column letters of a column number (1 → A, 28 → AB). */
export function columnName(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** One <row> of a window: its number, start tag, content, and place in the window. */
export interface RowMatch {
  row: number;
  tag: string;
  body: string;
  index: number;
  end: number;
}

const ROW_START = /<(?:[\w.-]+:)?row(?=[\s/>])[^<>]*>/g;

/** The number of a row: its r (an integer within Excel's rows, after the row before), else the next one. */
function rowNumber(tag: string, last: number): number {
  const r = attr(tag, 'r');
  const row = r === undefined ? last + 1 : /^\s*\d{1,7}\s*$/.test(r) ? Number(r) : NaN;
  if (!(row >= 1 && row <= MAX_ROW)) {
    throw new SheetFault(`une ligne porte le numéro « ${r} », qui n'est pas un numéro de ligne d'Excel (1 à ${MAX_ROW})`, `élément <row r="${r}">`);
  }
  if (row === last) throw new SheetFault(`la ligne ${row} apparaît plusieurs fois`, `élément <row> de la ligne ${row} répété ; les lignes d'une feuille se suivent dans l'ordre, chacune une fois`);
  if (row < last) throw new SheetFault(`la ligne ${row} vient après la ligne ${last}`, `élément <row r="${row}"> après la ligne ${last} ; les lignes d'une feuille se suivent dans l'ordre`);
  return row;
}

/**
 * The rows of a window, numbered (a row without r follows the one before). Each start tag is found once and
 * its end tag searched once, forward: a row left open is a fault, not a reason to scan again.
 */
export function* rowsOf(window: string, state: { last: number }): Generator<RowMatch> {
  // A pattern of its own per window: two readings may be suspended at once.
  const re = new RegExp(ROW_START.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(window))) {
    const tag = m[0];
    const row = rowNumber(tag, state.last);
    let body = '';
    let end = re.lastIndex;
    if (!tag.endsWith('/>')) {
      const close = endTag(window, 'row', end);
      if (!close) throw new SheetFault(`la ligne ${row} est incomplète`, `élément <row> de la ligne ${row} sans balise de fin`);
      body = window.slice(end, close.index);
      end = close.end;
    }
    state.last = row;
    yield { row, tag, body, index: m.index, end };
    re.lastIndex = end;
  }
}

/** One <c> of a row. */
export interface CellMatch {
  col: number;
  /** Style index. */
  s: number;
  /** Type (s, str, inlineStr, b, e, d, n). */
  t: string | undefined;
  /** The cell's whole XML. */
  xml: string;
  /** Its content (undefined: <c/>). */
  body: string | undefined;
}

const CELL_START = /<(?:[\w.-]+:)?c(?=[\s/>])([^<>]*)>/g;
const CELL_ATTR = /(?:^|\s)(r|s|t)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A cell's column: its reference's (in the row, after the cell before), else the next one. */
function cellColumn(r: string | undefined, last: number, row: number | undefined): number {
  const ref = r === undefined ? undefined : /^\s*([A-Za-z]{1,3})(\d*)\s*$/.exec(r);
  const col = r === undefined ? last + 1 : ref ? columnOf(ref[1]) : NaN;
  const where = row === undefined ? '' : ` de la ligne ${row}`;
  if (!(col >= 1 && col <= MAX_COL) || (ref?.[2] && row !== undefined && Number(ref[2]) !== row)) {
    throw new SheetFault(`une cellule${where} a la référence « ${r} », qui n'est pas une cellule de cette ligne`, `élément <c r="${r}">`);
  }
  if (col <= last) {
    const name = row === undefined ? columnName(col) : `${columnName(col)}${row}`;
    throw new SheetFault(
      col === last ? `la cellule ${name} apparaît plusieurs fois` : `la cellule ${name} vient après la cellule ${columnName(last)}${row ?? ''}`,
      `élément <c> de la cellule ${name} ; les cellules d'une ligne se suivent dans l'ordre, chacune une fois`,
    );
  }
  return col;
}

const USUAL_ATTRS = /^ r="([A-Z]{1,3}[1-9]\d{0,6})"(?: s="(\d{1,9})")?(?: t="([a-zA-Z]{1,9})")?\/?$/;

/** A cell's attributes r, s and t. */
function cellAttributes(attrs: string): { r?: string; s: number; t?: string } {
  // The attributes as Excel, exceljs and openpyxl write them (r, then s, then t): read at once.
  const usual = USUAL_ATTRS.exec(attrs);
  if (usual) return { r: usual[1], s: usual[2] === undefined ? 0 : Number(usual[2]), t: usual[3] };
  const out: { r?: string; s: number; t?: string } = { s: 0 };
  CELL_ATTR.lastIndex = 0;
  let a: RegExpExecArray | null;
  while ((a = CELL_ATTR.exec(attrs))) {
    const v = a[2] ?? a[3];
    if (a[1] === 'r') out.r = v;
    else if (a[1] === 's') out.s = Number(v) || 0;
    else out.t = v;
  }
  return out;
}

/** The cells of a row's content; with `row`, each reference must name a cell of that row. */
export function cellsOf(body: string, row?: number): CellMatch[] {
  const out: CellMatch[] = [];
  if (!body) return out;
  const re = new RegExp(CELL_START.source, 'g');
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(body))) {
    const { r, s, t } = cellAttributes(m[1]);
    const col = cellColumn(r, last, row);
    last = col;
    let content: string | undefined;
    let end = re.lastIndex;
    if (!m[0].endsWith('/>')) {
      const close = endTag(body, 'c', end);
      if (!close) throw new SheetFault(`la cellule ${columnName(col)}${row ?? ''} est incomplète`, 'élément <c> sans balise de fin');
      content = body.slice(end, close.index);
      end = close.end;
    }
    out.push({ col, s, t, xml: body.slice(m.index, end), body: content });
    re.lastIndex = end;
  }
  return out;
}

/** A merged range: its first cell's value is every cell's. */
export interface Merge {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** A merged range's reference ("B3:C4"), checked against Excel's limits. */
export function mergeOf(ref: string): Merge {
  const m = /^\s*([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})\s*$/.exec(ref);
  const [a, r1, b, r2] = m ? [columnOf(m[1]), Number(m[2]), columnOf(m[3]), Number(m[4])] : [NaN, NaN, NaN, NaN];
  const merge = { top: Math.min(r1, r2), bottom: Math.max(r1, r2), left: Math.min(a, b), right: Math.max(a, b) };
  if (!(merge.top >= 1 && merge.bottom <= MAX_ROW && merge.left >= 1 && merge.right <= MAX_COL)) {
    throw new SheetFault(`la plage fusionnée « ${ref} » n'est pas une plage de la feuille`, `élément <mergeCell ref="${ref}">`);
  }
  return merge;
}

function overlap(m: Merge, row: number): SheetFault {
  const ref = `${columnName(m.left)}${m.top}:${columnName(m.right)}${m.bottom}`;
  return new SheetFault(`la plage fusionnée ${ref} chevauche une autre plage fusionnée`, `ligne ${row} : deux éléments <mergeCell> couvrent la même cellule`);
}

/**
 * Merged ranges given to the rows in order, by a sweep: the ranges covering a row are found as the rows go
 * by, never by going through all of them at every row. With focus(cols), only those columns are filled, and
 * only the ranges crossing them followed: a row costs what the columns read cost, whatever the ranges.
 */
export class MergeSweep {
  private readonly byTop: Merge[];
  private next = 0;
  private active: Merge[] = [];
  private readonly masters = new Map<Merge, CellScalar>();
  private cols?: number[];
  /** The row each column was last filled on (to see overlapping ranges). */
  private readonly filled = new Int32Array(MAX_COL + 1);

  constructor(merges: Merge[]) {
    this.byTop = [...merges].sort((a, b) => a.top - b.top);
  }

  get empty(): boolean {
    return this.byTop.length === 0;
  }

  focus(cols: number[]): void {
    this.cols = [...cols];
    this.active = this.active.filter((m) => this.crossesFocus(m));
  }

  private crossesFocus(m: Merge): boolean {
    return !this.cols || this.cols.some((c) => c >= m.left && c <= m.right);
  }

  /** The ranges covering this row (rows come in increasing order); the columns of the first cells on it. */
  advance(row: number): Set<number> {
    this.active = this.active.filter((m) => m.bottom >= row);
    for (; this.next < this.byTop.length && this.byTop[this.next].top <= row; this.next++) {
      const m = this.byTop[this.next];
      if (m.bottom >= row && this.crossesFocus(m)) this.active.push(m);
    }
    // Ranges that do not overlap cover at most one cell of a row each (or one focused column each).
    if (this.active.length > (this.cols?.length ?? MAX_COL)) throw overlap(this.active[0], row);
    return new Set(this.active.filter((m) => m.top === row).map((m) => m.left));
  }

  /** Gives the row's merged cells the value of their range's first cell. */
  fill(row: number, values: CellScalar[]): void {
    for (const m of this.active) if (m.top === row) this.masters.set(m, values[m.left] ?? null);
    for (const m of this.active) {
      const v = this.masters.get(m) ?? null;
      const cols = this.cols?.filter((c) => c >= m.left && c <= m.right) ?? range(m.left, m.right);
      for (const c of cols) {
        if (this.filled[c] === row) throw overlap(m, row);
        this.filled[c] = row;
        if (c !== m.left || row !== m.top) values[c] = v;
      }
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
