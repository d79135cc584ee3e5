/**
 * Reads an ASP return file without holding it whole: the text comes in chunks, the header's values and
 * each line of lignesImport are cut out one at a time and handed to JSON.parse, which judges their syntax.
 * The scanner only knows the fixed shape of a return, { "clé": valeur, …, "lignesImport": [ {…}, … ] },
 * keys in any order, extra keys kept in the header.
 */

/** A file that is not well-formed JSON, or not of a return's shape: the message is French, `line` is the file's text line. */
export class ReturnSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Largest line object of lignesImport (a line of the specification weighs a few kilobytes). */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;
/** Largest header value (numeroAns, SIRET, impId and any extra key). */
const MAX_HEADER_CHARS = 1024 * 1024;

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Text read chunk by chunk, kept from the start of the value being read only. */
class TextCursor {
  private buf = '';
  private pos = 0;
  private line = 1;
  private counted = 0;
  private done = false;

  constructor(private readonly chunks: AsyncIterator<string>) {}

  /** The file's text line at the cursor. */
  lineNow(): number {
    for (let i = this.buf.indexOf('\n', this.counted); i !== -1 && i < this.pos; i = this.buf.indexOf('\n', i + 1)) this.line++;
    this.counted = this.pos;
    return this.line;
  }

  /** Forgets the text before the cursor. */
  private compact(): void {
    if (this.pos < 64 * 1024 && this.pos < this.buf.length / 2) return;
    this.lineNow();
    this.buf = this.buf.slice(this.pos);
    this.counted -= this.pos;
    this.pos = 0;
  }

  /** Appends the next chunk; false at the end of the file. */
  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.buf += next.value;
    return true;
  }

  /** The next character that is not white space (its code), or -1 at the end of the file. */
  async peek(): Promise<number> {
    for (;;) {
      while (this.pos < this.buf.length && isSpace(this.buf.charCodeAt(this.pos))) this.pos++;
      if (this.pos < this.buf.length) return this.buf.charCodeAt(this.pos);
      this.compact();
      if (!(await this.fill())) return -1;
    }
  }

  /** Steps over the character peek() gave. */
  skip(): void {
    this.pos++;
  }

  /**
   * The text of the JSON value at the cursor (after peek()), at most `max` characters: a string, an object
   * or array (brackets counted outside strings), or a bare word or number. Its syntax is JSON.parse's to judge.
   */
  async value(max: number, what: string): Promise<string> {
    this.compact();
    const start = this.pos;
    const first = this.buf.charCodeAt(start);
    const scan = first === QUOTE ? stringEnd() : first === 123 || first === 91 ? nestedEnd() : wordEnd;
    let i = first === QUOTE ? start + 1 : start;
    for (;;) {
      const end = scan(this.buf, i);
      if (end >= 0) {
        this.pos = end;
        return this.buf.slice(start, end);
      }
      i = this.buf.length;
      if (i - start > max) throw new ReturnSyntaxError(`${what} trop grand (plus de ${max} caractères)`, this.lineNow());
      if (!(await this.fill())) {
        if (scan === wordEnd) return this.buf.slice(start, (this.pos = this.buf.length));
        throw new ReturnSyntaxError(`fin du fichier au milieu de ${what}`, this.lineNow());
      }
    }
  }
}

type Scan = (s: string, from: number) => number;

/** The scanner of a string whose body starts at `from`: the end just past its closing quote, or -1 if not in `s` yet. */
function stringEnd(): Scan {
  let escaped = false;
  return (s, from) => {
    for (let i = from; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) return i + 1;
    }
    return -1;
  };
}

/** The scanner of an object or array; it keeps its depth and string state from one chunk to the next. */
function nestedEnd(): Scan {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let at = -1;
  return (s, from) => {
    for (let i = Math.max(from, at + 1); i < s.length; i++) {
      at = i;
      const c = s.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
    }
    return -1;
  };
}

/** End of a bare word (true, null, a number): the next space, comma or closing bracket. */
const wordEnd: Scan = (s, from) => {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 44 || c === 125 || c === 93) return i;
  }
  return -1;
};

function parsed(text: string, what: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ReturnSyntaxError(`JSON invalide dans ${what}`, line);
  }
}

