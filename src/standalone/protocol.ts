/** What the page and its worker say to each other (structured clone; bytes as ArrayBuffers, transferred). */
import type { Report } from '../ui/page/types.js';

export interface Job {
  /** Day of deposit, AAAAMMJJ. */
  date: string;
  /** true: convert (the export zip); false: validate (the report only). */
  export: boolean;
  force: boolean;
  workbooks: { name: string; bytes: ArrayBuffer }[];
  /** CSV files, one per sheet, read as one workbook named csvName. */
  csv: { name: string; bytes: ArrayBuffer }[];
  csvName: string;
  /** The PJ folder: its name, and each document under its path relative to it. */
  pj: { name: string; files: { path: string; bytes: ArrayBuffer }[] } | null;
  /** The previous deposit: the folder's name, its journal's text (null: none), its files (JSON ones with their text). */
  deposit: { name: string; journal: string | null; files: { name: string; text?: string }[] } | null;
}

export type Reply =
  | { type: 'progress'; stage: string; value: number; total: number }
  | { type: 'report'; report: Report; zip?: ArrayBuffer; names?: string[]; journal?: string }
  | { type: 'failure'; message: string };
