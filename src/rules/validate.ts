import type ExcelJS from 'exceljs';
import type { Mapping } from '../mapping/load.js';
import type { ColumnSpec, SheetSpec } from '../mapping/schema.js';
import { fold, gridFromWorksheet, type Grid, type RawRow } from '../read/sheet.js';
import { cellOf, readSheet, type SheetData } from '../mapping/sheet.js';
import { showScalar } from '../read/cell.js';
import type { XlsxPackage } from '../read/package.js';
import { parseCell } from '../values/parse.js';
import { Amount, showValue, type FieldValue } from '../values/types.js';
import { join } from '../join/join.js';
import type { Demande, ParsedRow } from '../join/model.js';
import { blockedBy, columnLetter, makeIssue, type Issue } from '../issues/issues.js';
import type { IssueCode } from '../issues/catalogue.js';
import { checkText } from './columns.js';
import { describe as describeCondition, evaluate } from './conditions.js';
import { namedRules, type RuleContext } from './named.js';

export interface ValidateOptions {
  /** Day of deposit, JJ/MM/AAAA: dates may not be after it. */
  depositDate: string;
  date1904?: boolean;
  /** The sheets are CSV files: every cell is text, read as the cell it was exported from. */
  csv?: boolean;
}

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

const ASCII_NO_LOWER = /^[^a-z\u0080-\uffff]*$/;

function toComparable(d: string): string {
  const [j, m, a] = d.split('/');
  return `${a}${m}${j}`;
}

export function findWorksheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet | undefined {
  return wb.worksheets.find((w) => w.name === name) ?? wb.worksheets.find((w) => fold(w.name) === fold(name));
}

