import type { FieldValue } from '../values/types.js';
import type { Issue } from '../rules/issues.js';

/** One data row of a sheet, its cells read as typed values. */
export interface ParsedRow {
  sheet: string;
  /** 1-based row number in the sheet. */
  row: number;
  values: Record<string, FieldValue>;
  /** field → column number */
  cols: Record<string, number>;
  /** The join key as read (numeroEditeur), even when invalid; undefined when empty. */
  key?: string;
  /** A further row of a single-row sheet that only carries continuation fields (identDMP…). */
  continuation?: boolean;
}

/** A demande: its order row and, for each detail sheet, its rows. */
export interface Demande {
  key: string;
  file: string;
  main: ParsedRow;
  details: Record<string, ParsedRow[]>;
  issues: Issue[];
  status: 'acceptee' | 'rejetee';
  /** Where it was written: JSON file name and line. */
  output?: { file: string; numLigne: number };
  /** Its supporting documents as found on disk (convert --pj). */
  pj?: { name: string; source: string; size: number }[];
  /** The number it had before --renumber gave it a new one. */
  renumberedFrom?: string;
}
