import { z } from 'zod';

/** A condition on the values of a demande, e.g. isClientUnique = false. */
export type Condition =
  | { field: string; equals: string | number | boolean | null }
  | { all: Condition[] }
  | { any: Condition[] };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ field: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
  ]),
);

export const columnSchema = z
  .strictObject({
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'nom de champ invalide'),
    label: z.string().min(1),
    help: z.string().min(1),
    type: z.enum(['text', 'date', 'amount', 'boolean', 'enum', 'code']),
    /** false: may be empty (written null). Default true. */
    required: z.boolean().optional(),
    /** Required iff the condition holds; otherwise must be empty (written null). */
    requiredWhen: conditionSchema.optional(),
    length: z.number().int().positive().optional(),
    maxLength: z.number().int().positive().optional(),
    pattern: z.string().optional(),
    patternHint: z.string().optional(),
    upperCase: z.boolean().optional(),
    email: z.boolean().optional(),
    values: z.array(z.string()).min(1).optional(),
    aliases: z.record(z.string(), z.string()).optional(),
    list: z.string().optional(),
    multiple: z.boolean().optional(),
    padDigits: z.number().int().positive().optional(),
    unique: z.enum(['batch', 'demande']).optional(),
    notAfterDeposit: z.boolean().optional(),
    textFormat: z.boolean().optional(),
    width: z.number().positive().optional(),
    /**
     * Solde only: the avance field whose answer `solde --from` pre-fills this column with (the avance's
     * isDirecToDMP for the solde's isDirectToDMP), read from the avance's deposited line or workbook.
     */
    fromAvance: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'nom de champ invalide').optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.type === 'enum') !== Boolean(c.values)) {
      ctx.addIssue({ code: 'custom', message: `la colonne ${c.field} : « values » va avec le type enum, et seulement avec lui` });
    }
    if ((c.type === 'code') !== Boolean(c.list)) {
      ctx.addIssue({ code: 'custom', message: `la colonne ${c.field} : « list » va avec le type code, et seulement avec lui` });
    }
    if (c.pattern) {
      try {
        new RegExp(c.pattern, 'u');
      } catch {
        ctx.addIssue({ code: 'custom', message: `la colonne ${c.field} : expression « pattern » invalide` });
      }
    }
  });

export const sheetSchema = z.strictObject({
  name: z.string().min(1).max(31),
  role: z.enum(['header', 'main', 'detail']),
  description: z.string().min(1),
  perDemande: z
    .strictObject({
      min: z.number().int().min(0).optional(),
      max: z.number().int().positive().optional(),
      /** Fields that may go on on further rows of the same demande (one identDMP per row…). */
      continuation: z.array(z.string()).optional(),
    })
    .optional(),
  groups: z.strictObject({ by: z.string(), sameValues: z.array(z.string()) }).optional(),
  columns: z.array(columnSchema).min(1),
});

export type OutputNode = {
  key: string;
  literal?: string | number | boolean | null;
  special?: 'numLigne';
  field?: string;
  sheet?: string;
  list?: boolean;
  object?: OutputNode[];
  each?: { sheet: string; groupBy?: string };
  lines?: OutputNode[];
  /** For a list: null instead of [] when it is empty. */
  nullWhenEmpty?: boolean;
};

export const outputNodeSchema: z.ZodType<OutputNode> = z.lazy(() =>
  z
    .strictObject({
      key: z.string().min(1),
      literal: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      special: z.literal('numLigne').optional(),
      field: z.string().optional(),
      sheet: z.string().optional(),
      list: z.boolean().optional(),
      object: z.array(outputNodeSchema).optional(),
      each: z.strictObject({ sheet: z.string(), groupBy: z.string().optional() }).optional(),
      lines: z.array(outputNodeSchema).optional(),
      nullWhenEmpty: z.boolean().optional(),
    })
    .superRefine((n, ctx) => {
      const kinds = [
        'literal' in n,
        n.special !== undefined,
        n.field !== undefined,
        n.object !== undefined,
        n.lines !== undefined,
      ].filter(Boolean).length;
      if (kinds !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `la clé « ${n.key} » doit avoir exactement un de : literal, special, field, object, lines`,
        });
      }
      if (n.each && !n.object) {
        ctx.addIssue({ code: 'custom', message: `la clé « ${n.key} » : « each » demande « object »` });
      }
    }),
);

const ruleSchema = z.looseObject({ rule: z.string().min(1) });

export const mappingSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.enum(['avance', 'solde']),
  title: z.string().min(1),
  joinKey: z.string().min(1),
  lists: z.record(z.string(), z.strictObject({ file: z.string().min(1) })).optional(),
  sheets: z.array(sheetSchema).min(2),
  rules: z.array(ruleSchema).default([]),
  /** What the journal records of each exported demande: its amount field and its FINESS géographiques. */
  journal: z.strictObject({ amount: z.string(), finess: z.string() }),
  output: z.strictObject({
    fileName: z.string().includes('{sequence}'),
    maxLines: z.number().int().positive(),
    /** A field of the main sheet the vendor types on the portal beside each file (numeroASP for a solde). */
    portalField: z.string().optional(),
    file: z.array(outputNodeSchema).min(1),
  }),
});

export type ColumnSpec = z.infer<typeof columnSchema>;
export type SheetSpec = z.infer<typeof sheetSchema>;
export type RuleSpec = z.infer<typeof ruleSchema>;
export type MappingFile = z.infer<typeof mappingSchema>;
