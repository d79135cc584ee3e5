import { Amount } from '../values/types.js';

/**
 * Serialises like JSON.stringify(value, null, 2), except that an Amount is written as a number with
 * exactly two decimals (27450.00), which JSON.stringify cannot do. Keys keep their insertion order.
 */
export function toJsonText(value: unknown, indent = 2): string {
  return viaStringify(value, indent) ?? writeText(value, indent);
}

/** What stands for an Amount in JSON.stringify's output, "\u0000xlsx2segur-montant" with its quotes. */
const MARK = '\u0000xlsx2segur-montant';
const MARKED = '"\\u0000xlsx2segur-montant"';

/** Whether JSON.stringify writes this tree as writeText does, once Amounts are taken care of. */
function plain(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object') return false; // undefined: JSON.stringify drops the key, writeText writes null
  if (v instanceof Amount) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !plain(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  if ('toJSON' in v) return false;
  for (const k in v) if (!plain((v as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * The same text with the native JSON.stringify, several times faster, when the tree is made of plain
 * objects, arrays and JSON values (what buildFile gives): for the time of the call, Amount has a toJSON that
 * writes a marker string; JSON.stringify meets the amounts in the order it writes them, so the text between
 * markers is interleaved with the amounts' text. Undefined when the tree holds anything else, or when a
 * string of the input reads as a marker (then there are more markers than amounts).
 */
function viaStringify(value: unknown, indent: number): string | undefined {
  if (!plain(value) || value instanceof Amount) return undefined;
  const amounts: string[] = [];
  const proto = Amount.prototype as unknown as { toJSON?: () => string };
  let json: string;
  proto.toJSON = function (this: Amount) {
    amounts.push(this.text);
    return MARK;
  };
  try {
    json = JSON.stringify(value, null, indent);
  } finally {
    delete proto.toJSON;
  }
  const parts = json.split(MARKED);
  if (parts.length !== amounts.length + 1) return undefined;
  // Joined at once: one flat string (a chain of += would be flattened again, a copy, when it is written).
  const pieces: string[] = [parts[0]];
  for (let i = 0; i < amounts.length; i++) pieces.push(amounts[i], parts[i + 1]);
  pieces.push('\n');
  return pieces.join('');
}

function writeText(value: unknown, indent: number): string {
  const pad = (n: number) => ' '.repeat(n * indent);
  const write = (v: unknown, depth: number): string => {
    if (v instanceof Amount) return v.text;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`nombre non fini: ${v}`);
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) {
      if (!v.length) return '[]';
      return `[\n${v.map((x) => pad(depth + 1) + write(x, depth + 1)).join(',\n')}\n${pad(depth)}]`;
    }
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (!entries.length) return '{}';
      return `{\n${entries.map(([k, x]) => `${pad(depth + 1)}${JSON.stringify(k)}: ${write(x, depth + 1)}`).join(',\n')}\n${pad(depth)}}`;
    }
    throw new Error(`valeur non sérialisable: ${typeof v}`);
  };
  return write(value, 0) + '\n';
}

const encoder = new TextEncoder();

/**
 * The number of bytes of a text in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes, as TextEncoder writes
 * it): Node's native count where there is one, which allocates nothing; else the text encoded.
 */
export function utf8Length(text: string): number {
  const B = (globalThis as { Buffer?: { byteLength(s: string, e: 'utf8'): number } }).Buffer;
  return B ? B.byteLength(text, 'utf8') : encoder.encode(text).length;
}
