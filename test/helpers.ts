import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { afterAll } from 'vitest';
import { loadMapping, mappingPathFor, type Mapping } from '../src/mapping/load.js';
import { buildTemplate } from '../src/template/template.js';
import { avanceExample } from '../src/template/example.js';
import { fillWorkbook, type RowData } from '../src/template/fill.js';
import { readWorkbook } from '../src/read/xlsx.js';
import { workbookBytes } from '../src/util/xlsx-write.js';

export const root = path.resolve(__dirname, '..');
export const bin = path.join(root, 'bin', 'xlsx2segur.js');

/** The ten OUI/NON columns of an installation scenario, as the avance spec lists them (section 3). */
export const SCENARIO_BOOLEANS = [
  'isIdRef',
  'isIdSlave',
  'isSendingFluxIntraSIH',
  'isProSanteConnectNeeded',
  'isDirecToDMP',
  'isPFIToDMP',
  'isDirectToMSSPro',
  'isPFIToMSSPro',
  'isDirectToMSSCitoyen',
  'isPFIToMSSCitoyen',
];

export function avanceMapping(): Mapping {
  return loadMapping(mappingPathFor('avance'));
}

/**
 * The folders tmpDir made for the test file being run. This module is evaluated once per test file (vitest
 * isolates files), so the hook below belongs to that file: registered first, it runs after the file's own
 * afterAll hooks. (A process 'exit' listener per folder both piled up listeners, past Node's warning
 * threshold of 10, and never ran: vitest's workers are stopped without emitting 'exit'.)
 */
const madeDirs: string[] = [];
afterAll(() => {
  for (const d of madeDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
});

/** A fresh temporary folder, removed once the test file's tests are done. */
export function tmpDir(prefix = 'x2s-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(d);
  return d;
}

export type SheetRows = Record<string, RowData[]>;

/** The spec's example as rows by field name: one valid demande (00001). */
export function exampleRows(): SheetRows {
  const m = avanceMapping();
  const out: SheetRows = {};
  for (const [sheet, table] of Object.entries(avanceExample)) {
    const fields = m.sheet(sheet)!.columns.map((c) => c.field);
    out[sheet] = table.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i] === '' ? null : (r[i] ?? null)])));
  }
  return out;
}

/** A valid demande with the given numeroEditeur (one FINESS row, a BON_COMMANDE, a scenario). */
export function demandeRows(num: string, over: { Commandes?: RowData; FINESS?: RowData; PJ?: RowData; Scénarios?: RowData } = {}): SheetRows {
  return {
    Commandes: [
      {
        numeroEditeur: num,
        dateCommande: '12/03/2022',
        regimeTVA: 'TTC',
        montantSegurHT: 15000,
        isMandataire: 'NON',
        isClientUnique: 'OUI',
        ...over.Commandes,
      },
    ],
    FINESS: [
      {
        numeroEditeur: num,
        numeroFINESSJuridique: '130000011',
        nomClient: 'LABO DU PORT',
        emailClient: 'contact@labo-port.fr',
        telephoneClient: '04 91 00 00 00',
        numeroFINESSGeos: '130000029',
        ...over.FINESS,
      },
    ],
    PJ: [{ numeroEditeur: num, typeFichier: 'BON_COMMANDE', formatFichier: 'PDF', ...over.PJ }],
    Scénarios: [
      {
        numeroEditeur: num,
        isIdRef: 'NON',
        isIdSlave: 'NON',
        operateurMessagerie: 'GIP_1',
        isSendingFluxIntraSIH: 'NON',
        isProSanteConnectNeeded: 'NON',
        isDirecToDMP: 'NON',
        isPFIToDMP: 'NON',
        isDirectToMSSPro: 'NON',
        isPFIToMSSPro: 'NON',
        isDirectToMSSCitoyen: 'NON',
        isPFIToMSSCitoyen: 'NON',
        ...over['Scénarios'],
      },
    ],
  };
}

/** Merges sheet rows (demandes one after another). */
export function merge(...parts: SheetRows[]): SheetRows {
  const out: SheetRows = {};
  for (const p of parts) for (const [s, rows] of Object.entries(p)) out[s] = [...(out[s] ?? []), ...rows];
  return out;
}

export const HEADER = { numeroAns: 'ANS0000001', SIRET: '88412345600003' };

/** n valid demandes 00001…n with the default header. */
export function manyDemandes(n: number, header: RowData = HEADER): SheetRows {
  return merge({ Fichier: [header] }, ...Array.from({ length: n }, (_, i) => demandeRows(String(i + 1).padStart(5, '0'))));
}

/** Builds a workbook from the template and the rows, writes it, returns its path. */
export async function writeWorkbook(file: string, rows: SheetRows, mapping = avanceMapping()): Promise<string> {
  const wb = buildTemplate(mapping, avanceExample, 50);
  fillWorkbook(wb, mapping, rows);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await workbookBytes(wb));
  return file;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real command line (built dist), as a user would. */
export function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * A workbook read with exceljs as our commands read one (readWorkbook): packages written by other tools
 * (openpyxl's note parts, absolute targets) are first made readable by exceljs 4.4.0.
 */
export async function readXlsx(file: string): Promise<ExcelJS.Workbook> {
  return readWorkbook(file);
}

/** Column number of a header cell containing text, in row 1 of a sheet. */
export function colOf(ws: ExcelJS.Worksheet, text: string): number {
  let found = 0;
  ws.getRow(1).eachCell((c, col) => {
    if (typeof c.value === 'string' && c.value.includes(text)) found = col;
  });
  if (!found) throw new Error(`colonne ${text} introuvable dans ${ws.name}`);
  return found;
}

export function noteOf(cell: ExcelJS.Cell): string {
  const n = cell.note as unknown;
  if (!n) return '';
  if (typeof n === 'string') return n;
  return ((n as { texts?: { text: string }[] }).texts ?? []).map((t) => t.text).join('');
}

export function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('JSON-') && f.endsWith('.json')).sort();
}
