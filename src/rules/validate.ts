import type ExcelJS from 'exceljs';
import type { Mapping } from '../mapping/load.js';
import type { SheetSpec } from '../mapping/schema.js';
import { fold, gridFromWorksheet, type Grid, type RawRow } from '../read/sheet.js';
import { readSheet, type SheetData } from '../mapping/sheet.js';
import type { XlsxPackage } from '../read/package.js';
import { showValue, type FieldValue } from '../values/types.js';
import { join } from '../join/join.js';
import type { Demande, ParsedRow } from '../join/model.js';
import { blockedBy, columnLetter, makeIssue, type Issue } from '../issues/issues.js';
import type { IssueCode } from '../issues/catalogue.js';
import { describe as describeCondition, evaluate } from './conditions.js';
import { namedRules, type RuleContext } from './named.js';
import { checking, parseRows, type Checking, type ValidateOptions } from './parse-rows.js';

export type { ValidateOptions } from './parse-rows.js';

export interface WorkbookResult {
  file: string;
  mapping: Mapping;
  /** Sheets as read, by spec name. */
  sheets: Record<string, SheetData>;
  header?: ParsedRow;
  numeroAns?: string;
  siret?: string;
  demandes: Demande[];
  /** Every issue of the workbook, including those of demandes. */
  issues: Issue[];
  /** Name the vendor knows the workbook by (for our own outputs, the workbook they were made from). */
  source?: string;
  /** Set when the workbook cannot be used at all (missing sheet or column): French message. */
  fatal?: string;
}

export function findWorksheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet | undefined {
  return wb.worksheets.find((w) => w.name === name) ?? wb.worksheets.find((w) => fold(w.name) === fold(name));
}

/** Reads one sheet a mapping declares; structural faults (missing sheet or column) go to `faults`. */
async function readDeclaredSheet(grid: Grid | undefined, spec: SheetSpec, faults: string[], csv = false): Promise<SheetData | undefined> {
  if (!grid) {
    faults.push(csv ? `fichier « ${spec.name}.csv » absent du dossier (un fichier CSV par feuille)` : `feuille « ${spec.name} » absente`);
    return undefined;
  }
  const data = await readSheet(grid, spec);
  if (!data.headerRow) {
    faults.push(`feuille « ${grid.name} » : ligne d'en-têtes introuvable (aucune colonne reconnue parmi ${spec.columns.map((c) => c.field).join(', ')})`);
    return data;
  }
  const missing = spec.columns.filter((c) => !data.columns.has(c.field) && (c.required !== false || c.requiredWhen));
  for (const c of missing) faults.push(`feuille « ${grid.name} » : colonne « ${c.label} (${c.field}) » absente`);
  for (const [f, cols] of data.duplicated) {
    faults.push(`feuille « ${grid.name} » : la colonne ${f} apparaît plusieurs fois (colonnes ${cols.map(columnLetter).join(', ')})`);
  }
  return data;
}

/**
 * Reads the sheets a mapping declares, one after the other (a package reads a sheet's XML only when asked);
 * structural faults (missing sheet or column) are fatal.
 */
async function readSheets(grids: (name: string) => Grid | undefined | Promise<Grid | undefined>, mapping: Mapping, file: string, csv = false) {
  const sheets: Record<string, SheetData> = {};
  const faults: string[] = [];
  for (const spec of mapping.sheets) {
    const data = await readDeclaredSheet(await grids(spec.name), spec, faults, csv);
    if (data) sheets[spec.name] = data;
  }
  return { sheets, fatal: faults.length ? `${file} : ${faults.join(' ; ')}.` : undefined };
}

export async function validateWorkbook(wb: ExcelJS.Workbook, file: string, mapping: Mapping, opts: ValidateOptions): Promise<WorkbookResult> {
  const { sheets, fatal } = await readSheets(
    (name) => {
      const ws = findWorksheet(wb, name);
      return ws ? gridFromWorksheet(ws) : undefined;
    },
    mapping,
    file,
  );
  const date1904 = opts.date1904 ?? Boolean((wb as unknown as { properties?: { date1904?: boolean } }).properties?.date1904);
  return validateSheets(sheets, fatal, file, mapping, { ...opts, date1904 });
}

/** validateWorkbook on a package read straight from its XML (see read/package.ts). */
export async function validatePackage(pkg: XlsxPackage, file: string, mapping: Mapping, opts: ValidateOptions): Promise<WorkbookResult> {
  const { sheets, fatal } = await readSheets(
    (name) => {
      const entry = pkg.sheet(name);
      return entry ? pkg.grid(entry) : undefined;
    },
    mapping,
    file,
    opts.csv,
  );
  await pkg.checkOtherSheets(mapping.sheets.map((s) => pkg.sheet(s.name)).filter((e) => e !== undefined));
  return validateSheets(sheets, fatal, file, mapping, { ...opts, date1904: opts.date1904 ?? pkg.date1904 });
}

