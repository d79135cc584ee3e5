import path from 'node:path';
import type { XlsxPackage } from '../read/package.js';
import { attr, decodeXml, elements, encodeXml } from '../read/xml.js';

/**
 * The mark our outputs carry inside (custom document properties), so that a folder scan recognises them
 * whatever their file name: which output it is, and the name of the workbook it was made from.
 */
export interface OutputMark {
  output: 'resultats' | 'retour';
  /** File name of the workbook the vendor fills ("commandes.xlsx"). */
  source: string;
  /** Day of deposit of the run that wrote it, AAAAMMJJ. */
  date: string;
}

const OUTPUT = 'xlsx2segur-sortie';
const SOURCE = 'xlsx2segur-source';
const DATE = 'xlsx2segur-date';
const FMTID = '{D5CDD505-2E9C-101B-9397-08002B2CF9AE}';
const NS = 'http://schemas.openxmlformats.org/officeDocument/2006/custom-properties';
const VT = 'http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes';

export function markOf(pkg: XlsxPackage): OutputMark | undefined {
  return markOfProperties(pkg.customProperties);
}

function markOfProperties(properties: Map<string, string>): OutputMark | undefined {
  const output = properties.get(OUTPUT);
  const source = properties.get(SOURCE);
  if ((output !== 'resultats' && output !== 'retour') || !source) return undefined;
  return { output, source, date: properties.get(DATE) ?? '' };
}

/** The mark in a custom properties part's XML, read as XlsxPackage reads the part. */
export function markOfCustomXml(xml: string): OutputMark | undefined {
  const properties = new Map<string, string>();
  for (const e of elements(xml, 'property')) {
    const name = attr(e.tag, 'name');
    const value = /<(?:[\w.-]+:)?lpwstr\b[^>]*>([^<]*)</.exec(e.body ?? '')?.[1];
    if (name && value !== undefined) properties.set(name, decodeXml(value));
  }
  return markOfProperties(properties);
}

/** The workbook's name without its extension and without the suffix of our outputs. */
export function sourceBase(name: string): string {
  return name.replace(/\.(xlsx|xlsm)$/i, '').replace(/\.(resultats|retour)(-\d+)?$/i, '');
}

/** File name of the living results workbook of an input (named after the workbook it was made from). */
export function livingName(input: string, mark: OutputMark | undefined): string {
  return `${sourceBase(mark?.source ?? path.basename(input))}.resultats.xlsx`;
}

/** The name the vendor knows a workbook by: the one its mark records, else its own. */
export function sourceName(input: string, mark: OutputMark | undefined): string {
  return mark?.source ?? path.basename(input);
}

/** The custom properties part: the input's own properties, ours replaced. */
export function customPropertiesXml(existing: string | undefined, mark: OutputMark): string {
  const kept: string[] = [];
  for (const e of elements(existing ?? '', 'property')) {
    if (/\bname="xlsx2segur-/.test(e.tag)) continue;
    kept.push(e.body === undefined ? e.tag : existing!.slice(e.index, e.end));
  }
  const ours = [
    [OUTPUT, mark.output],
    [SOURCE, mark.source],
    [DATE, mark.date],
  ].map(([name, value]) => `<property fmtid="${FMTID}" pid="0" name="${name}"><vt:lpwstr>${encodeXml(value)}</vt:lpwstr></property>`);
  // Property ids are numbered from 2, in order.
  const all = [...kept, ...ours].map((p, i) => p.replace(/\bpid="\d+"/, `pid="${i + 2}"`));
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="${NS}" xmlns:vt="${VT}">${all.join('')}</Properties>`;
}