/** Reads one sheet a mapping declares; structural faults (missing sheet or column) go to `faults`. */
function readDeclaredSheet(grid: Grid | undefined, spec: SheetSpec, faults: string[], csv = false): SheetData | undefined {
  if (!grid) {
    faults.push(csv ? `fichier « ${spec.name}.csv » absent du dossier (un fichier CSV par feuille)` : `feuille « ${spec.name} » absente`);
    return undefined;
  }
  const data = readSheet(grid, spec);
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
    const data = readDeclaredSheet(await grids(spec.name), spec, faults, csv);
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
  const issues = result.issues;
  const key = mapping.joinKey;
  const depositComparable = toComparable(opts.depositDate);

  const place = (row: ParsedRow, field: string | undefined, demande?: string) => ({
    file,
    sheet: row.sheet,
    row: row.row,
    column: field && row.cols[field] ? columnLetter(row.cols[field]) : undefined,
    field,
    demande,
  });
  const report = (code: IssueCode, row: ParsedRow, field: string | undefined, params: Record<string, unknown> = {}, demande?: string) => {
    const col = field ? findColumn(mapping, row.sheet, field) : undefined;
    const issue = makeIssue(code, place(row, field, demande), { label: col?.label, ...params });
    issues.push(issue);
    return issue;
  };
  const rawIndex = new Map<string, Map<number, RawRow>>();
  const rawRow = (sheet: string, n: number): RawRow | undefined => {
    let index = rawIndex.get(sheet);
    if (!index) rawIndex.set(sheet, (index = new Map(sheets[sheet].rows.map((r) => [r.row, r]))));
    return index.get(n);
  };
  /** Withdraws the problems reported on a cell whose value is ignored; returns what the cell showed. */
  const withdraw = (row: ParsedRow, field: string): string => {
    for (let k = issues.length - 1; k >= 0; k--) {
      const i = issues[k];
      if (i.sheet === row.sheet && i.row === row.row && i.field === field) issues.splice(k, 1);
    }
    (row as ParsedRow & { invalid?: Set<string> }).invalid?.delete(field);
    const spec = mapping.sheets.find((s) => sheets[s.name]?.actualName === row.sheet);
    const r = spec ? rawRow(spec.name, row.row) : undefined;
    const raw = spec && r ? cellOf(sheets[spec.name], r, field)?.value : undefined;
    return raw === undefined || raw === null ? showValue(row.values[field] ?? null) : showScalar(raw);
  };

  const parseRows = (spec: SheetSpec): ParsedRow[] => {
    const data = sheets[spec.name];
    const out: ParsedRow[] = [];
    const cols: Record<string, number> = {};
    for (const [f, col] of data.columns) cols[f] = col;
    const kcol = spec.columns.find((c) => c.field === key);
    for (const raw of data.rows) {
      // One column map for all the rows of a sheet (nothing changes it).
      const row: ParsedRow = { sheet: data.actualName, row: raw.row, values: {}, cols };
      // The key first, so every problem of the row names its demande.
      const keyCell = cellOf(data, raw, key);
      // parseCell depends on date1904 for dates only: a text key's result serves again below.
      let keyParsed: ReturnType<typeof parseCell> | undefined;
      if (spec.role !== 'header' && keyCell && keyCell.value !== null) {
        keyParsed = parseCell(keyCell, kcol!, mapping, { csv: opts.csv });
        row.key = typeof keyParsed.value === 'string' ? keyParsed.value : String(keyCell.value);
      }
      for (const col of spec.columns) {
        const cell = cellOf(data, raw, col.field);
        const parsed = col === kcol && keyParsed && col.type !== 'date' ? keyParsed : parseCell(cell, col, mapping, opts);
        let value: FieldValue = parsed.value;
        for (const w of parsed.warnings) report(w.code, row, col.field, w.params, row.key);
        if (parsed.error) {
          report(parsed.error.code, row, col.field, parsed.error.params, row.key);
          row.values[col.field] = null;
          (row as ParsedRow & { invalid?: Set<string> }).invalid ??= new Set();
          (row as ParsedRow & { invalid?: Set<string> }).invalid!.add(col.field);
          continue;
        }
        if (col.upperCase && (typeof value === 'string' || Array.isArray(value))) {
          // ASCII without a lower-case letter is its own upper case: the locale-aware call is slow.
          const up = (t: string) => (ASCII_NO_LOWER.test(t) ? t : t.toLocaleUpperCase('fr-FR'));
          const upper = typeof value === 'string' ? up(value) : value.map(up);
          const shown = (v: string | string[]) => (typeof v === 'string' ? v : v.join(' ; '));
          if (shown(upper) !== shown(value)) {
            report('MAJUSCULES', row, col.field, { value: shown(value), fixed: shown(upper) }, row.key);
            value = upper;
          }
        }
        let bad = false;
        const check = (t: string) => {
          for (const pr of checkText(col, t)) {
            report(pr.code, row, col.field, pr.params, row.key);
            bad = true;
          }
        };
        if (typeof value === 'string') check(value);
        else if (Array.isArray(value)) for (const t of value) check(t);
        if (value instanceof Amount && value.cents <= 0n) {
          report('MONTANT_NON_POSITIF', row, col.field, { value: value.display }, row.key);
          bad = true;
        }
        if (value instanceof Amount && value.cents > Amount.MAX.cents) {
          report('MONTANT_TROP_GRAND', row, col.field, { value: value.display.length > 40 ? `${value.display.slice(0, 30)}… (${value.text.length - 3} chiffres)` : value.display, max: Amount.MAX.display }, row.key);
          bad = true;
        }
        if (col.type === 'date' && typeof value === 'string' && col.notAfterDeposit && toComparable(value) > depositComparable) {
          report('DATE_FUTURE', row, col.field, { value, deposit: opts.depositDate }, row.key);
          bad = true;
        }
        row.values[col.field] = value;
        if (bad) {
          (row as ParsedRow & { invalid?: Set<string> }).invalid ??= new Set();
          (row as ParsedRow & { invalid?: Set<string> }).invalid!.add(col.field);
        }
      }
      out.push(row);
    }
    return out;
  };

  // File header: exactly one row.
  const headerRows = parseRows(mapping.header);
  const headerData = sheets[mapping.header.name];
  if (headerRows.length !== 1) {
    issues.push(
      makeIssue(
        'ENTETE_LIGNES',
        { file, sheet: headerData.actualName, row: headerRows[1]?.row ?? headerData.headerRow + 1 },
        { sheet: headerData.actualName, count: headerRows.length },
      ),
    );
  }
  const header = headerRows[0];
  result.header = header;

  const ctx: RuleContext = {
    mapping,
    header,
    report: (code, row, field, params, demande) => report(code, row, field, params, demande),
    refer: (code, row, params, demande) => {
      const issue = makeIssue(code, place(row, undefined, demande), params);
      issue.reference = true;
      issues.push(issue);
    },
    get: (d, field) => getValue(mapping, d, header, field),
  };
  // Required values of the header (its required fields) and header-level rules.
  if (header) checkRequired(mapping.header, header, undefined, ctx, report, withdraw);
  for (const r of mapping.rules) {
    const rule = namedRules[r.rule];
    if (rule.scope === 'header') rule.check(ctx, rule.schema.parse(r) as never);
  }
  // Only the header has been read so far: every error here is a header error.
  const headerErrors = issues.filter((i) => i.severity === 'erreur');
  if (header) {
    result.numeroAns = typeof header.values.numeroAns === 'string' ? header.values.numeroAns : undefined;
    result.siret = typeof header.values.SIRET === 'string' ? header.values.SIRET : undefined;
  }
  const mainRows = parseRows(mapping.main);
  const detailRows: Record<string, ParsedRow[]> = {};
  for (const s of mapping.details) detailRows[s.name] = parseRows(s);

  // The parameters of the demande rules, read once (not once per demande).
  let parsedRules: { rule: (typeof namedRules)[string]; params: unknown }[] | undefined;
  const demandeRules = () =>
    (parsedRules ??= mapping.rules.flatMap((r) => {
      const rule = namedRules[r.rule];
      return rule.scope === 'demande' ? [{ rule, params: rule.schema.parse(r) }] : [];
    }));

  const joined = join(mapping, file, mainRows, detailRows);
  issues.push(...joined.issues);
  result.demandes = joined.demandes;

  const uniqueColumns = new Map(mapping.details.map((s) => [s, s.columns.filter((c) => c.unique === 'demande')]));
  for (const d of joined.demandes) {
    checkRequired(mapping.main, d.main, d, ctx, report, withdraw);
    for (const s of mapping.details) for (const r of d.details[s.name]) checkRequired(s, r, d, ctx, report, withdraw);
    // Values unique within a demande (FINESS géographiques…).
    for (const s of mapping.details) {
      for (const col of uniqueColumns.get(s)!) {
        const seen = new Map<string, ParsedRow>();
        for (const r of d.details[s.name]) {
          const v = r.values[col.field];
          for (const t of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
            const first = seen.get(t);
            if (first) {
              report('VALEUR_DOUBLON', r, col.field, { value: t, where: `lignes ${first.row} et ${r.row}` }, d.key);
            } else seen.set(t, r);
          }
        }
      }
      if (s.groups) {
        const firstOf = new Map<string, ParsedRow>();
        for (const r of d.details[s.name]) {
          const g = r.values[s.groups.by];
          if (typeof g !== 'string') continue;
          const first = firstOf.get(g);
          if (!first) {
            firstOf.set(g, r);
            continue;
          }
          for (const f of s.groups.sameValues) {
            const a = showValue(first.values[f] ?? null);
            const b = showValue(r.values[f] ?? null);
            if (a !== b) report('GROUPE_INCOHERENT', r, f, { by: s.groups.by, group: g, value: b, other: a, otherRow: first.row }, d.key);
          }
        }
      }
    }
    for (const { rule, params } of demandeRules()) rule.check(ctx, params as never, d);
  }
  for (const r of mapping.rules) {
    const rule = namedRules[r.rule];
    if (rule.scope === 'file') rule.check(ctx, rule.schema.parse(r) as never, undefined, joined.demandes);
  }
  // Attach issues to demandes; header errors block every demande.
  const byKey = new Map(joined.demandes.map((d) => [d.key, d]));
  for (const i of issues) if (i.demande) byKey.get(i.demande)?.issues.push(i);
  if (headerErrors.length) {
    for (const h of headerErrors) h.affects = joined.demandes.length;
    for (const d of joined.demandes) {
      const i = blockedBy(headerErrors, d);
      issues.push(i);
      d.issues.push(i);
    }
  }
  for (const d of joined.demandes) refreshVerdict(d);
  // Every row is parsed: its raw cells go (on a big workbook they are hundreds of megabytes); the row
  // numbers stay, for the results workbook.
  for (const data of Object.values(sheets)) data.rows = data.rows.map((r) => ({ row: r.row, values: NO_VALUES }));
  return result;
}

const NO_VALUES: RawRow['values'] = Object.freeze([]) as unknown as RawRow['values'];

export function refreshVerdict(d: Demande): void {
  d.verdict = d.issues.some((i) => i.severity === 'erreur') ? 'rejetee' : 'valide';
}

function findColumn(mapping: Mapping, sheetName: string, field: string): ColumnSpec | undefined {
  const spec = mapping.sheets.find((s) => s.name === sheetName) ?? mapping.sheets.find((s) => fold(s.name) === fold(sheetName));
  return spec?.columns.find((c) => c.field === field);
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
