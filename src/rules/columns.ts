import { z } from 'zod';
import type { ColumnSpec } from '../mapping/schema.js';
import type { IssueCode } from '../issues/catalogue.js';
import type { Problem } from '../values/parse.js';

/**
 * One small zod schema per column, composed from what the mapping declares (length, pattern, e-mail).
 * Each check carries the catalogue code of the problem it reports as its message.
 */
const cache = new WeakMap<ColumnSpec, z.ZodType<string>>();

export function columnSchema(col: ColumnSpec): z.ZodType<string> {
  let s = cache.get(col);
  if (s) return s;
  let base = col.email ? z.email({ error: 'EMAIL_INVALIDE' satisfies IssueCode }) : z.string();
  if (col.length) base = base.length(col.length, { error: 'LONGUEUR_EXACTE' satisfies IssueCode });
  if (col.maxLength) base = base.max(col.maxLength, { error: 'LONGUEUR_MAX' satisfies IssueCode });
  if (col.pattern) base = base.regex(new RegExp(col.pattern, 'u'), { error: 'FORMAT_INVALIDE' satisfies IssueCode });
  s = base;
  cache.set(col, s);
  return s;
}

/** Checks one string value against its column; returns the problems, each code once. */
export function checkText(col: ColumnSpec, value: string): Problem[] {
  const res = columnSchema(col).safeParse(value);
  if (res.success) return [];
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const i of res.error.issues) {
    const code = i.message as IssueCode;
    if (seen.has(code)) continue;
    seen.add(code);
    const actual = [...value].length;
    out.push({
      code,
      params: {
        value,
        actual,
        expected: col.length,
        limit: col.maxLength !== undefined ? col.maxLength + 1 : undefined,
        hint: col.patternHint ?? col.pattern,
      },
    });
  }
  return out;
}
