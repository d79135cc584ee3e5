/**
 * Real third-party clients for the tests: openpyxl (Debian's python3-openpyxl, run by /usr/bin/python3,
 * never a pyenv "python3") and LibreOffice Calc (libreoffice-calc-nogui). Both are installed by .ci/run.
 * A missing client is a test failure with a message that says what to install, never a silent skip.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { tmpDir } from './helpers.js';

export const PYTHON = '/usr/bin/python3';
const SOFFICE = 'soffice';

let base: string | undefined;
/** A fresh folder inside one temporary folder per test file (removed at exit). */
export function scratch(prefix = 'd-'): string {
  base ??= tmpDir('x2s-clients-');
  return fs.mkdtempSync(path.join(base, prefix));
}

function run(cmd: string, args: string[], what: string, opts: { timeout?: number; env?: Record<string, string> } = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${what} : impossible de lancer ${cmd} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}).`);
  if (r.status !== 0) throw new Error(`${what} : ${cmd} a échoué (code ${r.status}, signal ${r.signal}).\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** openpyxl's version; throws a clear message when /usr/bin/python3 or openpyxl is missing. */
export function requireOpenpyxl(): string {
  try {
    return run(PYTHON, ['-c', 'import openpyxl; print(openpyxl.__version__)'], 'openpyxl').stdout.trim();
  } catch (e) {
    throw new Error(
      `openpyxl est introuvable pour ${PYTHON} : installez le paquet Debian python3-openpyxl (voir .ci/run). ` +
        `Ces tests exigent le vrai client, ils ne sont pas ignorés.\n${(e as Error).message}`,
    );
  }
}

/** LibreOffice's version; throws a clear message when soffice is missing. */
export function requireSoffice(): string {
  try {
    return run(SOFFICE, ['--version'], 'LibreOffice', { timeout: 60_000 }).stdout.trim();
  } catch (e) {
    throw new Error(
      `LibreOffice (soffice) est introuvable : installez le paquet Debian libreoffice-calc-nogui (voir .ci/run). ` +
        `Ces tests exigent le vrai client, ils ne sont pas ignorés.\n${(e as Error).message}`,
    );
  }
}

/** Writes a Python script to a temporary file and runs it with Debian's python; returns its stdout. */
export function runPython(script: string, args: string[] = []): string {
  requireOpenpyxl();
  const file = path.join(scratch('py-'), 'script.py');
  fs.writeFileSync(file, script);
  return run(PYTHON, [file, ...args], 'script openpyxl').stdout;
}

/**
 * LibreOffice Calc with its own user profile, so that parallel runs never share (or wait on) an instance.
 */
export class LibreOffice {
  readonly profile = scratch('lo-profile-');
  private initialised = false;

  constructor() {
    requireSoffice();
  }

  private soffice(args: string[], what: string) {
    return run(SOFFICE, [`-env:UserInstallation=${pathToFileURL(this.profile).href}`, '--headless', '--norestore', ...args], what, {
      timeout: 90_000,
    });
  }

  /** `soffice --convert-to xlsx`: opens the workbook and saves it as Calc saves an .xlsx. Returns the new file. */
  resave(file: string, outDir = scratch('lo-out-')): string {
    this.soffice(['--convert-to', 'xlsx', '--outdir', outDir, file], `LibreOffice --convert-to xlsx ${file}`);
    const out = path.join(outDir, path.basename(file).replace(/\.[^.]+$/, '') + '.xlsx');
    if (!fs.existsSync(out)) throw new Error(`LibreOffice n'a pas écrit ${out}`);
    return out;
  }

  /**
   * Every sheet of a workbook as a CSV file, as Calc exports it with French settings: semicolons, UTF-8,
   * cells as shown (« 27 450,00 », 15/11/2021). Calc names them <classeur>-<feuille>.csv; the folder returned
   * holds those of `sheets` as <feuille>.csv, the way a vendor gives a workbook as CSV files.
   */
  csvFolder(file: string, sheets: string[], outDir = scratch('lo-csv-')): string {
    const raw = path.join(outDir, 'calc');
    this.soffice(['--convert-to', 'csv:Text - txt - csv (StarCalc):59,34,76,1,,1036,false,true,false,false,false,-1', '--outdir', raw, file], `LibreOffice --convert-to csv ${file}`);
    const book = path.basename(file).replace(/\.[^.]+$/, '');
    const folder = path.join(outDir, book);
    fs.mkdirSync(folder);
    for (const sheet of sheets) {
      const written = path.join(raw, `${book}-${sheet}.csv`);
      if (!fs.existsSync(written)) throw new Error(`LibreOffice n'a pas écrit ${written}`);
      fs.renameSync(written, path.join(folder, `${sheet}.csv`));
    }
    return folder;
  }

  /** `soffice --convert-to pdf`: every sheet as Calc prints it. Returns the PDF's number of pages. */
  pdfPages(file: string, outDir = scratch('lo-pdf-')): number {
    this.soffice(['--convert-to', 'pdf', '--outdir', outDir, file], `LibreOffice --convert-to pdf ${file}`);
    const out = path.join(outDir, path.basename(file).replace(/\.[^.]+$/, '') + '.pdf');
    if (!fs.existsSync(out)) throw new Error(`LibreOffice n'a pas écrit ${out}`);
    // Page objects ("/Type /Page", not "/Pages"): Calc writes them uncompressed.
    return (fs.readFileSync(out).toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  }

  /**
   * Runs a LibreOffice Basic subroutine `Main` (its source given here) headless, as a macro of the profile's
   * Standard library: the profile is created first, then its Module1 replaced.
   */
  runBasic(source: string): void {
    if (!this.initialised) {
      this.soffice(['--terminate_after_init'], 'LibreOffice (création du profil)');
      this.initialised = true;
    }
    const module = path.join(this.profile, 'user', 'basic', 'Standard', 'Module1.xba');
    if (!fs.existsSync(module)) throw new Error(`profil LibreOffice inattendu : ${module} absent`);
    fs.writeFileSync(
      module,
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n' +
        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">' +
        xmlEscape(source) +
        '</script:module>\n',
    );
    this.soffice(['macro:///Standard.Module1.Main'], 'macro LibreOffice Basic');
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A Basic string literal. */
export function basicString(s: string): string {
  if (/[\r\n]/.test(s)) throw new Error('chaîne Basic sur plusieurs lignes non prise en charge');
  return `"${s.replace(/"/g, '""')}"`;
}
