import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { ZipBuilder, type Part } from './zip-write.js';

/**
 * The bytes of a workbook, deterministic: every zip entry is stamped with a fixed date (exceljs would stamp
 * the current time), in exceljs's own entry order, folders included as JSZip adds them.
 *
 * The parts are those exceljs 4.4.0 writes, byte for byte (its xforms write all but the rows), but this
 * replaces xlsx.writeBuffer(), which builds the model of every row of every sheet, keeps the XML of every
 * sheet, deflates everything with pako (JavaScript), and left us to unzip and rezip it to fix the dates;
 * on a workbook of 10 000 demandes that was three quarters of the conversion. Here:
 * - sheets are written one after the other, and each part is handed to zlib (native, on libuv's thread
 *   pool, level 4) as soon as it is rendered, while the next sheet is rendered;
 * - a row whose cells are all plain values (text, number, date, boolean, empty styled cell) is written
 *   straight from the live row as bytes, without building its model; other rows go through exceljs's
 *   row and cell xforms (RowsWriter);
 * - the shared strings are written as bytes too (sharedStringsXml) and found through a Map;
 * - cell styles are looked up by the identity of their parts (font, fill…) before exceljs serialises them
 *   to find their index: the reader gives every cell its own style object, so exceljs's own cache never
 *   hits (cacheStyles);
 * - data validations that exceljs expanded to one entry per cell on load are folded back to their ranges
 *   (foldValidations): the same cells get the same validations, in fewer, whole ranges.
 * With another exceljs version, its writeBuffer() is used and its parts are rezipped.
 */
export async function workbookBytes(wb: ExcelJS.Workbook): Promise<Buffer> {
  const x = internals();
  const zip = new ZipBuilder();
  if (x) await renderPackage(wb, x, zip);
  else await fromWriteBuffer(wb, zip);
  return zip.finish();
}

// -------------------------------------------------------------------------------------------------------
// exceljs internals (4.4.0)

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

interface Internals {
  XmlStream: Any;
  WorksheetXform: Any;
  WorkbookXform: Any;
  RelationshipsXform: Any;
  CommentsXform: Any;
  VmlNotesXform: Any;
  SharedStringsXform: Any;
  StylesXform: Any;
  dateToExcel: (d: Date, date1904?: boolean) => number;
  xmlEncode: (text: string) => string;
}

let cachedInternals: Internals | null | undefined;

function internals(): Internals | null {
  if (cachedInternals !== undefined) return cachedInternals;
  cachedInternals = null;
  try {
    const require = createRequire(import.meta.url);
    if (require('exceljs/package.json').version !== '4.4.0') return null;
    const lib = (p: string) => require(`exceljs/lib/${p}`);
    cachedInternals = {
      XmlStream: lib('utils/xml-stream'),
      WorksheetXform: lib('xlsx/xform/sheet/worksheet-xform'),
      WorkbookXform: lib('xlsx/xform/book/workbook-xform'),
      RelationshipsXform: lib('xlsx/xform/core/relationships-xform'),
      CommentsXform: lib('xlsx/xform/comment/comments-xform'),
      VmlNotesXform: lib('xlsx/xform/comment/vml-notes-xform'),
      SharedStringsXform: lib('xlsx/xform/strings/shared-strings-xform'),
      StylesXform: lib('xlsx/xform/style/styles-xform'),
      dateToExcel: lib('utils/utils').dateToExcel,
      xmlEncode: lib('utils/utils').xmlEncode,
    };
  } catch {
    cachedInternals = null;
  }
  return cachedInternals;
}

/** What the Workbook's model getter gives, without building every worksheet model twice. */
function workbookModel(wb: Any): Any {
  return {
    creator: wb.creator || 'Unknown',
    lastModifiedBy: wb.lastModifiedBy || 'Unknown',
    lastPrinted: wb.lastPrinted,
    created: wb.created,
    modified: wb.modified,
    properties: wb.properties,
    worksheets: [],
    definedNames: wb._definedNames.model,
    views: wb.views,
    company: wb.company,
    manager: wb.manager,
    title: wb.title,
    subject: wb.subject,
    keywords: wb.keywords,
    category: wb.category,
    description: wb.description,
    language: wb.language,
    revision: wb.revision,
    contentStatus: wb.contentStatus,
    themes: wb._themes,
    media: wb.media,
    calcProperties: wb.calcProperties,
  };
}

