import type { Condition } from '../mapping/schema.js';
import { Amount, type FieldValue } from '../values/types.js';

export type Lookup = (field: string) => FieldValue | undefined;

/** true / false, or undefined when a value it depends on is missing or unreadable. */
export function evaluate(c: Condition, get: Lookup): boolean | undefined {
  if ('all' in c) {
    const r = c.all.map((x) => evaluate(x, get));
    if (r.some((x) => x === false)) return false;
    return r.every((x) => x === true) ? true : undefined;
  }
  if ('any' in c) {
    const r = c.any.map((x) => evaluate(x, get));
    if (r.some((x) => x === true)) return true;
    return r.every((x) => x === false) ? false : undefined;
  }
  const v = get(c.field);
  if (v === undefined || v === null) return c.equals === null ? true : undefined;
  if (v instanceof Amount) return v.text === String(c.equals);
  return v === c.equals;
}

function show(v: unknown): string {
  if (v === true) return 'OUI';
  if (v === false) return 'NON';
  if (v === null) return 'vide';
  return String(v);
}

export function describe(c: Condition): string {
  if ('all' in c) return c.all.map(describe).join(' et ');
  if ('any' in c) return c.any.map(describe).join(' ou ');
  return `${c.field} = ${show(c.equals)}`;
}
