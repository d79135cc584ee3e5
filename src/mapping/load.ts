import path from 'node:path';
import { z } from 'zod';
import { mappingSchema, type ColumnSpec, type MappingFile, type OutputNode, type SheetSpec } from './schema.js';
import { UserError } from '../util/errors.js';
import { mappingsDir } from '../util/paths.js';
import { ruleParamSchemas } from './rule-params.js';
import { readMappingFile } from './files.js';

export interface CodeList {
  items: { code: string; label: string }[];
  codes: Set<string>;
}

export interface Mapping extends MappingFile {
  /** Path of the mapping file. */
  source: string;
  header: SheetSpec;
  main: SheetSpec;
  details: SheetSpec[];
  codeLists: Record<string, CodeList>;
  sheet(name: string): SheetSpec | undefined;
  column(sheet: string, field: string): ColumnSpec | undefined;
}

const listFileSchema = z.object({
  items: z.array(z.strictObject({ code: z.string().min(1), label: z.string() })).min(1),
});

/** zod's messages in French: the user reads them (per parse, so no global configuration changes). */
const inFrench = { error: z.locales.fr().localeError };

function describeZodIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : '(racine)';
      return `  - ${where} : ${i.message}`;
    })
    .join('\n');
}

export function mappingPathFor(kind: string): string {
  return path.join(mappingsDir, `${kind}-bio-sgl.json`);
}

/** Loads and validates a mapping file; every fault is a UserError naming the file. */
export function loadMapping(file: string): Mapping {
  const source = path.resolve(file);
  let text: string;
  try {
    text = readMappingFile(source);
  } catch {
    throw new UserError(`Fichier de correspondance « ${file} » introuvable ou illisible.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`Fichier de correspondance « ${file} » : JSON invalide (${(e as Error).message}).`);
  }
  const parsed = mappingSchema.safeParse(json, inFrench);
  if (!parsed.success) {
    throw new UserError(`Fichier de correspondance « ${file} » invalide :\n${describeZodIssues(parsed.error)}`);
  }
  const m = parsed.data;
  const faults: string[] = [];
  const headers = m.sheets.filter((s) => s.role === 'header');
  const mains = m.sheets.filter((s) => s.role === 'main');
  if (headers.length !== 1) faults.push('il faut exactement une feuille de rôle « header »');
  if (mains.length !== 1) faults.push('il faut exactement une feuille de rôle « main »');
  const names = new Set<string>();
  for (const s of m.sheets) {
    if (names.has(s.name)) faults.push(`feuille « ${s.name} » déclarée deux fois`);
    names.add(s.name);
    const fields = new Set<string>();
    for (const c of s.columns) {
      if (fields.has(c.field)) faults.push(`feuille « ${s.name} » : colonne ${c.field} déclarée deux fois`);
      fields.add(c.field);
      if (c.list && !m.lists?.[c.list]) faults.push(`feuille « ${s.name} » : liste « ${c.list} » non déclarée dans « lists »`);
      if (c.fromAvance && m.kind !== 'solde') faults.push(`feuille « ${s.name} » : colonne ${c.field} : « fromAvance » ne va que dans une correspondance de solde`);
      if (c.fromAvance && s.role !== 'main' && s.perDemande?.max !== 1) {
        faults.push(`feuille « ${s.name} » : colonne ${c.field} : « fromAvance » demande une feuille d'une ligne par demande`);
      }
    }
    if (s.role !== 'header' && !fields.has(m.joinKey)) {
      faults.push(`feuille « ${s.name} » : la clé de jointure ${m.joinKey} n'y est pas déclarée`);
    }
    if (s.groups) {
      for (const f of [s.groups.by, ...s.groups.sameValues]) {
        if (!fields.has(f)) faults.push(`feuille « ${s.name} » : groups cite ${f}, absente de la feuille`);
      }
    }
  }
  const codeLists: Record<string, CodeList> = {};
  for (const [name, decl] of Object.entries(m.lists ?? {})) {
    const p = path.resolve(path.dirname(source), decl.file);
    try {
      const list = listFileSchema.parse(JSON.parse(readMappingFile(p)), inFrench);
      codeLists[name] = { items: list.items, codes: new Set(list.items.map((i) => i.code)) };
    } catch (e) {
      faults.push(`liste « ${name} » : fichier ${decl.file} illisible ou invalide (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const sheetByName = new Map(m.sheets.map((s) => [s.name, s]));
  const header = headers[0];
  const main = mains[0];
  const allFields = new Set(m.sheets.flatMap((s) => s.columns.map((c) => c.field)));
  const checkNodes = (nodes: OutputNode[], where: string, eachSheet?: string) => {
    const keys = new Set<string>();
    for (const n of nodes) {
      if (keys.has(n.key)) faults.push(`output ${where} : clé « ${n.key} » en double`);
      keys.add(n.key);
      if (n.field) {
        const sheet = n.sheet ?? eachSheet;
        if (n.sheet && !sheetByName.has(n.sheet)) faults.push(`output ${where}.${n.key} : feuille « ${n.sheet} » inconnue`);
        else if (sheet && !sheetByName.get(sheet)!.columns.some((c) => c.field === n.field) && !allFields.has(n.field)) {
          faults.push(`output ${where}.${n.key} : champ ${n.field} inconnu`);
        } else if (!allFields.has(n.field)) faults.push(`output ${where}.${n.key} : champ ${n.field} inconnu`);
      }
      if (n.each) {
        const s = sheetByName.get(n.each.sheet);
        if (!s) faults.push(`output ${where}.${n.key} : feuille « ${n.each.sheet} » inconnue`);
        else if (n.each.groupBy && !s.columns.some((c) => c.field === n.each!.groupBy)) {
          faults.push(`output ${where}.${n.key} : groupBy ${n.each.groupBy} absent de la feuille « ${s.name} »`);
        }
      }
      if (n.object) checkNodes(n.object, `${where}.${n.key}`, n.each?.sheet ?? eachSheet);
      if (n.lines) checkNodes(n.lines, `${where}.${n.key}[]`);
    }
  };
  checkNodes(m.output.file, '');
  const linesNodes = m.output.file.filter((n) => n.lines);
  if (linesNodes.length !== 1) faults.push('output : il faut exactement une clé « lines » (le tableau des demandes) au premier niveau');
  for (const r of m.rules) {
    const schema = ruleParamSchemas[r.rule];
    if (!schema) {
      faults.push(`règle « ${r.rule} » inconnue (connues : ${Object.keys(ruleParamSchemas).join(', ')})`);
      continue;
    }
    const res = schema.safeParse(r, inFrench);
    if (!res.success) faults.push(`règle « ${r.rule} » : ${res.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(' ; ')}`);
  }
  if (faults.length) {
    throw new UserError(`Fichier de correspondance « ${file} » invalide :\n${faults.map((f) => `  - ${f}`).join('\n')}`);
  }
  return {
    ...m,
    source,
    header,
    main,
    details: m.sheets.filter((s) => s.role === 'detail'),
    codeLists,
    sheet: (name) => sheetByName.get(name),
    column: (sheet, field) => sheetByName.get(sheet)?.columns.find((c) => c.field === field),
  };
}
