import type { WorkbookResult } from '../rules/validate.js';
import { columnLetter } from '../issues/issues.js';
import { bytesOf, cellsOf, rowsOf, sheetWindows, type Rel, type RowMatch, type SheetEntry, type XlsxPackage } from '../read/package.js';
import { rawEntry } from '../read/xlsx.js';
import { attr, columnOf, elements, encodeXml, relativeTarget, relsPartOf, removeAttr, rowOf, setAttr, sourceDirOf } from '../read/xml.js';
import { PartStream, ZipBuilder, type Part } from '../util/zip-write.js';
import { ASP_NUMBER_HEADER, BLUE, GREEN, ORANGE, PROBLEMS_HEADER, RED, STATUS_HEADER, SUMMARY_SHEET, planResults, type AnnotateOptions, type Color, type RowPlan, type SheetPlan } from './plan.js';
import { summaryXml, type SummaryOptions } from './summary.js';
import { customPropertiesXml, type OutputMark } from './mark.js';
import { fitHead, fitTail } from './print.js';
import { MINIMAL_STYLES, StyleBook } from './styles.js';
import { SheetNotes } from './notes.js';

export { STATUS_HEADER, PROBLEMS_HEADER, ASP_NUMBER_HEADER, SUMMARY_SHEET } from './plan.js';

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = {
  worksheet: 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
  comments: 'application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml',
  vml: 'application/vnd.openxmlformats-officedocument.vmlDrawing',
  styles: 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml',
  custom: 'application/vnd.openxmlformats-officedocument.custom-properties+xml',
};

export interface ResultsOptions extends AnnotateOptions, SummaryOptions {
  /** The mark written inside: which output this is, and of which workbook. */
  mark: OutputMark;
}

/**
 * The results workbook: the input package itself, every part copied as it is stored, but for the sheets
 * read (their rows get a status and problems column, faulty cells a fill and a note), their notes, the
 * styles (a few added), the workbook (a Synthèse sheet added, opened first) and the lists of parts. Each
 * sheet's XML is rewritten as it is read, window by window: the workbook is never loaded as a model, so
 * formulas, validations, formats, pictures… the vendor put in it stay as they were.
 */
export async function resultsWorkbook(pkg: XlsxPackage, result: WorkbookResult, opts: ResultsOptions): Promise<Buffer> {
  return new ResultsWriter(pkg).write(result, opts);
}

class ResultsWriter {
  /** New content of parts, being deflated (zlib works on its thread pool while the next sheet is rewritten). */
  private readonly changed = new Map<string, Part>();
  private readonly deflater = new ZipBuilder();
  private readonly removed = new Set<string>();
  private readonly texts = new Map<string, string>();
  private readonly added: string[] = [];
  /** Relationships changed, by source part. */
  private readonly rels = new Map<string, Rel[]>();
  private contentTypes = '';
  private styles!: StyleBook;
  private stylesPart = '';

  constructor(private readonly pkg: XlsxPackage) {}

