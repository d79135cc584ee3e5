import { ZipBuilder } from '../util/zip-write.js';
import { columnName } from './sheet-xml.js';

/**
 * The .xlsx package of sheets of text cells (a folder of CSV files), written by our own zip writer: the
 * parts exceljs 4.4.0 wrote for such a workbook (shared strings, one default style), without its theme;
 * a row whose cells are all empty is left out, so is an empty cell.
 */
export async function csvWorkbookBytes(sheets: { name: string; rows: string[][] }[]): Promise<Buffer> {
  const zip = new ZipBuilder();
  const strings = new Map<string, number>();
  let count = 0;
  const indexOf = (text: string) => {
    count++;
    let n = strings.get(text);
    if (n === undefined) strings.set(text, (n = strings.size));
    return n;
  };
  const sheetXml = sheets.map(({ rows }) => sheetPart(rows, indexOf));
  const n = sheets.length;
  const sheetRange = Array.from({ length: n }, (_, i) => i + 1);
  zip.append(
    XML +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      sheetRange.map((i) => `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
    { name: '[Content_Types].xml' },
  );
  zip.append(
    XML +
      `<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${DOC_REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="${DOC_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    { name: '_rels/.rels' },
  );
  zip.append(
    XML +
      `<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${DOC_REL}/styles" Target="styles.xml"/><Relationship Id="rId2" Type="${DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>` +
      sheetRange.map((i) => `<Relationship Id="rId${i + 2}" Type="${DOC_REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`).join('') +
      '</Relationships>',
    { name: 'xl/_rels/workbook.xml.rels' },
  );
  sheetXml.forEach((xml, i) => zip.appendPart(`xl/worksheets/sheet${i + 1}.xml`, zip.part(xml)));
  zip.append(
    XML +
      `<sst xmlns="${MAIN_NS}" count="${count}" uniqueCount="${strings.size}">` +
      [...strings.keys()].map((t) => `<si>${textElement(t)}</si>`).join('') +
      '</sst>',
    { name: 'xl/sharedStrings.xml' },
  );
  zip.append(STYLES, { name: 'xl/styles.xml' });
  const names = sheets.map((s) => `<vt:lpstr>${xmlEncode(s.name)}</vt:lpstr>`).join('');
  zip.append(
    XML +
      `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>${n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="${n}" baseType="lpstr">${names}</vt:vector></TitlesOfParts><Company></Company><Manager></Manager><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion></Properties>`,
    { name: 'docProps/app.xml' },
  );
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  zip.append(
    XML +
      `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Unknown</dc:creator><dc:title></dc:title><dc:subject></dc:subject><dc:description></dc:description><cp:keywords></cp:keywords><cp:category></cp:category><cp:lastModifiedBy>Unknown</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified></cp:coreProperties>`,
    { name: 'docProps/core.xml' },
  );
  zip.append(
    XML +
      `<workbook xmlns="${MAIN_NS}" xmlns:r="${DOC_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><fileVersion appName="xl" lastEdited="5" lowestEdited="5" rupBuild="9303"/><workbookPr defaultThemeVersion="164011" filterPrivacy="1"/><sheets>` +
      sheets.map((s, i) => `<sheet sheetId="${i + 1}" name="${xmlEncode(s.name)}" state="visible" r:id="rId${i + 3}"/>`).join('') +
      '</sheets><calcPr calcId="171027"/></workbook>',
    { name: 'xl/workbook.xml' },
  );
  return zip.finish();
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const STYLES =
  XML +
  `<styleSheet xmlns="${MAIN_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac x16r2" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main"><fonts count="1" x14ac:knownFonts="1"><font><family val="2"/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`;

/** exceljs's xmlEncode: the five XML characters escaped, control characters XML cannot hold dropped. */
function xmlEncode(text: string): string {
  return text.replace(/[<>&'"\x7f\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => ESCAPES[c] ?? '');
}
const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/** A <t>, its spaces kept when they would otherwise be lost (as exceljs writes it). */
function textElement(text: string): string {
  return /^\s|\n|\s$/.test(text) ? `<t xml:space="preserve">${xmlEncode(text)}</t>` : `<t>${xmlEncode(text)}</t>`;
}

/** A worksheet of text cells, each a shared string. */
function sheetPart(rows: string[][], indexOf: (text: string) => number): string {
  const body: string[] = [];
  let minCol = Infinity;
  let maxCol = 0;
  let minRow = 0;
  let maxRow = 0;
  rows.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const r = i + 1;
    const out: string[] = [];
    let lo = 0;
    let hi = 0;
    cells.forEach((c, j) => {
      if (c === '') return;
      const col = j + 1;
      if (!lo) lo = col;
      hi = col;
      out.push(`<c r="${columnName(col)}${r}" t="s"><v>${indexOf(c)}</v></c>`);
    });
    minCol = Math.min(minCol, lo);
    maxCol = Math.max(maxCol, hi);
    if (!minRow) minRow = r;
    maxRow = r;
    body.push(`<row r="${r}" spans="${lo}:${hi}" x14ac:dyDescent="0.25">${out.join('')}</row>`);
  });
  const dimension = maxRow ? `${columnName(minCol)}${minRow}:${columnName(maxCol)}${maxRow}` : 'A1';
  return (
    XML +
    `<worksheet xmlns="${MAIN_NS}" xmlns:r="${DOC_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="${dimension}"/><sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0" x14ac:dyDescent="55"/><sheetData>${body.join('')}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup orientation="portrait" horizontalDpi="4294967295" verticalDpi="4294967295" scale="100" fitToWidth="1" fitToHeight="1"/></worksheet>`
  );
}
