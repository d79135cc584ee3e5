import { attr, elements, setAttr } from '../read/xml.js';

/**
 * Print setup of a sheet of the results workbook: landscape, one page wide (as many pages down as it
 * takes), so that printing or exporting to PDF gives a few readable pages rather than columns cut across
 * dozens of them. Works on the sheet's XML before (head) and after (tail) its sheetData; the other print
 * settings (paper size, margins, headers) stay as they were.
 */
export function fitHead(head: string): string {
  const p = /<([\w.-]+:)?worksheet\b/.exec(head)?.[1] ?? '';
  const pr = [...elements(head, 'sheetPr')][0];
  if (!pr) {
    const open = /<(?:[\w.-]+:)?worksheet\b[^>]*>/.exec(head);
    if (!open) return head;
    const at = open.index + open[0].length;
    return `${head.slice(0, at)}<${p}sheetPr><${p}pageSetUpPr fitToPage="1"/></${p}sheetPr>${head.slice(at)}`;
  }
  const setUp = [...elements(pr.body ?? '', 'pageSetUpPr')][0];
  let body: string;
  if (setUp) {
    const tag = setAttr(setUp.tag.replace(/\s*\/?>$/, ''), 'fitToPage', '1') + (setUp.body === undefined ? '/>' : '>');
    body = pr.body!.slice(0, setUp.index) + tag + pr.body!.slice(setUp.index + setUp.tag.length);
  } else body = `${pr.body ?? ''}<${p}pageSetUpPr fitToPage="1"/>`;
  const open = pr.tag.replace(/\s*\/>$/, '>');
  return `${head.slice(0, pr.index)}${open}${body}</${p}sheetPr>${head.slice(pr.end)}`;
}

/** Elements that follow pageSetup in a worksheet (its place in the schema's sequence). */
const AFTER_PAGE_SETUP = /<(?:[\w.-]+:)?(?:headerFooter|rowBreaks|colBreaks|customProperties|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b|<\/(?:[\w.-]+:)?worksheet\s*>/;

export function fitTail(tail: string): string {
  const p = /<\/([\w.-]+:)?worksheet/.exec(tail)?.[1] ?? '';
  const found = [...elements(tail, 'pageSetup')][0];
  if (found) {
    let tag = found.tag.replace(/\s*\/?>$/, '');
    for (const [k, v] of [['orientation', 'landscape'], ['fitToWidth', '1'], ['fitToHeight', '0']]) tag = setAttr(tag, k, v);
    if (attr(tag, 'scale') !== undefined) tag = tag.replace(/\s+scale="[^"]*"/, '');
    return tail.slice(0, found.index) + tag + (found.body === undefined ? '/>' : '>') + tail.slice(found.index + found.tag.length);
  }
  const el = `<${p}pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>`;
  const at = AFTER_PAGE_SETUP.exec(tail);
  return at ? tail.slice(0, at.index) + el + tail.slice(at.index) : tail;
}
