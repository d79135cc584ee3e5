import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentDiffs, contentDiffsByLeaves } from '../src/retour/match.js';
import { cli, readJson, tmpDir } from './helpers.js';

/**
 * retour compares each returned line with the deposited one (contentDiffs). Lines returned as deposited
 * are recognised by walking both side by side; anything else goes through the comparison of every leaf.
 * Both must agree on every line: the deposited lines of the samples, returned as the ASP fills them in and
 * altered in many seeded ways (values, types, keys, order, nesting, awkward key names).
 */

let lines: Record<string, unknown>[];

beforeAll(() => {
  const out = path.join(tmpDir(), 'depot');
  expect(cli(['convert', 'samples/exemple-specification.xlsx', 'samples/solde-exemple-specification.xlsx', '-o', out, '--date', '20261124']).code).toBe(0);
  lines = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.json') && f.startsWith('JSON-'))
    .flatMap((f) => readJson(path.join(out, f)).lignesImport);
  expect(lines.length).toBeGreaterThan(1);
});

/** A seeded generator (mulberry32): the same cases on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every container (object or array) of a value, with the value itself. */
function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) containers(x, out);
  }
  return out;
}

const REPLACEMENTS: unknown[] = [null, 'null', '', 0, '0', 1, '1', '01', '1.50', 1.5, true, 'true', false, [], {}, ['a', 'b'], ['b', 'a'], [{ x: 1 }], { numLigne: 3 }, 'AUTRE'];
const KEYS = ['numLigne', 'codeTraitement', 'montantSegurHT', 'beneficiaires', 'numeroFINESSGeos', 'a.b', 'a[1]', '', 'nouveau'];

/** One alteration of a line, in place. */
function alter(line: Record<string, unknown>, rnd: () => number): void {
  const pick = <T,>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const replacement = () => structuredClone(pick(REPLACEMENTS));
  const c = pick(containers(line));
  const keys = Object.keys(c);
  const what = rnd();
  if (Array.isArray(c)) {
    if (what < 0.3 && c.length > 1) c.reverse();
    else if (what < 0.5) c.pop();
    else if (c.length) c[Math.floor(rnd() * c.length)] = replacement();
    else c.push(replacement());
  } else if (what < 0.45 && keys.length) (c as Record<string, unknown>)[pick(keys)] = replacement();
  else if (what < 0.65 && keys.length) delete (c as Record<string, unknown>)[pick(keys)];
  else if (what < 0.85) (c as Record<string, unknown>)[pick(KEYS)] = replacement();
  else if (keys.length) {
    const k = pick(keys);
    const v = (c as Record<string, unknown>)[k];
    if (typeof v === 'number') (c as Record<string, unknown>)[k] = String(v);
    else if (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))) (c as Record<string, unknown>)[k] = Number(v);
  }
}

describe('a returned line is compared with the deposited one the same way, whichever way it is found alike', () => {
  it('the line as deposited, and as the ASP fills it in, are alike', () => {
    for (const l of lines) {
      expect(contentDiffs(l, structuredClone(l))).toEqual([]);
      // The ASP fills in the dossier number of an avance (a solde carries its avance's) and its answer.
      const answered = { ...structuredClone(l), ...(l.numeroASP === null ? { numeroASP: 'FINBIO000001' } : {}), codeTraitement: '0', libelleTraitement: 'Demande acceptée', numLigne: 99 };
      expect(contentDiffs(l, answered)).toEqual([]);
      expect(contentDiffsByLeaves(l, answered)).toEqual([]);
    }
  });

  it('2 000 seeded alterations, of the returned line or of the deposited one: the same differences as leaf by leaf', () => {
    const rnd = random(13);
    let differing = 0;
    for (let k = 0; k < 2000; k++) {
      const deposited = structuredClone(lines[k % lines.length]);
      const returned = structuredClone(deposited);
      const n = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) alter(rnd() < 0.7 ? returned : deposited, rnd);
      const expected = contentDiffsByLeaves(deposited, returned);
      expect(contentDiffs(deposited, returned)).toEqual(expected);
      if (expected.length) differing++;
    }
    // Both kinds of case are exercised.
    expect(differing).toBeGreaterThan(500);
    expect(differing).toBeLessThan(1900);
  });
});
