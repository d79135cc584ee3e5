import { z } from 'zod';
import { conditionSchema } from './schema.js';

/**
 * The parameters of each named rule a mapping may give (its "rules" section), checked when the mapping is
 * loaded; the rules themselves, and what they check, are in rules/named.ts.
 */
export const siretParams = z.looseObject({ rule: z.literal('siret'), field: z.string() });

export const forbiddenCombinationParams = z.looseObject({
  rule: z.literal('forbidden-combination'),
  when: conditionSchema,
  fields: z.array(z.string()).min(1),
  message: z.string().min(1),
});

const countSpec = z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().positive().optional() });
export type CountSpec = z.infer<typeof countSpec>;

export const groupCountParams = z.looseObject({
  rule: z.literal('group-count'),
  sheet: z.string(),
  by: z.string(),
  field: z.string(),
  whenTrue: countSpec,
  whenFalse: countSpec,
});

export const pjParams = z.looseObject({
  rule: z.literal('pj'),
  sheet: z.string(),
  prefix: z.string(),
  codes: z.record(z.string(), z.string()),
  extensions: z.record(z.string(), z.string()),
  exactlyOne: z.array(z.string()).default([]),
  atMostOneOfEachType: z.boolean().default(false),
  advice: z
    .array(
      z.strictObject({
        when: conditionSchema.optional(),
        whenType: z.string().optional(),
        expects: z.string(),
        message: z.string(),
      }),
    )
    .default([]),
});

export const profilesParams = z.looseObject({
  rule: z.literal('profiles'),
  profiles: z.array(
    z.strictObject({ field: z.string(), equals: z.union([z.string(), z.boolean()]), profile: z.string(), name: z.string() }),
  ),
});

/** Each rule's parameters, by rule name. */
export const ruleParamSchemas: Record<string, z.ZodType> = {
  siret: siretParams,
  'forbidden-combination': forbiddenCombinationParams,
  'group-count': groupCountParams,
  pj: pjParams,
  profiles: profilesParams,
};