async function expect(c: TextCursor, code: number, what: string): Promise<void> {
  const got = await c.peek();
  if (got !== code) throw new ReturnSyntaxError(`${got === -1 ? 'fin du fichier inattendue : ' : ''}« ${String.fromCharCode(code)} » attendu ${what}`, c.lineNow());
  c.skip();
}

/** What header.lignesImport holds once the array was read line by line (any other value is kept as read). */
export const LINES_READ = Symbol('lignesImport');

export interface ReturnHandlers {
  /** Called when lignesImport opens, with the header keys read before it. */
  onLinesStart?: (header: Record<string, unknown>) => void;
  /** Each line of lignesImport: its value, its rank (from 1), the file's text line it starts on. */
  onLine: (value: unknown, rank: number, textLine: number) => void;
}

/** Reads lignesImport, line by line. */
async function readLines(c: TextCursor, h: ReturnHandlers): Promise<number> {
  await expect(c, 91, 'après « lignesImport » (un tableau)');
  if ((await c.peek()) === 93) return (c.skip(), 0);
  for (let rank = 1; ; rank++) {
    const what = `la ligne n° ${rank} de lignesImport`;
    if ((await c.peek()) === -1) throw new ReturnSyntaxError(`fin du fichier dans lignesImport`, c.lineNow());
    const line = c.lineNow();
    h.onLine(parsed(await c.value(MAX_LINE_CHARS, what), what, line), rank, line);
    const next = await c.peek();
    c.skip();
    if (next === 93) return rank;
    if (next !== 44) throw new ReturnSyntaxError(`« , » ou « ] » attendu après ${what}`, c.lineNow());
  }
}

/** Reads one "clé": valeur of the top object: lignesImport through readLines, any other key into header. */
async function readMember(c: TextCursor, header: Record<string, unknown>, h: ReturnHandlers): Promise<number | undefined> {
  if ((await c.peek()) !== QUOTE) throw new ReturnSyntaxError('nom de clé entre guillemets attendu', c.lineNow());
  const line = c.lineNow();
  const key = parsed(await c.value(MAX_HEADER_CHARS, 'un nom de clé'), 'un nom de clé', line) as string;
  await expect(c, 58, `après la clé « ${key} »`);
  if (key === 'lignesImport') {
    if ('lignesImport' in header) throw new ReturnSyntaxError('clé lignesImport en double', line);
    if ((await c.peek()) === 91) {
      header.lignesImport = LINES_READ;
      h.onLinesStart?.(header);
      return readLines(c, h);
    }
  }
  if ((await c.peek()) === -1) throw new ReturnSyntaxError(`fin du fichier inattendue (valeur de « ${key} » attendue)`, c.lineNow());
  const at = c.lineNow();
  header[key] = parsed(await c.value(MAX_HEADER_CHARS, `la valeur de « ${key} »`), `la valeur de « ${key} »`, at);
  return undefined;
}

/**
 * Reads a return: its header keys (lignesImport: LINES_READ when it was an array) and how many lines
 * lignesImport held. Throws ReturnSyntaxError on a file that is not a JSON object of that shape.
 */
export async function scanReturn(chunks: AsyncIterator<string>, h: ReturnHandlers): Promise<{ header: Record<string, unknown>; lines: number }> {
  try {
    return await scanObject(new TextCursor(chunks), h);
  } finally {
    // Stopped early (an error, a handler that threw): the file is closed all the same.
    await chunks.return?.();
  }
}

async function scanObject(c: TextCursor, h: ReturnHandlers): Promise<{ header: Record<string, unknown>; lines: number }> {
  const header: Record<string, unknown> = {};
  let lines = 0;
  await expect(c, 123, 'au début du fichier (un objet JSON)');
  if ((await c.peek()) === 125) c.skip();
  else {
    for (;;) {
      lines = (await readMember(c, header, h)) ?? lines;
      const next = await c.peek();
      c.skip();
      if (next === 125) break;
      if (next !== 44) throw new ReturnSyntaxError(next === -1 ? 'fin du fichier inattendue (« } » attendu)' : '« , » ou « } » attendu entre deux clés', c.lineNow());
    }
  }
  if ((await c.peek()) !== -1) throw new ReturnSyntaxError('texte après la fin de l\'objet JSON', c.lineNow());
  return { header, lines };
}
