import type { z } from 'zod';
import type { conditionSchema } from '../mapping/schema.js';
import { forbiddenCombinationParams, groupCountParams, pjParams, profilesParams, siretParams, type CountSpec } from '../mapping/rule-params.js';
import type { Mapping } from '../mapping/load.js';
import type { Demande, ParsedRow } from '../join/model.js';
import type { IssueCode } from '../issues/catalogue.js';
import type { Issue } from '../issues/issues.js';
import { evaluate } from './conditions.js';
import type { FieldValue } from '../values/types.js';

/**
 * Cross-field rules that a column declaration cannot express. Each is named in the mapping's "rules"
 * with its parameters (validated here with zod), so a mapping chooses which rules apply and how.
 */
export interface RuleContext {
  mapping: Mapping;
  header?: ParsedRow;
  report(code: IssueCode, row: ParsedRow, field: string | undefined, params?: Record<string, unknown>, demande?: string): Issue;
  /** A reference on a demande's row to an issue reported once (see issues/issues.ts blockedBy): not listed again. */
  refer(code: IssueCode, row: ParsedRow, params: Record<string, unknown>, demande: string): void;
  /** A value of the demande: its order row, then its single-row sheets, then the file header. */
  get(d: Demande, field: string): FieldValue | undefined;
}

interface NamedRule<P> {
  schema: z.ZodType<P>;
  /** header: once, on the file's header; demande: once per demande; file: once, with every demande. */
  scope: 'header' | 'demande' | 'file';
  check(ctx: RuleContext, params: P, demande?: Demande, all?: Demande[]): void;
}

/**
 * SIRET key: Luhn over the 14 digits. La Poste (SIREN 356000000) numbers its establishments with the sum of
 * digits divisible by 5 instead; its head office 35600000000048 passes Luhn, not that sum: either is valid.
 */