  async write(result: WorkbookResult, opts: ResultsOptions): Promise<Buffer> {
    const pkg = this.pkg;
    this.contentTypes = (await pkg.text('[Content_Types].xml')) ?? `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`;
    const wbPart = pkg.workbookPart;
    const wbRels = [...(await pkg.rels(wbPart))];
    this.rels.set(wbPart, wbRels);
    let workbook = (await pkg.text(wbPart))!;

    // Styles: the package's own, or a minimal part.
    const stylesRel = wbRels.find((r) => r.type.endsWith('/styles'));
    let stylesXml = stylesRel ? await pkg.text(stylesRel.target) : undefined;
    if (stylesRel && stylesXml !== undefined) this.stylesPart = stylesRel.target;
    else {
      this.stylesPart = this.freePart((n) => `xl/styles${n === 1 ? '' : n}.xml`);
      stylesXml = MINIMAL_STYLES;
      wbRels.push({ id: freeId(wbRels), type: `${REL}/styles`, target: this.stylesPart, external: false });
      this.override(this.stylesPart, CT.styles);
    }
    this.styles = new StyleBook(stylesXml);

    // The calculation chain lists formula cells; Excel rebuilds it, and a stale one makes it repair the file.
    for (const r of wbRels.filter((x) => x.type.endsWith('/calcChain'))) {
      this.removePart(r.target);
      wbRels.splice(wbRels.indexOf(r), 1);
    }

    // Macros (.xlsm) are neither run nor kept: the results workbook is an .xlsx.
    for (const r of wbRels.filter((x) => /\/vbaProject$/.test(x.type))) {
      for (const sub of await pkg.rels(r.target)) if (!sub.external) this.removePart(sub.target);
      this.removePart(r.target);
      this.removePart(relsPartOf(r.target));
      wbRels.splice(wbRels.indexOf(r), 1);
    }
    this.contentTypes = this.contentTypes
      .replace(/application\/vnd\.ms-excel\.(?:sheet|template)\.macroEnabled\.main\+xml|application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.template\.main\+xml/g, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')
      .replace(/<Default\b[^>]*ContentType="application\/vnd\.ms-office\.vbaProject"[^>]*\/>/g, '');

    // The Synthèse of an earlier run goes: a new one is written.
    const sheets = pkg.sheets.filter((s) => s.name !== SUMMARY_SHEET);
    const oldSummary = pkg.sheets.findIndex((s) => s.name === SUMMARY_SHEET);
    if (oldSummary >= 0) {
      const old = pkg.sheets[oldSummary];
      workbook = workbook.replace(old.tag, '');
      workbook = workbook.replace(/(<(?:[\w.-]+:)?definedName\b[^>]*\blocalSheetId=")(\d+)("[^>]*>[\s\S]*?<\/(?:[\w.-]+:)?definedName>)/g, (all, a, n, b) =>
        Number(n) === oldSummary ? '' : Number(n) > oldSummary ? `${a}${Number(n) - 1}${b}` : all,
      );
      const rel = wbRels.find((r) => r.target === old.part);
      if (rel) wbRels.splice(wbRels.indexOf(rel), 1);
      this.removePart(old.part);
      this.removePart(relsPartOf(old.part));
    }

    const plans = planResults(result, opts);
    let vmlCount = 0;
    for (const entry of sheets) {
      const plan = plans.sheet(entry.name);
      if (plan) await this.rewriteSheet(entry, plan, ++vmlCount);
      else await this.unselect(entry);
    }

    // The Synthèse, last, and the tab the workbook opens on.
    const summaryPart = this.freePart((n) => `xl/worksheets/sheet${n}.xml`);
    this.set(summaryPart, summaryXml(result, opts, this.styles));
    this.added.push(summaryPart);
    this.override(summaryPart, CT.worksheet);
    const rid = freeId(wbRels);
    wbRels.push({ id: rid, type: `${REL}/worksheet`, target: summaryPart, external: false });
    const sheetIds = [...elements(workbook, 'sheet')].map((e) => Number(attr(e.tag, 'sheetId')) || 0);
    const prefix = /<((?:[\w.-]+:)?)sheets\b/.exec(workbook)?.[1] ?? '';
    // The prefix is declared on the element itself: some writers (openpyxl) declare it on each <sheet>.
    const idAttr = `xmlns:r="${REL}" r:id="${rid}"`;
    const sheetTag = `<${prefix}sheet name="${SUMMARY_SHEET}" sheetId="${Math.max(0, ...sheetIds) + 1}" ${idAttr}/>`;
    workbook = workbook.replace(/<\/(?:[\w.-]+:)?sheets\s*>/, (close) => sheetTag + close);
    workbook = workbook.replace(/<(?:[\w.-]+:)?sheets\s*\/>/, `<${prefix}sheets>${sheetTag}</${prefix}sheets>`);
    const tab = String(sheets.length);
    if (/<(?:[\w.-]+:)?workbookView\b/.test(workbook)) {
      workbook = workbook.replace(/<(?:[\w.-]+:)?workbookView\b[^>]*>/, (tag) => {
        let t = setAttr(tag, 'activeTab', tab);
        if (attr(t, 'firstSheet') !== undefined) t = setAttr(t, 'firstSheet', '0');
        return t;
      });
    } else {
      workbook = workbook.replace(/<(?:[\w.-]+:)?sheets\b/, (open) => `<${prefix}bookViews><${prefix}workbookView activeTab="${tab}"/></${prefix}bookViews>${open}`);
    }
    this.set(wbPart, workbook);
    if (this.styles.changed || !stylesRel) this.set(this.stylesPart, this.styles.render());
    await this.markOutput(opts.mark);
    return this.zip();
  }

  /** Our mark, among the package's custom properties (a part added when it has none). */
  private async markOutput(mark: OutputMark): Promise<void> {
    const rootRels = [...(await this.pkg.rels(''))];
    const rel = rootRels.find((r) => r.type.endsWith('/custom-properties'));
    const existing = rel ? await this.pkg.text(rel.target) : undefined;
    const part = rel && existing !== undefined ? rel.target : this.freePart((n) => `docProps/custom${n === 1 ? '' : n}.xml`);
    this.set(part, customPropertiesXml(existing, mark));
    if (rel && existing !== undefined) return;
    if (rel) rootRels.splice(rootRels.indexOf(rel), 1);
    rootRels.push({ id: freeId(rootRels), type: `${REL}/custom-properties`, target: part, external: false });
    this.rels.set('', rootRels);
    this.added.push(part);
    this.override(part, CT.custom);
  }

  // ---------------------------------------------------------------------------------------------------
  // Sheets

  /** A sheet not read: its tab is no longer selected (the Synthèse alone is) and it prints one page wide. */
  private async unselect(entry: SheetEntry): Promise<void> {
    const buf = await this.pkg.bytes(entry.part);
    if (!buf) return;
    const { head, tail, bodyStart, bodyEnd } = sheetWindows(buf);
    if (!tail) return; // not a worksheet (a chart sheet): left as it is
    // head and tail are byte strings (see sheetWindows): their lengths are byte counts.
    this.set(entry.part, [Buffer.from(fitHead(unselectViews(head)), 'latin1'), buf.subarray(bodyStart, bodyEnd), Buffer.from(fitTail(tail), 'latin1')]);
  }

  private async rewriteSheet(entry: SheetEntry, plan: SheetPlan, vmlIndex: number): Promise<void> {
    const buf = await this.pkg.bytes(entry.part);
    if (!buf) return;
    const { data } = plan;
    const styles = this.styles;
    // Our columns: where an earlier run put them, else after the last column. Columns of earlier versions go.
    const own = (title: string) => [...data.headerTexts].find(([, t]) => t.trim() === title)?.[0];
    let last = Math.max(data.maxCol ?? 0, ...data.headerTexts.keys());
    const newCols: [number, number][] = [];
    const header: [number, string][] = [];
    const place = (title: string, width: number) => {
      const found = own(title);
      if (found) return found;
      newCols.push([++last, width]);
      header.push([last, title]);
      return last;
    };
    const cols: OwnColumns = {
      status: place(STATUS_HEADER, 36),
      problems: place(PROBLEMS_HEADER, 80),
      asp: plan.main ? place(ASP_NUMBER_HEADER, 18) : undefined,
      legacy: LEGACY_HEADERS.map(own).filter((c): c is number => c !== undefined),
    };
    const statusStyle: Record<Color, number> = {
      [RED]: styles.style({ fill: styles.fill(RED) }),
      [ORANGE]: styles.style({ fill: styles.fill(ORANGE) }),
      [GREEN]: styles.style({ fill: styles.fill(GREEN) }),
      [BLUE]: styles.style({ fill: styles.fill(BLUE) }),
    };
    const look: RowLook = { headerStyle: styles.style({ font: styles.boldFont() }), statusStyle, problemsStyle: styles.style({ wrapTop: true }) };

    // Notes: the input's, ours from an earlier run dropped, ours added.
    const sheetRels = [...(await this.pkg.rels(entry.part))];
    const commentsRel = sheetRels.find((r) => r.type.endsWith('/comments'));
    const notes = new SheetNotes(commentsRel ? await this.pkg.text(commentsRel.target) : undefined);
    const clear = new Map<number, Set<number>>();
    for (const ref of notes.oldMarks) {
      const r = rowOf(ref);
      if (!clear.has(r)) clear.set(r, new Set());
      clear.get(r)!.add(columnOf(ref));
    }
    for (const [row, p] of plan.rows) for (const [col, c] of p.cells) notes.add(`${columnLetter(col)}${row}`, c.note);

    // Rewritten rows are byte strings (see sheetWindows), gathered and made one buffer at a time; the bytes
    // between them are gathered too when they are short, copied as a slice of the input when long.
    const { head, windows, tail } = sheetWindows(buf);
    // Deflated as it is written, window by window: a big sheet is never held whole, rewritten.
    const out = new PartStream();
    out.write(Buffer.from(fitHead(fixHead(head, newCols, last)), 'latin1'));
    let pending: string[] = [];
    let pendingLength = 0;
    const flush = () => {
      if (!pending.length) return;
      out.write(Buffer.from(pending.join(''), 'latin1'));
      pending = [];
      pendingLength = 0;
    };
    const gather = (text: string) => {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= GATHERED) flush();
    };
    const copy = (window: string, start: number, from: number, to: number) => {
      if (to - from < SHORT_GAP) gather(window.slice(from, to));
      else {
        flush();
        out.write(buf.subarray(start + from, start + to));
      }
    };
    const state = { last: 0 };
    for (const { text: window, start } of windows()) {
      let prev = 0;
      for (const r of rowsOf(window, state)) {
        const rowPlan = plan.rows.get(r.row);
        const isHeader = r.row === data.headerRow;
        const cleared = clear.get(r.row);
        if (!rowPlan && !isHeader && !cleared) continue;
        if (r.index > prev) copy(window, start, prev, r.index);
        gather(this.rewriteRow(r, { plan: rowPlan, header: isHeader ? header : [], cleared, cols, look }));
        prev = r.end;
      }
      if (prev < window.length) copy(window, start, prev, window.length);
      flush();
      await out.ready();
    }
    let end = fitTail(tail);
    if (!notes.empty) end = await this.placeNotes(entry, sheetRels, notes, end, vmlIndex);
    out.write(Buffer.from(end, 'latin1'));
    this.changed.set(entry.part, out.end());
  }

