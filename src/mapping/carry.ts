import type { Mapping } from './load.js';
import type { ColumnSpec, OutputNode } from './schema.js';
import { UserError } from '../util/errors.js';

/**
 * A solde field that `solde --from` pre-fills with the avance's answer: a solde column's « fromAvance »
 * (mappings/solde-bio-sgl.json), joined with where the avance mapping puts that answer.
 */
export interface CarriedField {
  /** The solde sheet and field written. */
  sheet: string;
  field: string;
  type: ColumnSpec['type'];
  /** The avance's field, the sheet of the avance workbook that holds it. */
  avanceField: string;
  avanceSheet: string;
  /** Keys leading to the answer in one deposited avance line, e.g. scenarioInstallation, isDirecToDMP. */
  linePath: string[];
}

/**
 * Where a field sits in a deposited line, following the mapping's output: the keys down to it, through
 * objects only. Undefined when the field is not one value of the line (absent, or inside a list).
 */
export function linePathOf(mapping: Mapping, field: string): string[] | undefined {
  const search = (nodes: OutputNode[], at: string[]): string[] | undefined => {
    for (const n of nodes) {
      if (n.field === field && !n.list) return [...at, n.key];
      if (n.object && !n.each) {
        const found = search(n.object, [...at, n.key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(mapping.output.file.find((n) => n.lines)?.lines ?? [], []);
}

/** The fields a solde takes from its avance, in the order of the solde mapping's columns. */
export function carriedFields(solde: Mapping, avance: Mapping): CarriedField[] {
  const out: CarriedField[] = [];
  for (const sheet of solde.sheets) {
    for (const c of sheet.columns) {
      if (!c.fromAvance) continue;
      const avanceSheet = avance.sheets.find((s) => s.columns.some((x) => x.field === c.fromAvance));
      const linePath = linePathOf(avance, c.fromAvance);
      if (!avanceSheet || !linePath) {
        throw new UserError(
          `Correspondance ${solde.source} : la colonne ${c.field} (feuille « ${sheet.name} ») reprend « ${c.fromAvance} » de l'avance, que la correspondance ${avance.source} ne déclare pas comme une valeur de ses lignes.`,
        );
      }
      out.push({ sheet: sheet.name, field: c.field, type: c.type, avanceField: c.fromAvance, avanceSheet: avanceSheet.name, linePath });
    }
  }
  return out;
}