/** XLSX.write of exceljs 4.4.0, one worksheet at a time (see workbookBytes). */
async function renderPackage(wb: ExcelJS.Workbook, x: Internals, zip: ZipBuilder): Promise<void> {
  const xlsx = (wb as Any).xlsx;
  const model = workbookModel(wb);
  // XLSX.prepareModel
  model.creator = model.creator || 'ExcelJS';
  model.lastModifiedBy = model.lastModifiedBy || 'ExcelJS';
  model.created = model.created || new Date();
  model.modified = model.modified || new Date();
  model.useSharedStrings = true;
  model.useStyles = true;
  model.sharedStrings = new x.SharedStringsXform();
  indexSharedStrings(model.sharedStrings);
  model.styles = new x.StylesXform(true);
  cacheStyles(model.styles);
  // Media names, as WorkbookXform.prepare gives them (sheets refer to them).
  (model.media || []).forEach((m: Any, i: number) => (m.name = m.type + (i + 1)));
  const prepareXform = new x.WorksheetXform();
  const renderXform = new x.WorksheetXform();
  const rows = new RowsWriter(prepareXform.map.sheetData, renderXform.map.sheetData, x);
  const options: Any = {
    sharedStrings: model.sharedStrings,
    styles: model.styles,
    date1904: model.properties.date1904,
    drawingsCount: 0,
    media: model.media,
  };
  options.drawings = model.drawings = [];
  options.commentRefs = model.commentRefs = [];
  model.tables = [];
  let tableCount = 0;
  const relationshipsXform = new x.RelationshipsXform();
  const commentsXform = new x.CommentsXform();
  const vmlNotesXform = new x.VmlNotesXform();
  const sheetParts: [string, Part][] = [];
  for (const ws of wb.worksheets) {
    // The sheet's model without its rows (they are taken one by one below, see RowsWriter).
    const live = (ws as Any)._rows;
    let sheet: Any;
    (ws as Any)._rows = [];
    try {
      sheet = (ws as Any).model;
    } finally {
      (ws as Any)._rows = live;
    }
    rows.start(live, sheet);
    model.worksheets.push(sheet);
    sheet.dataValidations = foldValidations(sheet.dataValidations);
    sheet.tables.forEach((table: Any) => {
      tableCount++;
      table.target = `table${tableCount}.xml`;
      table.id = tableCount;
      model.tables.push(table);
    });
    prepareXform.prepare(sheet, options);
    // XLSX.addWorksheets, for this sheet
    const render = (name: string, xform: Any, value: Any) => {
      const xml = new x.XmlStream();
      xform.render(xml, value);
      sheetParts.push([name, zip.part(xml.xml)]);
    };
    // The sheet: its rows go to byte chunks, the rest (columns, validations, margins…) to an XmlStream
    // that holds a marker where the rows go.
    const xml = new x.XmlStream();
    renderXform.render(xml, sheet);
    sheetParts.push([`xl/worksheets/sheet${sheet.id}.xml`, zip.part(rows.finish(xml.xml))]);
    if (sheet.rels && sheet.rels.length) render(`xl/worksheets/_rels/sheet${sheet.id}.xml.rels`, relationshipsXform, sheet.rels);
    if (sheet.comments.length > 0) {
      render(`xl/comments${sheet.id}.xml`, commentsXform, sheet);
      render(`xl/drawings/vmlDrawing${sheet.id}.vml`, vmlNotesXform, sheet);
    }
    // Written: the rows are no longer needed (the workbook part only needs the sheet's name and settings).
    sheet.rows = [];
    sheet.comments = [];
    sheet.hyperlinks = [];
    sheet.mergeCells = [];
  }
  new x.WorkbookXform().prepare(model);
  // XLSX.write's order.
  await xlsx.addContentTypes(zip, model);
  await xlsx.addOfficeRels(zip, model);
  await xlsx.addWorkbookRels(zip, model);
  for (const [name, part] of sheetParts) zip.appendPart(name, part);
  // XLSX.addSharedStrings
  if (model.sharedStrings && model.sharedStrings.count) zip.appendPart('xl/sharedStrings.xml', zip.part(sharedStringsXml(model.sharedStrings, x)));
  await xlsx.addDrawings(zip, model);
  await xlsx.addTables(zip, model);
  await Promise.all([xlsx.addThemes(zip, model), xlsx.addStyles(zip, model)]);
  await xlsx.addMedia(zip, model);
  await Promise.all([xlsx.addApp(zip, model), xlsx.addCore(zip, model)]);
  await xlsx.addWorkbook(zip, model);
}

