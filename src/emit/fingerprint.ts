import type { Mapping } from '../mapping/load.js';
import type { OutputNode } from '../mapping/schema.js';
import type { Demande, ParsedRow } from '../join/model.js';
import { Amount } from '../values/types.js';
import { digest } from '../util/hash.js';
import { buildLine } from './build.js';

/**
 * What a demande says to the ASP, whatever its place: its line of lignesImport with numLigne set to 0, as
 * JSON with numbers as numbers. The same text from the line built now and from the line read back from a
 * deposited file, so that the journal can tell whether a demande changed since it was exported.
 */
export function canonicalOf(mapping: Mapping, line: Record<string, unknown>): string {
  const top: Record<string, unknown> = { ...line };
  for (const k of numLigneKeys(mapping)) if (k in top) top[k] = 0;
  // Amounts as numbers through a toJSON set for the time of the call: the native JSON.stringify, without a
  // replacer called on every key, writes what `(k, v) => v instanceof Amount ? Number(v.text) : v` would.
  const proto = Amount.prototype as unknown as { toJSON?: () => number };
  proto.toJSON = function (this: Amount) {
    return Number(this.text);
  };
  try {
    return JSON.stringify(top);
  } finally {
    delete proto.toJSON;
  }
}

const NUM_LIGNE_KEYS = new WeakMap<Mapping, string[]>();

/** The keys of a line that hold numLigne (at the line's top: zeroed in its canonical text). */
function numLigneKeys(mapping: Mapping): string[] {
  let keys = NUM_LIGNE_KEYS.get(mapping);
  if (!keys) {
    keys = [...new Set(linesOf(mapping).filter((n) => n.special === 'numLigne').map((n) => n.key))];
    NUM_LIGNE_KEYS.set(mapping, keys);
  }
  return keys;
}

const linesOf = (mapping: Mapping): OutputNode[] => mapping.output.file.flatMap((n) => n.lines ?? []);

/** Whether numLigne appears only at the top of a line: then a line's canonical text does not depend on its numLigne. */
export function numLigneOnTop(mapping: Mapping): boolean {
  const nested = (nodes: OutputNode[]): boolean => nodes.some((n) => n.special === 'numLigne' || nested(n.object ?? []) || nested(n.lines ?? []));
  return !linesOf(mapping).some((n) => nested(n.object ?? []));
}

export function canonicalLine(mapping: Mapping, d: Demande, header: ParsedRow | undefined): string {
  return canonicalOf(mapping, buildLine(mapping, d, header, 0));
}

export function fingerprintOf(canonical: string): string {
  return digest(canonical);
}

/** Leaves of a JSON value, by path: "commande.montantSegurHT" → "27450". */
function leaves(v: unknown, at: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${at}[${i + 1}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, at ? `${at}.${k}` : k, out);
  else out.set(at, v === null ? 'null' : typeof v === 'string' ? `« ${v} »` : String(v));
  return out;
}

/** What differs between two canonical lines, in French, at most `max` items. */
export function describeChanges(before: string, after: string, max = 5): string[] {
  const a = leaves(JSON.parse(before), '', new Map());
  const b = leaves(JSON.parse(after), '', new Map());
  const out: string[] = [];
  for (const [k, v] of b) if (a.get(k) !== v) out.push(a.has(k) ? `${k} : ${a.get(k)} → ${v}` : `${k} : ${v} ajouté`);
  for (const [k, v] of a) if (!b.has(k)) out.push(`${k} : ${v} retiré`);
  const more = out.length - max;
  return more > 0 ? [...out.slice(0, max), `et ${more} ${more > 1 ? 'autres différences' : 'autre différence'}`] : out;
}