export function siretKeyValid(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  const digits = [...siret].map(Number);
  if (siret.startsWith('356000000') && digits.reduce((a, b) => a + b, 0) % 5 === 0) return true;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = digits[13 - i];
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const siret: NamedRule<{ field: string }> = {
  schema: siretParams,
  scope: 'header',
  check(ctx, p) {
    const h = ctx.header;
    const v = h?.values[p.field];
    if (!h || typeof v !== 'string' || !/^\d{14}$/.test(v)) return; // format already reported
    if (!siretKeyValid(v)) ctx.report('SIRET_INVALIDE', h, p.field, { value: v });
  },
};

const forbiddenCombination: NamedRule<{ when: z.infer<typeof conditionSchema>; fields: string[]; message: string }> = {
  schema: forbiddenCombinationParams as never,
  scope: 'demande',
  check(ctx, p, d) {
    if (evaluate(p.when, (f) => ctx.get(d!, f)) !== true) return;
    for (const f of p.fields) ctx.report('COMBINAISON_INTERDITE', d!.main, f, { message: p.message }, d!.key);
  },
};

const groupCount: NamedRule<{
  sheet: string;
  by: string;
  field: string;
  whenTrue: CountSpec;
  whenFalse: CountSpec;
}> = {
  schema: groupCountParams as never,
  scope: 'demande',
  check(ctx, p, d) {
    const flag = ctx.get(d!, p.field);
    if (typeof flag !== 'boolean') return;
    const rows = d!.details[p.sheet] ?? [];
    if (!rows.length) return; // reported as missing rows
    // A group key that is empty or unreadable is already reported; counting without it would mislead.
    if (rows.some((r) => typeof r.values[p.by] !== 'string')) return;
    const groups = new Set(rows.map((r) => r.values[p.by]));
    const spec = flag ? p.whenTrue : p.whenFalse;
    const count = groups.size;
    if ((spec.min !== undefined && count < spec.min) || (spec.max !== undefined && count > spec.max)) {
      const expected =
        spec.min === spec.max ? `exactement ${spec.min}` : spec.max === undefined ? `au moins ${spec.min}` : `de ${spec.min ?? 0} à ${spec.max}`;
      const several = (spec.max ?? Infinity) > 1 ? 2 : 1;
      ctx.report('NOMBRE_GROUPES', d!.main, p.field, { flag: flag ? 'OUI' : 'NON', expected, several, by: p.by, sheet: p.sheet, count }, d!.key);
    }
  },
};


/** Supporting documents: names generated or checked against the naming rule; counts by type. */
const pj: NamedRule<z.infer<typeof pjParams>> = {
  schema: pjParams as never,
  scope: 'demande',
  check(ctx, p, d) {
    const rows = d!.details[p.sheet] ?? [];
    const byType = new Map<string, ParsedRow[]>();
    for (const r of rows) {
      const type = r.values.typeFichier;
      const format = r.values.formatFichier;
      if (typeof type === 'string') {
        const same = byType.get(type);
        if (same) same.push(r);
        else byType.set(type, [r]);
      }
      if (typeof type !== 'string' || typeof format !== 'string' || !/^\d{5}$/.test(d!.key)) continue;
      const expected = `${p.prefix}-${p.codes[type]}-${d!.key}.${p.extensions[format]}`;
      const given = r.values.nomFichier;
      if (given === null || given === undefined) r.values.nomFichier = expected;
      else if (given !== expected) ctx.report('PJ_NOM_INCORRECT', r, 'nomFichier', { value: given, expected }, d!.key);
    }
    for (const type of p.exactlyOne) {
      if (!byType.get(type)?.length) {
        ctx.report('PJ_TYPE_MANQUANT', d!.main, ctx.mapping.joinKey, { demande: d!.key, type }, d!.key);
      }
    }
    for (const [type, list] of byType) {
      if (list.length > 1 && (p.atMostOneOfEachType || p.exactlyOne.includes(type))) {
        for (const r of list) {
          ctx.report('PJ_TYPE_EN_DOUBLE', r, 'typeFichier', { demande: d!.key, type, count: list.length, rows: list.map((x) => x.row).join(', ') }, d!.key);
        }
      }
    }
    for (const a of p.advice) {
      if (byType.has(a.expects)) continue;
      if (a.when && evaluate(a.when, (f) => ctx.get(d!, f)) === true) {
        const field = 'field' in a.when ? a.when.field : undefined;
        ctx.report('PJ_CONSEIL', d!.main, field, { message: a.message }, d!.key);
      }
      if (a.whenType) for (const r of byType.get(a.whenType) ?? []) ctx.report('PJ_CONSEIL', r, 'typeFichier', { message: a.message }, d!.key);
    }
  },
};


/**
 * Scenario answers that need a profile the software must be referenced with (columns of the header sheet):
 * a profile not declared is reported once, on its cell of the header sheet, with the number of demandes
 * that need it; each of them refers to it in a few words.
 */
const profiles: NamedRule<z.infer<typeof profilesParams>> = {
  schema: profilesParams as never,
  scope: 'file',
  check(ctx, p, _, all = []) {
    const h = ctx.header;
    if (!h) return;
    for (const pr of p.profiles) {
      if (h.values[pr.profile] === true) continue;
      const needing = all.filter((d) => ctx.get(d, pr.field) === pr.equals);
      if (!needing.length) continue;
      const value = pr.equals === true ? 'OUI' : String(pr.equals);
      const first = needing[0];
      const issue = ctx.report('PROFIL_NON_DECLARE', h, pr.profile, { field: pr.field, value, profile: pr.name, profileField: pr.profile, sheet: h.sheet, needing: needing.length > 1 ? `${needing.length} demandes répondent` : '1 demande répond', first: first.key });
      issue.affects = needing.length;
      const cell = `${issue.column ?? ''}${h.row}`;
      for (const d of needing) {
        const row = [d.main, ...Object.values(d.details).flat()].find((r) => pr.field in r.values) ?? d.main;
        ctx.refer('PROFIL_A_DECLARER', row, { profile: pr.name, sheet: h.sheet, cell, field: pr.field, value }, d.key);
      }
    }
  },
};

export const namedRules: Record<string, NamedRule<never>> = {
  siret: siret as NamedRule<never>,
  'forbidden-combination': forbiddenCombination as NamedRule<never>,
  'group-count': groupCount as NamedRule<never>,
  pj: pj as NamedRule<never>,
  profiles: profiles as NamedRule<never>,
};
