import type { Mapping } from '../mapping/load.js';
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
  const keys = new Set(mapping.output.file.flatMap((n) => n.lines ?? []).filter((n) => n.special === 'numLigne').map((n) => n.key));
  return JSON.stringify(line, function (this: unknown, k: string, v: unknown) {
    if (this === line && keys.has(k)) return 0;
    return v instanceof Amount ? Number(v.text) : v;
  });
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
