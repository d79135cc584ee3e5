import { attr, columnOf, elements, encodeXml, rowOf, runText } from '../read/xml.js';
import { NOTE_PREFIX, NOTE_SEPARATOR } from './plan.js';
import { columnLetter } from '../issues/issues.js';

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const AUTHOR = 'xlsx2segur';
const VML_NS = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"';

/** A note of a cell as the comments part holds it. */
interface Note {
  ref: string;
  author: string;
  /** Content of its <text> element. */
  textXml: string;
}

/**
 * The notes of one sheet in the results workbook: the vendor's own notes are kept as they are; ours, from
 * an earlier run (their text starts with "xlsx2segur"), are dropped, and the cells they marked are
 * returned so that their fill is taken off too. When one of our notes had to share its cell with the
 * vendor's note, the vendor's text, kept after NOTE_SEPARATOR, is given back.
 */
export class SheetNotes {
  /** Cells that carried our note before this run. */
  readonly oldMarks = new Set<string>();
  private readonly kept = new Map<string, Note>();
  private readonly added = new Map<string, string>();

  constructor(commentsXml: string | undefined) {
    if (!commentsXml) return;
    const authors = [...elements(commentsXml, 'author')].map((e) => runText(`<t>${e.body ?? ''}</t>`));
    for (const c of elements(commentsXml, 'comment')) {
      const ref = attr(c.tag, 'ref');
      if (!ref) continue;
      const textXml = [...elements(c.body ?? '', 'text')][0]?.body ?? '';
      const text = runText(textXml);
      const author = authors[Number(attr(c.tag, 'authorId') ?? 0)] ?? '';
      if (text.trimStart().startsWith(NOTE_PREFIX.trim())) {
        this.oldMarks.add(ref);
        const at = text.indexOf(NOTE_SEPARATOR);
        if (at >= 0) this.kept.set(ref, { ref, author, textXml: run(text.slice(at + NOTE_SEPARATOR.length)) });
        continue;
      }
      this.kept.set(ref, { ref, author, textXml });
    }
  }

  /** Our note on a cell. */
  add(ref: string, text: string): void {
    this.added.set(ref, text);
  }

  get empty(): boolean {
    return this.kept.size === 0 && this.added.size === 0 && this.oldMarks.size === 0;
  }

  /** Every note, in the order of their cells (row, then column). */
  private all(): Note[] {
    const notes = new Map(this.kept);
    for (const [ref, text] of this.added) {
      const own = this.kept.get(ref);
      const full = own ? text + NOTE_SEPARATOR + runText(own.textXml) : text;
      notes.set(ref, { ref, author: AUTHOR, textXml: run(full) });
    }
    return [...notes.values()].sort((a, b) => rowOf(a.ref) - rowOf(b.ref) || columnOf(a.ref) - columnOf(b.ref));
  }

  /** Cells whose note is unchanged from the input (their drawing is kept as it was). */
  private unchanged(): Set<string> {
    return new Set([...this.kept.keys()].filter((r) => !this.added.has(r) && !this.oldMarks.has(r)));
  }

  /** The comments part. */
  commentsXml(): string {
    const notes = this.all();
    const authors: string[] = [];
    for (const n of notes) if (!authors.includes(n.author)) authors.push(n.author);
    const list = notes.map((n) => `<comment ref="${n.ref}" authorId="${authors.indexOf(n.author)}"><text>${n.textXml}</text></comment>`).join('');
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      `<comments xmlns="${MAIN_NS}"><authors>${authors.map((a) => `<author>${encodeXml(a)}</author>`).join('')}</authors><commentList>${list}</commentList></comments>`
    );
  }

  /**
   * The drawing part of the notes (VML): the input's shapes are kept, but for the notes that changed or
   * went away; the new notes get a hidden box beside their cell. `idmap` numbers a new drawing's shapes.
   */
  vmlXml(existing: string | undefined, idmap: number): string {
    const keep = this.unchanged();
    const notes = this.all();
    let xml = existing ?? '';
    const shapes: string[] = [];
    let maxId = 1024 * idmap;
    let have = new Set<string>();
    if (xml) {
      have = new Set<string>();
      // Any prefix: openpyxl writes ns0:, ns1:… declared on each element.
      xml = xml.replace(/<([\w.-]+:)?shape\b(?:[^>]*\/>|[\s\S]*?<\/\1shape>)/g, (shape) => {
        const id = /\bid="_x0000_s(\d+)"/.exec(shape);
        if (id) maxId = Math.max(maxId, Number(id[1]));
        if (!/ObjectType="Note"/.test(shape)) return shape;
        const r = /<(?:[\w.-]+:)?Row>\s*(\d+)\s*<\/(?:[\w.-]+:)?Row>/.exec(shape);
        const c = /<(?:[\w.-]+:)?Column>\s*(\d+)\s*<\/(?:[\w.-]+:)?Column>/.exec(shape);
        const ref = r && c ? `${columnLetter(Number(c[1]) + 1)}${Number(r[1]) + 1}` : '';
        if (keep.has(ref) && !have.has(ref)) {
          have.add(ref);
          return shape;
        }
        return '';
      });
    } else {
      xml =
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">' +
        `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${idmap}"/></o:shapelayout></xml>`;
    }
    // Our shapes declare their prefixes themselves: the drawing's root may not (openpyxl's does not).
    if (!xml.includes('_x0000_t202')) {
      shapes.push(
        `<v:shapetype ${VML_NS} id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`,
      );
    }
    for (const n of notes) {
      if (have.has(n.ref)) continue;
      const row = rowOf(n.ref) - 1;
      const col = columnOf(n.ref) - 1;
      shapes.push(
        `<v:shape ${VML_NS} id="_x0000_s${++maxId}" type="#_x0000_t202" style="position:absolute;margin-left:0;margin-top:0;width:240pt;height:80pt;z-index:${maxId % 1024};visibility:hidden" fillcolor="infoBackground [80]" strokecolor="none [81]" o:insetmode="auto">` +
          '<v:fill color2="infoBackground [80]"/><v:shadow color="none [81]" obscured="t"/><v:path o:connecttype="none"/>' +
          '<v:textbox style="mso-direction-alt:auto" inset="1.3mm,1.3mm,2.5mm,2.5mm"><div style="text-align:left"/></v:textbox>' +
          `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${col + 1}, 15, ${Math.max(row - 1, 0)}, 2, ${col + 4}, 15, ${row + 4}, 16</x:Anchor>` +
          `<x:AutoFill>False</x:AutoFill><x:Row>${row}</x:Row><x:Column>${col}</x:Column></x:ClientData></v:shape>`,
      );
    }
    const close = xml.lastIndexOf('</xml>');
    return close >= 0 ? xml.slice(0, close) + shapes.join('') + xml.slice(close) : xml + shapes.join('');
  }
}

/** Text as one run of a note. */
function run(text: string): string {
  return `<r><t xml:space="preserve">${encodeXml(text)}</t></r>`;
}