export function validateSheets(
  sheets: Record<string, SheetData>,
  fatal: string | undefined,
  file: string,
  mapping: Mapping,
  opts: ValidateOptions,
): WorkbookResult {
  const result: WorkbookResult = { file, mapping, sheets, demandes: [], issues: [] };
  if (fatal) {
    result.fatal = fatal;
    return result;
  }
  const run = checking(file, mapping, sheets, opts, result.issues);
  // The file header, its required values and its rules: every error so far is a header error.
  const header = headerRow(run);
  result.header = header;
  const ctx = ruleContext(run, header);
  if (header) checkRequired(mapping.header, header, undefined, ctx, run.report, run.withdraw);
  for (const r of mapping.rules) {
    const rule = namedRules[r.rule];
    if (rule.scope === 'header') rule.check(ctx, rule.schema.parse(r) as never);
  }
  const headerErrors = run.issues.filter((i) => i.severity === 'erreur');
  if (header) {
    result.numeroAns = typeof header.values.numeroAns === 'string' ? header.values.numeroAns : undefined;
    result.siret = typeof header.values.SIRET === 'string' ? header.values.SIRET : undefined;
  }
  // The demandes: their rows parsed, joined by numeroEditeur, then checked one by one and as a whole.
  const detailRows: Record<string, ParsedRow[]> = {};
  const mainRows = parseRows(run, mapping.main);
  for (const s of mapping.details) detailRows[s.name] = parseRows(run, s);
  const joined = join(mapping, file, mainRows, detailRows);
  run.issues.push(...joined.issues);
  result.demandes = joined.demandes;
  checkDemandes(run, ctx, joined.demandes);
  attachIssues(run.issues, joined.demandes, headerErrors);
  // Every row is parsed: its raw cells go (on a big workbook they are hundreds of megabytes); the row
  // numbers stay, for the results workbook.
  for (const data of Object.values(sheets)) data.rows = data.rows.map((r) => ({ row: r.row, values: NO_VALUES }));
  return result;
}

/** The file header: exactly one row. */
function headerRow(run: Checking): ParsedRow | undefined {
  const { mapping, sheets, file } = run;
  const headerRows = parseRows(run, mapping.header);
  const headerData = sheets[mapping.header.name];
  if (headerRows.length !== 1) {
    run.issues.push(
      makeIssue(
        'ENTETE_LIGNES',
        { file, sheet: headerData.actualName, row: headerRows[1]?.row ?? headerData.headerRow + 1 },
        { sheet: headerData.actualName, count: headerRows.length },
      ),
    );
  }
  return headerRows[0];
}

/** What the named rules see of this run: the header, how to report, how to read a demande's values. */
function ruleContext(run: Checking, header: ParsedRow | undefined): RuleContext {
  return {
    mapping: run.mapping,
    header,
    report: run.report,
    refer: (code, row, params, demande) => {
      const issue = makeIssue(code, run.place(row, undefined, demande), params);
      issue.reference = true;
      run.issues.push(issue);
    },
    get: (d, field) => getValue(run.mapping, d, header, field),
  };
}

/** Each demande's required values, values unique in it, consistent groups and demande rules; then file rules. */
function checkDemandes(run: Checking, ctx: RuleContext, demandes: Demande[]): void {
  const { mapping } = run;
  const demandeRules = mapping.rules.flatMap((r) => {
    const rule = namedRules[r.rule];
    return rule.scope === 'demande' ? [{ rule, params: rule.schema.parse(r) }] : [];
  });
  const uniqueColumns = new Map(mapping.details.map((s) => [s, s.columns.filter((c) => c.unique === 'demande')]));
  for (const d of demandes) {
    checkRequired(mapping.main, d.main, d, ctx, run.report, run.withdraw);
    for (const s of mapping.details) for (const r of d.details[s.name]) checkRequired(s, r, d, ctx, run.report, run.withdraw);
    for (const s of mapping.details) {
      for (const col of uniqueColumns.get(s)!) checkUniqueInDemande(run, d, s, col.field);
      if (s.groups) checkGroups(run, d, s, s.groups);
    }
    for (const { rule, params } of demandeRules) rule.check(ctx, params as never, d);
  }
  for (const r of mapping.rules) {
    const rule = namedRules[r.rule];
    if (rule.scope === 'file') rule.check(ctx, rule.schema.parse(r) as never, undefined, demandes);
  }
}

