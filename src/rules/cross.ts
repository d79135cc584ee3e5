import path from 'node:path';
import type { WorkbookResult } from './validate.js';
import { refreshVerdict } from './validate.js';
import { MAX_NAMED, namedList, othersOf } from '../util/lists.js';
import { blockedBy, columnLetter, makeIssue } from '../issues/issues.js';

/** Appends to the list of a key (in place: a list met again is not copied). */
function addTo<T>(map: Map<string, T[]>, key: string, item: T) {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/**
 * Checks across the workbooks of a run: one SIRET per numeroAns (else none is trusted), a numeroEditeur
 * once per kind and numeroAns, and the values a mapping declares unique in a batch.
 */
export function crossChecks(results: WorkbookResult[]) {
  // Workbooks sharing a numeroAns must share its SIRET: otherwise none of them is trusted, all are rejected.
  const byAns = new Map<string, WorkbookResult[]>();
  for (const r of results) if (r.numeroAns && r.siret && r.header) addTo(byAns, r.numeroAns, r);
  for (const [ans, list] of byAns) {
    if (new Set(list.map((r) => r.siret)).size < 2) continue;
    for (const r of list) {
      const h = r.header!;
      const others = list.filter((x) => x.siret !== r.siret).map((x) => `${x.siret} dans ${path.basename(x.file)}`);
      const issue = makeIssue(
        'NUMERO_ANS_SIRET_DIFFERENTS',
        { file: r.file, sheet: h.sheet, row: h.row, column: columnLetter(h.cols.SIRET), field: 'SIRET' },
        { numeroAns: ans, siret: r.siret, other: others.join(', ') },
      );
      issue.affects = r.demandes.length;
      r.issues.push(issue);
      for (const d of r.demandes) {
        const ref = blockedBy([issue], d);
        r.issues.push(ref);
        d.issues.push(ref);
      }
    }
  }
  const byKey = new Map<string, { r: WorkbookResult; d: WorkbookResult['demandes'][number] }[]>();
  for (const r of results) {
    for (const d of r.demandes) {
      const k = `${r.mapping.kind}|${r.numeroAns ?? ''}|${d.key}`;
      addTo(byKey, k, { r, d });
    }
  }
  for (const list of byKey.values()) {
    const files = new Set(list.map((x) => x.r.file));
    if (files.size < 2) continue;
    for (const { r, d } of list) {
      const others = list.filter((x) => x.r !== r).slice(0, MAX_NAMED + 1).map((x) => `${path.basename(x.r.file)}, ligne ${x.d.main.row}`);
      const total = list.filter((x) => x.r !== r).length;
      const issue = makeIssue(
        'NUMERO_EDITEUR_DOUBLON',
        { file: r.file, sheet: d.main.sheet, row: d.main.row, column: columnLetter(d.main.cols[r.mapping.joinKey]), field: r.mapping.joinKey, demande: d.key },
        { value: d.key, where: `aussi dans ${namedList(others, ' ; ', total)}` },
      );
      r.issues.push(issue);
      d.issues.push(issue);
    }
  }
  // Other values unique in the batch (numeroASP of a solde: one solde per avance).
  const seen = new Map<string, { r: WorkbookResult; d: WorkbookResult['demandes'][number] }[]>();
  for (const r of results) {
    for (const col of r.mapping.main.columns.filter((c) => c.unique === 'batch' && c.field !== r.mapping.joinKey)) {
      for (const d of r.demandes) {
        const v = d.main.values[col.field];
        if (typeof v !== 'string') continue;
        const k = `${r.mapping.kind}|${col.field}|${v}`;
        addTo(seen, k, { r, d });
      }
    }
  }
  for (const [k, list] of seen) {
    if (list.length < 2) continue;
    const field = k.split('|')[1];
    for (const x0 of list) {
      const { r, d } = x0;
      const others = othersOf(list, x0, (x) => `demande ${x.d.key}, ${path.basename(x.r.file)} ligne ${x.d.main.row}`);
      const where = namedList(others, ' ; ', list.length - 1);
      const issue = makeIssue(
        'VALEUR_DOUBLON_LOT',
        { file: r.file, sheet: d.main.sheet, row: d.main.row, column: columnLetter(d.main.cols[field]), field, demande: d.key },
        { value: d.main.values[field], where },
      );
      r.issues.push(issue);
      d.issues.push(issue);
    }
  }
  for (const r of results) for (const d of r.demandes) refreshVerdict(d);
}
