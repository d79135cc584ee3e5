import type { Mapping } from '../mapping/load.js';
import type { OutputNode } from '../mapping/schema.js';
import type { Demande, ParsedRow } from '../join/model.js';
import type { FieldValue } from '../values/types.js';

interface Scope {
  /** Rows of the current "each" item (a group of rows, or one row), innermost first. */
  rows?: ParsedRow[];
  demande?: Demande;
  header?: ParsedRow;
  numLigne?: number;
}

function valueOf(mapping: Mapping, node: OutputNode, scope: Scope): FieldValue | undefined {
  const f = node.field!;
  const pick = (rows: ParsedRow[] | undefined): FieldValue | undefined => {
    if (!rows) return undefined;
    if (node.list) {
      const all: string[] = [];
      for (const r of rows) {
        const v = r.values[f];
        if (Array.isArray(v)) all.push(...v);
        else if (typeof v === 'string') all.push(v);
      }
      return all;
    }
    for (const r of rows) if (f in r.values) return r.values[f];
    return undefined;
  };
  if (node.sheet) {
    if (node.sheet === mapping.header.name) return pick(scope.header ? [scope.header] : undefined);
    if (node.sheet === mapping.main.name) return pick(scope.demande ? [scope.demande.main] : undefined);
    return pick(scope.demande?.details[node.sheet]);
  }
  const fromRows = scope.rows && scope.rows.some((r) => f in r.values) ? pick(scope.rows) : undefined;
  if (fromRows !== undefined) return fromRows;
  if (scope.demande && f in scope.demande.main.values) return pick([scope.demande.main]);
  if (scope.header && f in scope.header.values) return pick([scope.header]);
  return node.list ? [] : null;
}

function buildObject(mapping: Mapping, nodes: OutputNode[], scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of nodes) out[n.key] = buildNode(mapping, n, scope);
  return out;
}

function buildNode(mapping: Mapping, n: OutputNode, scope: Scope): unknown {
  if ('literal' in n) return n.literal;
  if (n.special === 'numLigne') return scope.numLigne;
  if (n.field) {
    const v = valueOf(mapping, n, scope);
    if (n.nullWhenEmpty && Array.isArray(v) && v.length === 0) return null;
    return v === undefined ? null : v;
  }
  if (n.object && n.each) {
    const rows = scope.demande?.details[n.each.sheet] ?? [];
    const groups: ParsedRow[][] = [];
    if (n.each.groupBy) {
      const byKey = new Map<string, ParsedRow[]>();
      for (const r of rows) {
        const k = JSON.stringify(r.values[n.each.groupBy] ?? null);
        if (!byKey.has(k)) {
          byKey.set(k, []);
          groups.push(byKey.get(k)!);
        }
        byKey.get(k)!.push(r);
      }
    } else for (const r of rows) groups.push([r]);
    return groups.map((g) => buildObject(mapping, n.object!, { ...scope, rows: g }));
  }
  if (n.object) return buildObject(mapping, n.object, scope);
  throw new Error(`nœud de sortie sans contenu: ${n.key}`);
}

/** Builds one line of lignesImport for a demande, as the mapping's "lines" declares. */
export function buildLine(mapping: Mapping, d: Demande, header: ParsedRow | undefined, numLigne: number): Record<string, unknown> {
  const linesNode = mapping.output.file.find((n) => n.lines)!;
  return buildObject(mapping, linesNode.lines!, { demande: d, header, numLigne });
}

/** Builds a whole file object: the header keys and the array of lines. */
export function buildFile(mapping: Mapping, header: ParsedRow | undefined, lines: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of mapping.output.file) {
    out[n.key] = n.lines ? lines : buildNode(mapping, n, { header });
  }
  return out;
}
