import { attr, elements, setAttr } from '../read/xml.js';

/** The styles part a package without one gets (one font, the two fills Excel requires, one border, one style). */
export const MINIMAL_STYLES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

/**
 * The styles part of a package, to which the results workbook adds the few styles it needs: its fills, a
 * bold font, and cell styles (cellXfs) made from the vendor's own (the same style with our fill). Nothing
 * already there is changed or renumbered: new entries go after the existing ones.
 */
export class StyleBook {
  private readonly fills: string[] = [];
  private readonly fonts: string[] = [];
  private readonly xfs: string[] = [];
  private readonly baseXfs: string[];
  private readonly fillCount: number;
  private readonly fontCount: number;
  private readonly baseFont: string;
  private readonly memo = new Map<string, number>();
  /** The package's own entries, without namespace prefixes: an entry we need that is already there is reused. */
  private readonly existing: { fills: Map<string, number>; fonts: Map<string, number>; xfs: Map<string, number> };

  constructor(private readonly xml: string) {
    const xfs = [...elements(xml, 'cellXfs')][0];
    this.baseXfs = [...elements(xfs?.body ?? '', 'xf')].map((e) => (e.body === undefined ? e.tag : `${e.tag}${e.body}</${prefixOf(e.tag)}xf>`));
    if (!this.baseXfs.length) this.baseXfs.push('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>');
    const fills = [...elements(xml, 'fills')][0];
    const fillList = [...elements(fills?.body ?? '', 'fill')];
    this.fillCount = fillList.length;
    const fonts = [...elements(xml, 'fonts')][0];
    const fontList = [...elements(fonts?.body ?? '', 'font')];
    this.fontCount = fontList.length;
    const index = (list: string[]) => {
      const m = new Map<string, number>();
      list.forEach((x, i) => m.has(bare(x)) || m.set(bare(x), i));
      return m;
    };
    const whole = (e: { tag: string; body: string | undefined }, name: string) => (e.body === undefined ? e.tag : `${e.tag}${e.body}</${prefixOf(e.tag)}${name}>`);
    this.existing = { fills: index(fillList.map((e) => whole(e, 'fill'))), fonts: index(fontList.map((e) => whole(e, 'font'))), xfs: index(this.baseXfs) };
    const f0 = fontList[0];
    this.baseFont = f0?.body ?? '<sz val="11"/><name val="Calibri"/><family val="2"/>';
  }

  /** A solid fill of that colour (ARGB), its index. */
  fill(argb: string): number {
    return this.once(`fill:${argb}`, () => {
      const xml = `<fill><patternFill patternType="solid"><fgColor rgb="${argb}"/><bgColor indexed="64"/></patternFill></fill>`;
      const found = this.existing.fills.get(bare(xml));
      if (found !== undefined) return found;
      this.fills.push(xml);
      return this.fillCount + this.fills.length - 1;
    });
  }

  /** The workbook's default font in bold (and at that size, in points), its index. */
  boldFont(size?: number): number {
    return this.once(`font:${size ?? ''}`, () => {
      // Children of <font> in their schema order: b first, sz before color and name.
      let body = this.baseFont.replace(/<(?:[\w.-]+:)?b(?:\s[^>]*)?\/>/, '');
      if (size) body = /<(?:[\w.-]+:)?sz\b/.test(body) ? body.replace(/<((?:[\w.-]+:)?sz)\b[^>]*\/>/, `<$1 val="${size}"/>`) : `<sz val="${size}"/>${body}`;
      const found = this.existing.fonts.get(bare(`<font><b/>${body}</font>`));
      if (found !== undefined) return found;
      this.fonts.push(`<font><b/>${body}</font>`);
      return this.fontCount + this.fonts.length - 1;
    });
  }

  /** A new cell style on the default one, with that font, fill and alignment. */
  style(opts: { font?: number; fill?: number; wrapTop?: boolean }): number {
    return this.once(`style:${opts.font ?? ''}:${opts.fill ?? ''}:${opts.wrapTop ? 1 : 0}`, () => {
      const applies = `${opts.font ? ' applyFont="1"' : ''}${opts.fill ? ' applyFill="1"' : ''}${opts.wrapTop ? ' applyAlignment="1"' : ''}`;
      const tag = `<xf numFmtId="0" fontId="${opts.font ?? 0}" fillId="${opts.fill ?? 0}" borderId="0" xfId="0"${applies}`;
      return this.addXf(opts.wrapTop ? `${tag}><alignment vertical="top" wrapText="1"/></xf>` : `${tag}/>`);
    });
  }

  /** The vendor's cell style `s` with another fill (0: none), everything else kept. */
  withFill(s: number, fill: number): number {
    const base = this.baseXfs[s] ?? this.baseXfs[0];
    const current = Number(attr(base.slice(0, base.indexOf('>') + 1), 'fillId') ?? 0);
    if (current === fill) return s < this.baseXfs.length ? s : 0;
    return this.once(`fill-of:${s}:${fill}`, () => {
      const end = base.indexOf('>') + 1;
      let tag = base.slice(0, end);
      tag = setAttr(setAttr(tag, 'fillId', String(fill)), 'applyFill', '1');
      return this.addXf(tag + base.slice(end));
    });
  }

  private addXf(xml: string): number {
    const found = this.existing.xfs.get(bare(xml));
    if (found !== undefined) return found;
    this.xfs.push(xml);
    return this.baseXfs.length + this.xfs.length - 1;
  }

  get changed(): boolean {
    return this.xfs.length > 0 || this.fills.length > 0 || this.fonts.length > 0;
  }

  /** The styles part with what was added. */
  render(): string {
    let xml = this.xml;
    xml = appendTo(xml, 'fonts', this.fonts, this.fontCount, '<fills');
    xml = appendTo(xml, 'fills', this.fills, this.fillCount, '<borders');
    xml = appendTo(xml, 'cellXfs', this.xfs, this.baseXfs.length, '<cellStyles');
    return xml;
  }

  private once(key: string, make: () => number): number {
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, (v = make()));
    return v;
  }
}

function prefixOf(tag: string): string {
  return /^<([\w.-]+:)?/.exec(tag)?.[1] ?? '';
}

/** An element's XML without namespace prefixes and with self-closing tags written `/>`. */
function bare(xml: string): string {
  return xml.replace(/<(\/?)[\w.-]+:/g, '<$1').replace(/\s*\/>/g, '/>');
}

/** Appends elements to a list element (<fonts>, <fills>, <cellXfs>) and sets its count. */
function appendTo(xml: string, list: string, items: string[], before: number, insertBefore: string): string {
  if (!items.length) return xml;
  const found = [...elements(xml, list)][0];
  const count = String(before + items.length);
  if (!found) {
    const at = xml.indexOf(insertBefore);
    const el = `<${list} count="${count}">${items.join('')}</${list}>`;
    return at >= 0 ? xml.slice(0, at) + el + xml.slice(at) : xml.replace(/<\/(?:[\w.-]+:)?styleSheet>\s*$/, `${el}$&`);
  }
  const prefix = /^<([\w.-]+:)?/.exec(found.tag)?.[1] ?? '';
  const tag = setAttr(found.tag.replace(/\/>$/, '>'), 'count', count);
  const pre = prefix ? items.map((i) => i.replace(/<(\/?)([a-zA-Z][\w.-]*)(?=[\s/>])/g, `<$1${prefix}$2`)) : items;
  return xml.slice(0, found.index) + tag + (found.body ?? '') + pre.join('') + `</${prefix}${list}>` + xml.slice(found.end);
}
