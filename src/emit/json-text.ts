import { Amount } from '../values/types.js';

/**
 * Serialises like JSON.stringify(value, null, 2), except that an Amount is written as a number with
 * exactly two decimals (27450.00), which JSON.stringify cannot do. Keys keep their insertion order.
 */
export function toJsonText(value: unknown, indent = 2): string {
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
