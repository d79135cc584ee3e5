import { UserError } from './errors.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Today's date on this machine, AAAAMMJJ. */
export function todayCompact(now = new Date()): string {
  return `${now.getFullYear()}${pad2(now.getMonth() + 1)}${pad2(now.getDate())}`;
}

/** AAAAMMJJ → JJ/MM/AAAA */
export function frenchDate(compact: string): string {
  return `${compact.slice(6, 8)}/${compact.slice(4, 6)}/${compact.slice(0, 4)}`;
}

/** Checks a deposit date given as AAAAMMJJ; returns it with its JJ/MM/AAAA form. */
export function parseDepositDate(text: string): { compact: string; french: string } {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) {
    throw new UserError(`Date de dépôt « ${text} » invalide : attendue au format AAAAMMJJ, par exemple 20261124.`);
  }
  return { compact: m[0], french: frenchDate(m[0]) };
}
