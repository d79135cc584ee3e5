import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { UserError } from '../util/errors.js';
import { startUiServer } from './server.js';

export interface UiOptions {
  outDir: string;
  /** Open the default browser on the page (--no-open: only print its address). */
  open: boolean;
  stdout?: (t: string) => void;
}

/**
 * Opens an address or a file with the program the system associates with it: $BROWSER when set (for an
 * address), else xdg-open, open (macOS) or start (Windows). Resolves false when that program could not be
 * started (none installed); what it does next (no desktop) is its own business: the address is printed anyway.
 */
export function openWithSystem(target: string, browser = false): Promise<boolean> {
  const [cmd, args] =
    browser && process.env.BROWSER
      ? [process.env.BROWSER, [target]]
      : process.platform === 'darwin'
        ? ['open', [target]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', `"${target}"`]]
          : ['xdg-open', [target]];
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, { stdio: 'ignore', detached: true, windowsHide: true, windowsVerbatimArguments: process.platform === 'win32' });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

/**
 * `xlsx2segur ui`: serves the page on 127.0.0.1 until Ctrl-C. Resolves with the exit code once stopped.
 */
export async function runUi(opts: UiOptions): Promise<number> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  if (fs.existsSync(opts.outDir) && !fs.statSync(opts.outDir).isDirectory()) {
    throw new UserError(`-o ${opts.outDir} : c'est un fichier, pas un dossier ; indiquez le dossier de dépôt (il est créé s'il n'existe pas).`);
  }
  const server = await startUiServer({ outDir: opts.outDir, openFile: (f) => openWithSystem(f) });
  // Ctrl-C is listened to before the address is printed: whoever reads it may stop the server at once.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      out('Arrêt de l\'interface…\n');
      server.close().then(
        () => {
          out('Interface arrêtée.\n');
          resolve(0);
        },
        () => resolve(2),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out(`xlsx2segur ui — dossier de dépôt ${path.resolve(opts.outDir)}\n`);
  out(`Interface ouverte à l'adresse : ${server.url}\n`);
  out(`Elle n'est joignable que depuis cette machine. Ctrl-C pour l'arrêter.\n`);
  if (opts.open && !(await openWithSystem(server.url, true))) out(`Navigateur non ouvert : copiez l'adresse ci-dessus dans votre navigateur.\n`);
  return stopped;
}
