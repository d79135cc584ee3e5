import type { Mapping } from '../mapping/load.js';
import { columnLetter, makeIssue, type Issue } from '../issues/issues.js';
import { namedList } from '../util/lists.js';
import type { Demande, ParsedRow } from './model.js';

export interface JoinResult {
  demandes: Demande[];
  issues: Issue[];
}

/**
 * Groups the rows of every sheet into demandes by the join key (numeroEditeur). Reports duplicate keys in
 * the main sheet, detail rows that point to no demande, and per-demande row counts (perDemande).
 */
export function join(mapping: Mapping, file: string, main: ParsedRow[], details: Record<string, ParsedRow[]>): JoinResult {
  const key = mapping.joinKey;
  const issues: Issue[] = [];
  const byKey = new Map<string, ParsedRow[]>();
  for (const r of main) {
    if (r.key === undefined) continue;
    const same = byKey.get(r.key);
    if (same) same.push(r);
    else byKey.set(r.key, [r]);
  }
  // A filled row without a key belongs to no demande: say so instead of dropping it silently.
  const keyless = (r: ParsedRow, spec: { columns: { field: string; label: string }[] } | undefined) =>
    issues.push(
      makeIssue(
        'VALEUR_REQUISE',
        { file, sheet: r.sheet, row: r.row, column: columnLetter(r.cols[key]), field: key },
        { label: spec?.columns.find((c) => c.field === key)?.label },
      ),
    );
  const demandes: Demande[] = [];
  const demandeByKey = new Map<string, Demande>();
  for (const r of main) {
    if (r.key === undefined) {
      keyless(r, mapping.main);
      continue;
    }
    const same = byKey.get(r.key)!;
    if (same.length > 1) {
      issues.push(
        makeIssue(
          'NUMERO_EDITEUR_DOUBLON',
          { file, sheet: r.sheet, row: r.row, column: columnLetter(r.cols[key]), field: key, demande: r.key },
          { value: r.key, where: `feuille « ${r.sheet} », lignes ${namedList(same.map((x) => String(x.row)))}` },
        ),
      );
    }
    if (demandeByKey.has(r.key)) continue; // the first row carries the demande; all are rejected
    const d: Demande = { key: r.key, file, main: r, details: {}, issues: [], verdict: 'valide' };
    for (const s of mapping.details) d.details[s.name] = [];
    demandes.push(d);
    demandeByKey.set(r.key, d);
  }
  for (const s of mapping.details) {
    for (const r of details[s.name] ?? []) {
      if (r.key === undefined) {
        keyless(r, s);
        continue;
      }
      const d = demandeByKey.get(r.key);
      if (!d) {
        issues.push(
          makeIssue(
            'LIGNE_ORPHELINE',
            { file, sheet: r.sheet, row: r.row, column: columnLetter(r.cols[key]), field: key },
            { value: r.key, main: mapping.main.name },
          ),
        );
        continue;
      }
      d.details[s.name].push(r);
    }
  }
  for (const d of demandes) {
    for (const s of mapping.details) {
      const rows = d.details[s.name];
      const min = s.perDemande?.min ?? 0;
      const max = s.perDemande?.max;
      const place = {
        file,
        sheet: d.main.sheet,
        row: d.main.row,
        column: columnLetter(d.main.cols[key]),
        field: key,
        demande: d.key,
      };
      if (rows.length < min) {
        issues.push(makeIssue('LIGNES_MANQUANTES', place, { demande: d.key, min, sheet: s.name, count: rows.length }));
      }
      const cont = s.perDemande?.continuation;
      if (cont) {
        // Further rows that only carry continuation fields belong to the first one.
        for (const r of rows.slice(max ?? 0)) {
          const others = Object.entries(r.values).filter(([f, v]) => f !== key && !cont.includes(f) && v !== null);
          if (!others.length) r.continuation = true;
        }
      }
      const counted = rows.filter((r) => !r.continuation);
      if (max !== undefined && counted.length > max) {
        for (const r of counted.slice(max)) {
          issues.push(
            makeIssue(
              'LIGNES_EN_TROP',
              { file, sheet: r.sheet, row: r.row, column: columnLetter(r.cols[key]), field: key, demande: d.key },
              { demande: d.key, max, sheet: s.name, count: counted.length, rows: counted.map((x) => x.row).join(', ') },
            ),
          );
        }
      }
    }
  }
  return { demandes, issues };
}