/** Another exceljs: its own writer, entries taken back out of its zip. */
async function fromWriteBuffer(wb: ExcelJS.Workbook, zip: ZipBuilder): Promise<void> {
  const raw = (await wb.xlsx.writeBuffer()) as ArrayBuffer;
  const src = await JSZip.loadAsync(raw);
  for (const f of Object.values(src.files)) {
    if (f.dir) continue;
    zip.append(await f.async('nodebuffer'), { name: f.name });
  }
}

/**
 * Style indexes by the identity of a style's parts (number format text, font, border, fill, alignment and
 * protection objects) and, without a number format, the cell type (exceljs gives numbers and dates a
 * default one). Same parts, same index: exceljs would find the same one after serialising the style.
 */
function cacheStyles(styles: Any): void {
  const add = styles.addStyleModel.bind(styles);
  // exceljs's cache by style object ignores the cell type; ours does not need it.
  styles.weakMap = undefined;
  const ids = new WeakMap<object, number>();
  let next = 1;
  const idOf = (o: unknown): number | undefined => {
    if (o === undefined || o === null) return 0;
    if (typeof o !== 'object') return undefined;
    let id = ids.get(o);
    if (id === undefined) ids.set(o, (id = next++));
    return id;
  };
  const known = new Map<string, number>();
  styles.addStyleModel = (style: Any, cellType?: number): number => {
    if (!style) return add(style, cellType);
    // addStyleModel reads these six properties only; without a number format, it goes by the cell type.
    const fmt = style.numFmt;
    let key = fmt ? (typeof fmt === 'string' ? fmt : undefined) : `\u0000${cellType || 2}`;
    if (key === undefined) return add(style, cellType);
    for (const part of [style.font, style.border, style.fill, style.alignment, style.protection]) {
      const id = idOf(part);
      if (id === undefined) return add(style, cellType);
      key += `\u0001${id}`;
    }
    let index = known.get(key);
    if (index === undefined) {
      index = add(style, cellType) as number;
      known.set(key, index);
    }
    return index;
  };
}

/**
 * exceljs loads a validation range ("A2:A2001") as one entry per cell, all sharing one object, and on write
 * compares them all to rebuild ranges. A set of cells sharing one object that fills its bounding rectangle
 * is given back as that range; anything else is left as it was.
 */
function foldValidations(model: Record<string, Any> | undefined): Record<string, Any> | undefined {
  if (!model) return model;
  const keys = Object.keys(model);
  if (keys.length < 64) return model;
  const groups = new Map<object, { keys: string[]; top: number; left: number; bottom: number; right: number }>();
  const out: Record<string, Any> = {};
  for (const k of keys) {
    const dv = model[k];
    const m = /^\$?([A-Z]{1,3})\$?(\d+)$/.exec(k);
    if (!m || !dv || typeof dv !== 'object') {
      out[k] = dv;
      continue;
    }
    const col = columnNumber(m[1]);
    const row = Number(m[2]);
    let g = groups.get(dv);
    if (!g) groups.set(dv, (g = { keys: [], top: row, left: col, bottom: row, right: col }));
    g.keys.push(k);
    g.top = Math.min(g.top, row);
    g.bottom = Math.max(g.bottom, row);
    g.left = Math.min(g.left, col);
    g.right = Math.max(g.right, col);
  }
  for (const [dv, g] of groups) {
    const area = (g.bottom - g.top + 1) * (g.right - g.left + 1);
    if (g.keys.length > 1 && area === g.keys.length) {
      out[`${columnLetters(g.left)}${g.top}:${columnLetters(g.right)}${g.bottom}`] = dv;
    } else {
      for (const k of g.keys) out[k] = dv;
    }
  }
  return out;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (let i = 0; i < letters.length; i++) n = n * 26 + (letters.charCodeAt(i) - 64);
  return n;
}