/** Values unique within a demande (FINESS géographiques…). */
function checkUniqueInDemande(run: Checking, d: Demande, s: SheetSpec, field: string): void {
  const seen = new Map<string, ParsedRow>();
  for (const r of d.details[s.name]) {
    const v = r.values[field];
    for (const t of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
      const first = seen.get(t);
      if (first) run.report('VALEUR_DOUBLON', r, field, { value: t, where: `lignes ${first.row} et ${r.row}` }, d.key);
      else seen.set(t, r);
    }
  }
}

/** Rows of one group (one FINESS juridique…) give the same values to the fields the group shares. */
function checkGroups(run: Checking, d: Demande, s: SheetSpec, groups: NonNullable<SheetSpec['groups']>): void {
  const firstOf = new Map<string, ParsedRow>();
  for (const r of d.details[s.name]) {
    const g = r.values[groups.by];
    if (typeof g !== 'string') continue;
    const first = firstOf.get(g);
    if (!first) {
      firstOf.set(g, r);
      continue;
    }
    for (const f of groups.sameValues) {
      const a = showValue(first.values[f] ?? null);
      const b = showValue(r.values[f] ?? null);
      if (a !== b) run.report('GROUPE_INCOHERENT', r, f, { by: groups.by, group: g, value: b, other: a, otherRow: first.row }, d.key);
    }
  }
}

/** Each issue goes to its demande; header errors block every demande; then each demande's verdict. */
function attachIssues(issues: Issue[], demandes: Demande[], headerErrors: Issue[]): void {
  const byKey = new Map(demandes.map((d) => [d.key, d]));
  for (const i of issues) if (i.demande) byKey.get(i.demande)?.issues.push(i);
  if (headerErrors.length) {
    for (const h of headerErrors) h.affects = demandes.length;
    for (const d of demandes) {
      const i = blockedBy(headerErrors, d);
      issues.push(i);
      d.issues.push(i);
    }
  }
  for (const d of demandes) refreshVerdict(d);
}

const NO_VALUES: RawRow['values'] = Object.freeze([]) as unknown as RawRow['values'];

export function refreshVerdict(d: Demande): void {
  d.verdict = d.issues.some((i) => i.severity === 'erreur') ? 'rejetee' : 'valide';
}

function getValue(mapping: Mapping, d: Demande, header: ParsedRow | undefined, field: string): FieldValue | undefined {
  if (field in d.main.values) return d.main.values[field];
  for (const s of mapping.details) {
    if ((s.perDemande?.max ?? Infinity) === 1) {
      const r = d.details[s.name][0];
      if (r && field in r.values) return r.values[field];
    }
  }
  return header?.values[field];
}

function checkRequired(
  spec: SheetSpec,
  row: ParsedRow,
  d: Demande | undefined,
  ctx: RuleContext,
  report: (code: IssueCode, row: ParsedRow, field: string | undefined, params?: Record<string, unknown>, demande?: string) => void,
  withdraw: (row: ParsedRow, field: string) => string,
) {
  const invalid = (row as ParsedRow & { invalid?: Set<string> }).invalid;
  const cont = spec.perDemande?.continuation;
  for (const col of spec.columns) {
    if (row.continuation && !cont?.includes(col.field)) continue;
    const v = row.values[col.field];
    const empty = v === null || v === undefined;
    if (col.requiredWhen) {
      const lookup = (f: string) => (f in row.values && !row.continuation ? row.values[f] : d ? ctx.get(d, f) : undefined);
      const needed = evaluate(col.requiredWhen, lookup);
      if (needed === false && (!empty || invalid?.has(col.field))) {
        // The value is ignored, so it is not checked either: its problems are withdrawn.
        const shown = withdraw(row, col.field);
        report('VALEUR_IGNOREE', row, col.field, { condition: describeCondition(col.requiredWhen), value: shown }, d?.key ?? row.key);
        row.values[col.field] = null;
      } else if (needed === true && empty && !invalid?.has(col.field) && !givenOnFurtherRows(spec, row, d, col.field)) {
        report('REQUIS_SI', row, col.field, { condition: describeCondition(col.requiredWhen) }, d?.key ?? row.key);
      }
      continue;
    }
    if (invalid?.has(col.field)) continue; // already reported
    if (empty && col.required !== false) report('VALEUR_REQUISE', row, col.field, {}, d?.key ?? row.key);
  }
}

/** A continuation field (identDMP) may be given on the further rows of the demande only. */
function givenOnFurtherRows(spec: SheetSpec, row: ParsedRow, d: Demande | undefined, field: string): boolean {
  if (!d || !spec.perDemande?.continuation?.includes(field)) return false;
  return (d.details[spec.name] ?? []).some((x) => x !== row && x.continuation && x.values[field] !== null && x.values[field] !== undefined);
}
