import type { FieldValue } from '../values/types.js';
import type { Issue } from '../issues/issues.js';

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
  /** What this run's checks say: valid, or rejected with its problems (an error among its issues). */
  verdict: 'valide' | 'rejetee';
  /** Where it was written: JSON file name and line. */
  output?: { file: string; numLigne: number; fingerprint?: string };
  /** Its supporting documents as found in the PJ folder (convert --pj), read when their .zip is built. */
  pj?: { name: string; size: number; bytes(): Uint8Array }[];
  /**
   * The number it had before it got a new one: this run (--renumber), or an earlier run whose journal
   * records the resubmission under the new number. `from` is the number in the workbook, `previous` the
   * number just before this one (they differ when an avance was resubmitted more than once).
   */
  renumbered?: { from: string; previous: string; now: boolean };
  /** What the deposit folder's journal knows of it (journal/link.ts); undefined: never exported. */
  journal?: JournalLink;
}

/** The journal's record of a demande, as its status needs it. */
export interface JournalLink {
  state: 'exportee' | 'acceptee' | 'rejetee' | 'payee' | 'refusee';
  file: string;
  numLigne: number;
  /** Day of deposit, AAAAMMJJ. */
  date: string;
  numeroASP: string | null;
  /** The ASP's label (of a rejection, mostly). */
  libelle: string | null;
  /** Later returns contradicting the answer recorded, in French (journal/answers.ts); absent when none. */
  conflict?: string | null;
}
