import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { insideFolder } from './fs.js';
import { UserError } from './errors.js';

/**
 * One writer at a time in a deposit folder. A command that writes it (or reads its journal to decide
 * what to write) holds its lock, the file `xlsx2segur.lock` created with O_EXCL, from reading the journal
 * to its last rename. The file says who holds the folder: process, machine, since when, which command.
 *
 * - Another command waits (XLSX2SEGUR_LOCK_WAIT seconds, 10 by default), retrying, then stops with a
 *   French message naming the holder (UserError: exit 2).
 * - A lock whose process is gone (same machine) is taken over, with a French line saying so.
 * - Re-entrant within one chain of calls: retour, holding the lock, refreshes the living workbooks through
 *   runConvert, which takes it again without waiting (AsyncLocalStorage: an unrelated call of the same
 *   process waits like any other command).
 */
export const LOCK_NAME = 'xlsx2segur.lock';

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO date and time the lock was taken. */
  since: string;
  command: string;
  /** Tells this holding from another one of the same process. */
  token: string;
}

export interface LockOptions {
  /** Make the folder when it does not exist (convert). Otherwise a folder that does not exist is not locked: nothing in it to protect. */
  create?: boolean;
  /** Where the line saying a stale lock was taken over goes (default: standard error). */
  say?: (line: string) => void;
}

/** The real paths of the folders the current chain of calls holds. */
const held = new AsyncLocalStorage<Set<string>>();
/** Locks this process holds: real path of the lock file → token (released on exit if a run ends abruptly). */
const owned = new Map<string, string>();
const STALE_UNREADABLE_MS = 10_000;

/** Runs `work` with the deposit folder `dir` locked for `command`; released when it ends, whatever happens. */
export async function withDepositLock<T>(dir: string, command: string, work: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  if (opts.create) fs.mkdirSync(dir, { recursive: true });
  else if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return work();
  const key = fs.realpathSync(dir);
  const mine = held.getStore();
  if (mine?.has(key)) return work();
  const lock: Lock = { dir, file: insideFolder(dir, LOCK_NAME), key: path.join(key, LOCK_NAME) };
  const token = await acquire(lock, command, opts.say ?? ((l) => process.stderr.write(l + '\n')));
  try {
    return await held.run(new Set([...(mine ?? []), key]), work);
  } finally {
    release(lock.file, lock.key, token);
  }
}

/** A deposit folder's lock: the folder as named, its lock file, and that file's real path (this process's key to it). */
interface Lock {
  dir: string;
  file: string;
  key: string;
}

/** True when the current chain of calls holds the lock of `dir`. */
export function holdsDepositLock(dir: string): boolean {
  try {
    return Boolean(held.getStore()?.has(fs.realpathSync(dir)));
  } catch {
    return false;
  }
}

/** Seconds to wait for another command: XLSX2SEGUR_LOCK_WAIT, else 10. */
function waitSeconds(): number {
  const v = Number(process.env.XLSX2SEGUR_LOCK_WAIT);
  return process.env.XLSX2SEGUR_LOCK_WAIT !== undefined && Number.isFinite(v) && v >= 0 ? v : 10;
}

async function acquire({ dir, file, key }: Lock, command: string, say: (line: string) => void): Promise<string> {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command, token: crypto.randomBytes(8).toString('hex') };
  const deadline = Date.now() + waitSeconds() * 1000;
  for (;;) {
    if (create(file, key, info)) return info.token;
    const found = readLock(file);
    if (found === null) continue; // released meanwhile
    if (isStale(file, key, found) && takeOver(file, found)) {
      say(takenOverMessage(dir, file, found.holder));
      continue;
    }
    if (Date.now() >= deadline) throw new UserError(busyMessage(dir, file, found.holder));
    await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 150)));
  }
}

/** Creates the lock file, O_EXCL: false when it exists. */
function create(file: string, key: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(info, null, 2) + '\n');
  } finally {
    fs.closeSync(fd);
  }
  owned.set(key, info.token);
  return true;
}

/** What a lock file holds: its text and, when it reads as one, its holder. Null when it is gone. */
interface Found {
  text: string;
  holder?: LockInfo;
}

function readLock(file: string): Found | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const j = JSON.parse(text);
    if (Number.isInteger(j?.pid) && typeof j.host === 'string' && typeof j.since === 'string' && typeof j.command === 'string') {
      return { text, holder: { token: '', ...j } };
    }
  } catch {
    // being written, or damaged: no holder
  }
  return { text };
}

/** Whether a process of this machine runs under that id. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock is stale when its process is gone: on this machine only (another machine's processes cannot be
 * seen). This process's own id counts as gone unless it holds that very lock (an earlier process that had
 * the same id). A lock file that cannot be read is stale once it is old enough not to be still being written.
 */
function isStale(file: string, key: string, { holder }: Found): boolean {
  if (!holder) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > STALE_UNREADABLE_MS;
    } catch {
      return false;
    }
  }
  if (holder.host !== os.hostname()) return false;
  if (holder.pid === process.pid) return owned.get(key) !== holder.token;
  return !alive(holder.pid);
}

/**
 * Removes a stale lock, as found. Two commands may find the same stale lock: only the one that creates the
 * guard file (O_EXCL) removes it, after checking it is still the one found, so that neither removes the
 * lock the other has just taken. A guard left by a command killed in that instant is removed once old.
 */
function takeOver(file: string, found: Found): boolean {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (isStale(guard, guard, { text: '' })) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readLock(file)?.text !== found.text) return false;
    fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(guard, { force: true });
  }
}

/** Removes the lock file if it is still this holding's. */
function release(file: string, key: string, token: string): void {
  owned.delete(key);
  if (readLock(file)?.holder?.token === token) fs.rmSync(file, { force: true });
}

process.on('exit', () => {
  for (const [key, token] of owned) {
    try {
      release(key, key, token);
    } catch {
      // leaving: the next command takes a stale lock over
    }
  }
});

/** "le 24/11/2026 à 10:15:03", local time; the text as written when it is not a date. */
function when(since: string): string {
  const d = new Date(since);
  if (Number.isNaN(d.getTime())) return `le ${since}`;
  const p = (n: number) => String(n).padStart(2, '0');
  return `le ${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()} à ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function holderText(h: LockInfo): string {
  return `« xlsx2segur ${h.command} », processus ${h.pid} sur la machine ${h.host}, depuis ${when(h.since)}`;
}

function busyMessage(dir: string, file: string, h: LockInfo | undefined): string {
  const s = waitSeconds();
  const waited = `Après ${s} seconde${s >= 2 ? 's' : ''} d'attente, rien n'a été fait`;
  if (!h) return `Le dossier ${dir} est verrouillé (${file}, illisible pour l'instant). ${waited} : relancez dans un moment.`;
  const other = h.host === os.hostname() ? '' : ` Si cette commande ne tourne plus sur ${h.host}, supprimez ${file}.`;
  return `Le dossier ${dir} est occupé par une autre commande : ${holderText(h)}. ${waited} : relancez quand elle aura fini.${other}`;
}

function takenOverMessage(dir: string, file: string, h: LockInfo | undefined): string {
  if (!h) return `Verrou abandonné repris : ${file} était illisible depuis plus de ${STALE_UNREADABLE_MS / 1000} secondes.`;
  return `Verrou abandonné repris : le dossier ${dir} était verrouillé par ${holderText(h)}, qui ne tourne plus.`;
}