  /** A value as the byte string of its XML text; the few texts that come back on every row (statuses) once. */
  private xmlBytes(value: string): string {
    const known = this.texts.get(value);
    if (known !== undefined) return known;
    const xml = bytesOf(encodeXml(value));
    if (value.length <= 200 && this.texts.size < 1000) this.texts.set(value, xml);
    return xml;
  }

  private rewriteRow(r: RowMatch, o: { plan?: RowPlan; header: [number, string][]; cleared?: Set<number>; cols: OwnColumns; look: RowLook }): string {
    const styles = this.styles;
    const { cols, look } = o;
    const p = /^<([\w.-]+:)?/.exec(r.tag)?.[1] ?? '';
    const ref = (col: number) => `${columnLetter(col)}${r.row}`;
    const text = (col: number, s: number, value: string) =>
      `<${p}c r="${ref(col)}" s="${s}" t="inlineStr"><${p}is><${p}t xml:space="preserve">${this.xmlBytes(value)}</${p}t></${p}is></${p}c>`;
    const rowTag = (height: number) => {
      let tag = r.tag.replace(/\/?>$/, '');
      if (height > Number(attr(tag, 'ht') ?? 0)) tag = setAttr(setAttr(tag, 'ht', String(height)), 'customHeight', '1');
      return removeAttr(tag, 'spans') + '>';
    };
    const empty = (col: number, s: number) => `<${p}c r="${ref(col)}" s="${s}"/>`;
    const ours = (plan: RowPlan): [number, string][] => [
      [cols.status, text(cols.status, look.statusStyle[plan.color], plan.status)],
      [cols.problems, plan.problems.length ? text(cols.problems, look.problemsStyle, plan.problems.join('\n')) : empty(cols.problems, look.problemsStyle)],
      ...(cols.asp ? [[cols.asp, plan.numeroASP ? text(cols.asp, 0, plan.numeroASP) : empty(cols.asp, 0)] as [number, string]] : []),
    ];
    // Most rows only get our cells, after their own: they are added at the end, the row left as it is.
    const plain = o.plan && !o.header.length && !o.cleared && !o.plan.values.size && !o.plan.cells.size;
    const lastCol = plain ? lastColumn(r.body, p) : undefined;
    if (o.plan && lastCol !== undefined && lastCol < Math.min(cols.status, cols.problems, cols.asp ?? Infinity, ...cols.legacy)) {
      const added = ours(o.plan).sort((a, b) => a[0] - b[0]);
      return `${rowTag(o.plan.height)}${r.body}${added.map((a) => a[1]).join('')}</${p}row>`;
    }
    const cells = new Map<number, { s: number; xml: string }>();
    for (const c of cellsOf(r.body)) {
      // Every cell gets its reference: cells are added among them.
      const xml = /^<[^>]*\sr\s*=/.test(c.xml) ? c.xml : c.xml.replace(/^<([\w.:-]+)/, `<$1 r="${columnLetter(c.col)}${r.row}"`);
      cells.set(c.col, { s: c.s, xml });
    }
    const restyle = (col: number, s: number) => {
      const c = cells.get(col);
      if (!c) cells.set(col, { s, xml: `<${p}c r="${ref(col)}" s="${s}"/>` });
      else cells.set(col, { s, xml: c.xml.replace(/^<[^>]*?(\/?>)/, (tag) => setAttr(tag.replace(/\/?>$/, ''), 's', String(s)) + tag.match(/\/?>$/)![0]) });
    };
    for (const col of cols.legacy) cells.delete(col);
    for (const [col, title] of o.header) cells.set(col, { s: look.headerStyle, xml: text(col, look.headerStyle, title) });
    for (const col of o.cleared ?? []) {
      const c = cells.get(col);
      if (c && !o.plan?.cells.has(col)) restyle(col, styles.withFill(c.s, 0));
    }
    if (o.plan) {
      const plan = o.plan;
      for (const [col, value] of plan.values) cells.set(col, { s: cells.get(col)?.s ?? 0, xml: text(col, cells.get(col)?.s ?? 0, value) });
      for (const [col, c] of plan.cells) restyle(col, styles.withFill(cells.get(col)?.s ?? 0, styles.fill(c.color)));
      for (const [col, xml] of ours(plan)) cells.set(col, { s: 0, xml });
    }
    const tag = rowTag(o.plan?.height ?? 0);
    const body = [...cells.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, c]) => c.xml)
      .join('');
    return `${tag}${body}</${p}row>`;
  }

  // ---------------------------------------------------------------------------------------------------
  // Notes

  /**
   * Writes a sheet's notes (comments part and its drawing), under the input's part names or, for a sheet
   * that had none, Excel's; returns the sheet's tail with its legacyDrawing.
   */
  private async placeNotes(entry: SheetEntry, sheetRels: Rel[], notes: SheetNotes, tail: string, index: number): Promise<string> {
    const commentsRel = sheetRels.find((r) => r.type.endsWith('/comments'));
    const drawingId = [...elements(tail, 'legacyDrawing')][0];
    const vmlRel = sheetRels.find((r) => r.id === (drawingId ? attr(drawingId.tag, 'id') : undefined)) ?? sheetRels.find((r) => r.type.endsWith('/vmlDrawing'));
    const vmlXml = vmlRel ? await this.pkg.text(vmlRel.target) : undefined;
    const idmap = Number(/<(?:[\w.-]+:)?idmap\b[^>]*\bdata="(\d+)/.exec(vmlXml ?? '')?.[1] ?? index);
    const commentsPart = commentsRel?.target ?? this.freePart((n) => `xl/comments${n}.xml`);
    const vmlPart = vmlRel?.target ?? this.freePart((n) => `xl/drawings/vmlDrawing${n}.vml`);
    for (const [rel, part, type, ct] of [
      [commentsRel, commentsPart, 'comments', CT.comments],
      [vmlRel, vmlPart, 'vmlDrawing', CT.vml],
    ] as const) {
      if (rel) continue;
      sheetRels.push({ id: freeId(sheetRels), type: `${REL}/${type}`, target: part, external: false });
      this.added.push(part);
      if (ct === CT.comments || !/<Default\b[^>]*Extension="vml"/i.test(this.contentTypes)) this.override(part, ct);
    }
    this.set(commentsPart, notes.commentsXml());
    this.set(vmlPart, notes.vmlXml(vmlXml, idmap));
    this.rels.set(entry.part, sheetRels);
    if (drawingId) return tail;
    const rid = sheetRels.find((r) => r.target === vmlPart)!.id;
    const p = /<\/([\w.-]+:)?worksheet/.exec(tail)?.[1] ?? '';
    const el = `<${p}legacyDrawing xmlns:r="${REL}" r:id="${rid}"/>`;
    // Its place in the sheet: before these elements, else before the end.
    const after = /<(?:[\w.-]+:)?(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b|<\/(?:[\w.-]+:)?worksheet\s*>/.exec(tail);
    return after ? tail.slice(0, after.index) + el + tail.slice(after.index) : tail + el;
  }

  // ---------------------------------------------------------------------------------------------------
  // Package

  /** A part's new content: its deflating starts now. */
  private set(part: string, content: string | Buffer[]): void {
    this.changed.set(part, this.deflater.part(content));
  }

  private freePart(name: (n: number) => string): string {
    for (let n = 1; ; n++) {
      const p = name(n);
      if ((!this.pkg.zip.file(p) || this.removed.has(p)) && !this.changed.has(p) && !this.added.includes(p)) return p;
    }
  }

  private removePart(part: string): void {
    if (!this.pkg.zip.file(part)) return;
    this.removed.add(part);
    const o = this.overrideOf(part);
    if (o) this.contentTypes = this.contentTypes.slice(0, o.index) + this.contentTypes.slice(o.end);
  }

  private override(part: string, type: string): void {
    if (this.overrideOf(part)) return;
    this.contentTypes = this.contentTypes.replace(/<\/(?:[\w.-]+:)?Types\s*>/, (close) => `<Override PartName="/${part}" ContentType="${type}"/>${close}`);
  }

  /** The <Override> of a part in [Content_Types].xml (part names compare without case). */
  private overrideOf(part: string) {
    return [...elements(this.contentTypes, 'Override')].find((e) => attr(e.tag, 'PartName')?.toLowerCase() === `/${part}`.toLowerCase());
  }

  /** The zip: the input's entries in their order, changed ones rewritten, others copied as stored. */
  private async zip(): Promise<Buffer> {
    const zip = new ZipBuilder();
    const rels = new Map<string, string>();
    for (const [source, list] of this.rels) rels.set(relsPartOf(source), renderRels(list, source));
    const added = new Set(this.added);
    for (const entry of Object.values(this.pkg.zip.files)) {
      const name = entry.name;
      if (entry.dir || this.removed.has(name) || added.has(name)) continue;
      if (name === '[Content_Types].xml') zip.appendPart(name, zip.part(this.contentTypes));
      else if (rels.has(name)) {
        zip.appendPart(name, zip.part(rels.get(name)!));
        rels.delete(name);
      } else if (this.changed.has(name)) {
        zip.appendPart(name, this.changed.get(name)!);
      } else await this.copy(zip, name);
    }
    for (const name of this.added) zip.appendPart(name, this.changed.get(name)!);
    for (const [name, text] of rels) zip.appendPart(name, zip.part(text));
    return zip.finish();
  }

  /** An entry copied as it is stored, once its size and CRC-32 are known to be right (see rawEntry). */
  private async copy(zip: ZipBuilder, name: string): Promise<void> {
    const raw = await rawEntry(this.pkg.zip.file(name)!, this.pkg.file);
    if (raw) zip.appendRaw(name, raw);
    else zip.appendPart(name, zip.part([(await this.pkg.bytes(name))!]));
  }
}

/** Bytes between rewritten rows gathered with them below this length; copied as a slice from it. */
const SHORT_GAP = 4096;
/** Rewritten rows are made a buffer once they add up to this many bytes. */
const GATHERED = 1 << 20;

/** Where our cells go in a sheet's rows. */
interface OwnColumns {
  status: number;
  problems: number;
  /** The ASP's dossier number: main sheet only. */
  asp?: number;
  /** Columns that earlier versions added: emptied. */
  legacy: number[];
}

interface RowLook {
  headerStyle: number;
  statusStyle: Record<Color, number>;
  problemsStyle: number;
}

/** Headers of columns that earlier versions of xlsx2segur added (retour --workbook). */
const LEGACY_HEADERS = ['Statut ASP [xlsx2segur]', 'Réponse ASP [xlsx2segur]'];

/** Column of the last cell of a row's content (0: none; undefined: a cell without its reference). */
function lastColumn(body: string, prefix: string): number | undefined {
  const at = body.lastIndexOf(`<${prefix}c `);
  if (at < 0) return /<(?:[\w.-]+:)?c[\s/>]/.test(body) ? undefined : 0;
  const ref = attr(body.slice(at, body.indexOf('>', at) + 1), 'r');
  return ref ? columnOf(ref) : undefined;
}

function freeId(rels: Rel[]): string {
  const ids = new Set(rels.map((r) => r.id));
  for (let n = rels.length + 1; ; n++) if (!ids.has(`rId${n}`)) return `rId${n}`;
}

function renderRels(rels: Rel[], source: string): string {
  const dir = sourceDirOf(source);
  const list = rels
    .map((r) => {
      const target = r.external ? r.target : relativeTarget(dir, r.target);
      return `<Relationship Id="${encodeXml(r.id)}" Type="${encodeXml(r.type)}" Target="${encodeXml(target)}"${r.external ? ' TargetMode="External"' : ''}/>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${REL_NS}">${list}</Relationships>`;
}

/** No sheet view of the sheet is selected. */
function unselectViews(head: string): string {
  return head.replace(/<(?:[\w.-]+:)?sheetView\b[^>]*>/g, (tag) => removeAttr(tag, 'tabSelected'));
}

/** The sheet's start: views unselected, dimension and column widths for our new columns. */
function fixHead(head: string, newCols: [number, number][], last: number): string {
  let h = unselectViews(head);
  if (!newCols.length) return h;
  h = h.replace(/<(?:[\w.-]+:)?dimension\b[^>]*>/, (tag) => {
    const ref = attr(tag, 'ref');
    if (!ref) return tag;
    const [a, b = a] = ref.split(':');
    if (columnOf(b) >= last) return tag;
    return setAttr(tag.replace(/\/?>$/, ''), 'ref', `${a}:${columnLetter(last)}${rowOf(b) || rowOf(a)}`) + '/>';
  });
  const p = /<([\w.-]+:)?sheetData\b/.exec(h)?.[1] ?? '';
  const ours = newCols.map(([c, width]) => ({ min: c, max: c, xml: `<${p}col min="${c}" max="${c}" width="${width}" customWidth="1"/>` }));
  const found = [...elements(h, 'cols')][0];
  const list: { min: number; max: number; xml: string }[] = [];
  for (const e of elements(found?.body ?? '', 'col')) {
    const min = Number(attr(e.tag, 'min'));
    const max = Number(attr(e.tag, 'max'));
    const xml = e.body === undefined ? e.tag : `${e.tag}${e.body}</${p}col>`;
    // A range of columns that covers one of ours is split around it.
    let pieces = [{ min, max }];
    for (const o of ours) pieces = pieces.flatMap((r) => (o.min > r.max || o.min < r.min ? [r] : [{ min: r.min, max: o.min - 1 }, { min: o.min + 1, max: r.max }].filter((x) => x.min <= x.max)));
    for (const r of pieces) list.push({ ...r, xml: r.min === min && r.max === max ? xml : setAttr(setAttr(xml.replace(/\/>$/, ''), 'min', String(r.min)), 'max', String(r.max)) + '/>' });
  }
  list.push(...ours);
  list.sort((a, b) => a.min - b.min);
  const cols = `<${p}cols>${list.map((c) => c.xml).join('')}</${p}cols>`;
  if (found) return h.slice(0, found.index) + cols + h.slice(found.end);
  const at = /<(?:[\w.-]+:)?sheetData\b/.exec(h);
  return at ? h.slice(0, at.index) + cols + h.slice(at.index) : h;
}