function columnLetters(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// exceljs's ValueType
const NULL = 0;
const NUMBER = 2;
const STRING = 3;
const DATE = 4;
const BOOLEAN = 9;

/**
 * SharedStringsXform finds a text's index in a plain object; a Map is faster with tens of thousands of
 * texts. Same indexes (first come, first numbered), same count.
 */
function indexSharedStrings(ss: Any): void {
  const index = new Map<string, number>();
  ss.addText = (value: unknown) => {
    const key = String(value);
    let i = index.get(key);
    if (i === undefined) {
      i = ss.model.values.length as number;
      index.set(key, i);
      ss.model.values.push(value);
    }
    ss.model.count++;
    return i;
  };
}

/**
 * SharedStringsXform.render, in chunks of bytes: a plain text as SharedStringXform and TextXform write it,
 * anything else (rich text…) through SharedStringXform. An XmlStream of tens of thousands of texts (the
 * status of every row is one) builds millions of small strings before joining them.
 */
function sharedStringsXml(ss: Any, x: Internals): Buffer[] {
  const model = ss.model;
  const head = new x.XmlStream();
  head.openXml(x.XmlStream.StdDocAttributes);
  head.openNode('sst', {
    xmlns: 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
    count: model.count,
    uniqueCount: model.values.length,
  });
  head.writeXml(ROWS_MARK);
  head.closeNode();
  const [before, after] = head.xml.split(ROWS_MARK);
  const chunks: Buffer[] = [Buffer.from(before, 'utf8')];
  let batch: string[] = [];
  let length = 0;
  const flush = () => {
    if (!batch.length) return;
    chunks.push(Buffer.from(batch.join(''), 'utf8'));
    batch = [];
    length = 0;
  };
  const sx = ss.sharedStringXform;
  for (const value of model.values) {
    let text: string;
    if (typeof value === 'string') {
      text = `<si><t${PRESERVE.test(value) ? ' xml:space="preserve"' : ''}>${x.xmlEncode(value)}</t></si>`;
    } else {
      const stream = new x.XmlStream();
      sx.render(stream, value);
      text = stream.xml;
    }
    batch.push(text);
    length += text.length;
    if (length > CHUNK) flush();
  }
  flush();
  chunks.push(Buffer.from(after, 'utf8'));
  return chunks;
}

/** When TextXform writes xml:space="preserve". */
const PRESERVE = /^\s|\n|\s$/;

/** Where the rows go in the sheet's XML text. */
const ROWS_MARK = '\u0000xlsx2segur-rows\u0000';
const CHUNK = 1 << 16;

/**
 * The rows of a sheet, one at a time, instead of exceljs's array of every row's model (which, on a big
 * sheet, is hundreds of megabytes kept until the sheet is written). It stands in for the sheetData list
 * xform: when the worksheet is prepared, each row's model is built from the live row, prepared as
 * RowXform.prepare and CellXform.prepare do (inlined for plain cells), and, when all its cells are plain
 * (text, number, date, boolean, empty styled cell), written at once as bytes, exactly as RowXform and
 * CellXform render it. Other rows (formulas, hyperlinks, errors, inline text…) keep their model and are
 * rendered by RowXform once the whole sheet is prepared (a shared formula's range grows with later rows).
 * When the worksheet is rendered, its XmlStream gets a marker where the rows go.
 */
class RowsWriter {
  private pieces: (Buffer | { row: Any; index: number })[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private count = 0;
  private live: Any[] = [];
  private sheet: Any;
  private readonly rowXform: Any;
  private readonly cellXform: Any;

  constructor(
    prepareList: Any,
    renderList: Any,
    private readonly x: Internals,
  ) {
    this.rowXform = renderList.childXform;
    this.cellXform = prepareList.childXform.map.c;
    prepareList.prepare = (_rows: unknown, options: Any) => this.prepare(options);
    renderList.render = (xmlStream: Any) => {
      if (!this.count) {
        xmlStream.leafNode(renderList.tag);
        return;
      }
      xmlStream.openNode(renderList.tag);
      xmlStream.writeXml(ROWS_MARK);
      xmlStream.closeNode();
    };
  }

  /** The next sheet: its live rows (Worksheet._rows) and its model (rows left out). */
  start(live: Any[], sheet: Any): void {
    this.live = live;
    this.sheet = sheet;
    this.pieces = [];
    this.used = 0;
    this.count = 0;
  }

  private prepare(options: Any): void {
    const { styles } = options;
    this.live.forEach((live) => {
      if (!live) return;
      const text = this.plainRow(live, options);
      if (text === null) return;
      if (text !== undefined) {
        this.ascii(text);
        return;
      }
      // Worksheet.model: the rows that have a model, and the dimensions they span.
      const row = live.model;
      if (!row) return;
      this.sheet.dimensions.expand(row.number, row.min, row.number, row.max);
      const index = this.count++;
      options.index = index;
      // RowXform.prepare
      const rowStyle = styles.addStyleModel(row.style);
      if (rowStyle) row.styleId = rowStyle;
      for (const c of row.cells) this.cellXform.prepare(c, options);
      this.flush();
      this.pieces.push({ row, index });
    });
    this.flush();
  }

  /**
   * A live row whose cells are all plain (text, number, date, boolean, empty), prepared and written from
   * the row and its cells, without building their models: what Row.model, RowXform.prepare,
   * CellXform.prepare, RowXform.render and CellXform.render do together for such a row, in the same order
   * (style indexes and shared strings are numbered as they are first met). Null for a row without a model
   * (no cell, no height); undefined, with nothing done, for any other row.
   */
  private plainRow(live: Any, options: Any): string | null | undefined {
    const cells: Any[] = live._cells;
    if (!Array.isArray(cells)) return undefined;
    let min = 0;
    let max = 0;
    let count = 0;
    for (const cell of cells) {
      if (!cell) continue;
      switch (cell.type) {
        case NULL:
        case BOOLEAN:
          break;
        case NUMBER:
          if (typeof cell.value !== 'number') return undefined;
          break;
        case STRING:
          if (typeof cell.value !== 'string') return undefined;
          break;
        case DATE:
          if (!(cell.value instanceof Date)) return undefined;
          break;
        default:
          return undefined;
      }
      const col = cell.col;
      if (typeof col !== 'number' || typeof cell.address !== 'string') return undefined;
      if (!min || min > col) min = col;
      if (max < col) max = col;
      count++;
    }
    const { number, height } = live;
    if (typeof number !== 'number' || (height && typeof height !== 'number')) return undefined;
    if (!height && !count) return null;
    const outlineLevel = live.outlineLevel;
    if (outlineLevel && typeof outlineLevel !== 'number') return undefined;
    this.sheet.dimensions.expand(number, min, number, max);
    options.index = this.count++;
    const { styles, sharedStrings } = options;
    const rowStyle = styles.addStyleModel(live.style);
    let xml = '';
    for (const cell of cells) {
      if (!cell) continue;
      const type = cell.type;
      const styleId = styles.addStyleModel(cell.style || {}, type);
      if (cell._comment) options.comments.push({ ...cell._comment.model, ref: cell.address });
      const s = styleId ? ` s="${styleId}"` : '';
      switch (type) {
        case NULL:
          if (styleId) xml += `<c r="${cell.address}"${s}/>`;
          break;
        case NUMBER:
          xml += `<c r="${cell.address}"${s}><v>${cell.value}</v></c>`;
          break;
        case STRING:
          xml += `<c r="${cell.address}"${s} t="s"><v>${sharedStrings.add(cell.value)}</v></c>`;
          break;
        case BOOLEAN:
          xml += `<c r="${cell.address}"${s} t="b"><v>${cell.value ? '1' : '0'}</v></c>`;
          break;
        case DATE:
          xml += `<c r="${cell.address}"${s}><v>${this.x.dateToExcel(cell.value, Boolean(options.date1904))}</v></c>`;
          break;
      }
    }
    let open = `<row r="${number}"`;
    if (height) open += ` ht="${height}" customHeight="1"`;
    if (live.hidden) open += ' hidden="1"';
    if (min > 0 && max > 0 && min <= max) open += ` spans="${min}:${max}"`;
    if (rowStyle) open += ` s="${rowStyle}" customFormat="1"`;
    open += ' x14ac:dyDescent="0.25"';
    if (outlineLevel) open += ` outlineLevel="${outlineLevel}"`;
    if (live.collapsed) open += ' collapsed="1"';
    return xml ? `${open}>${xml}</row>` : `${open}/>`;
  }

  /** The sheet's bytes, in chunks: its XML text with the rows in place of the marker. */
  finish(xml: string): Buffer[] {
    const rows = this.pieces.map((p) => {
      if (Buffer.isBuffer(p)) return p;
      const stream = new this.x.XmlStream();
      this.rowXform.render(stream, p.row, p.index);
      return Buffer.from(stream.xml, 'utf8');
    });
    this.pieces = [];
    this.live = [];
    this.sheet = undefined;
    const at = xml.indexOf(ROWS_MARK);
    if (at < 0) return [Buffer.from(xml, 'utf8')];
    return [Buffer.from(xml.slice(0, at), 'utf8'), ...rows, Buffer.from(xml.slice(at + ROWS_MARK.length), 'utf8')];
  }

  private flush(): void {
    if (!this.used) return;
    this.pieces.push(Buffer.from(this.chunk.subarray(0, this.used)));
    this.used = 0;
  }

  /** ASCII text (the plain rows are). */
  private ascii(text: string): void {
    if (text.length > CHUNK - this.used) this.flush();
    if (text.length > CHUNK) {
      this.pieces.push(Buffer.from(text, 'latin1'));
      return;
    }
    this.used += this.chunk.write(text, this.used, 'latin1');
  }
}

