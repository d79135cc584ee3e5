import { z } from 'zod';
import type { DepositFolder } from './folder.js';
import { UserError } from '../util/errors.js';

/**
 * The journal: every demande written to a JSON file, and what the ASP said of it. Plain JSON in the output
 * folder, written atomically. It is what stops a demande from being submitted twice and what the solde is
 * prepared from.
 */
export const JOURNAL_NAME = 'xlsx2segur-journal.json';

const aspSchema = z.object({
  statut: z.enum(['acceptee', 'rejetee']),
  libelle: z.string().nullable(),
  codeTraitement: z.string().nullable(),
  impId: z.string().nullable(),
  fichierRetour: z.string(),
});

/** An answer of the ASP that contradicts the one recorded first (journal/answers.ts): kept beside it, never in its place. */
const conflictSchema = aspSchema.extend({ numeroASP: z.string().nullable() });
export type AspConflict = z.infer<typeof conflictSchema>;

/** A dossier number the ASP gives an accepted avance: FINBIO and 6 digits (solde specification, § 3.1). */
export const ASP_NUMBER = /^FINBIO\d{6}$/;

export const entrySchema = z.object({
  kind: z.enum(['avance', 'solde']),
  numeroAns: z.string(),
  siret: z.string().nullable().default(null),
  numeroEditeur: z.string(),
  numeroASP: z.string().nullable(),
  file: z.string(),
  numLigne: z.number().int(),
  date: z.string(),
  montant: z.string(),
  finess: z.array(z.string()),
  source: z.string(),
  renumberedFrom: z.string().nullable().default(null),
  asp: aspSchema.nullable().default(null),
  paiement: z.enum(['payee', 'refusee']).nullable().default(null),
  /** Digest of the line as exported (emit/fingerprint.ts): tells whether the demande changed since. */
  fingerprint: z.string().nullable().default(null),
  /** Answers of later returns that contradict `asp` (absent when there is none). */
  conflits: z.array(conflictSchema).optional(),
});

export type JournalEntry = z.infer<typeof entrySchema>;

const journalSchema = z.object({
  version: z.literal(1),
  entries: z.array(entrySchema),
});

export type EntryState = 'exportee' | 'acceptee' | 'rejetee' | 'payee' | 'refusee';

export const STATE_LABELS: Record<EntryState, string> = {
  exportee: 'exportée (pas encore de réponse de l\'ASP)',
  acceptee: 'acceptée par l\'ASP',
  rejetee: 'rejetée par l\'ASP',
  payee: 'payée',
  refusee: 'refusée par l\'ASP',
};

export function stateOf(e: JournalEntry): EntryState {
  if (e.paiement === 'refusee') return 'refusee';
  if (e.paiement === 'payee') return 'payee';
  if (e.asp) return e.asp.statut;
  return 'exportee';
}

/**
 * What a deposited line (or its return from the ASP) says: its kind, its amount as the journal writes it,
 * and its FINESS géographiques. Undefined where the line does not carry them.
 */
export function readLine(line: Record<string, any>): { kind: 'avance' | 'solde'; amount?: string; finess?: string[] } {
  const kind = 'facture' in line || 'lienCompteRendu' in line ? 'solde' : 'avance';
  const raw = kind === 'solde' ? line.facture?.montantSegurHTFacture : line.commande?.montantSegurHT;
  const amount =
    typeof raw === 'number' ? raw.toFixed(2) : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw).toFixed(2) : undefined;
  let finess: string[] | undefined;
  if (kind === 'solde') finess = Array.isArray(line.beneficiaires) ? line.beneficiaires.map(String) : undefined;
  else if (Array.isArray(line.beneficiaires?.EtablissementsClients)) {
    finess = line.beneficiaires.EtablissementsClients.flatMap((e: any) => (Array.isArray(e?.numeroFINESSGeos) ? e.numeroFINESSGeos.map(String) : []));
  }
  return { kind, amount, finess };
}

export class Journal {
  constructor(
    readonly file: string,
    readonly entries: JournalEntry[],
  ) {}

  /** A journal from its text (`file`: where it is, as messages name it). */
  static parse(file: string, text: string): Journal {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UserError(`Journal ${file} illisible (${(e as Error).message}). Il n'a pas été modifié ; corrigez-le ou déplacez-le.`);
    }
    const parsed = journalSchema.safeParse(json);
    if (!parsed.success) {
      throw new UserError(`Journal ${file} invalide (${parsed.error.issues[0]?.path.join('.')} : ${parsed.error.issues[0]?.message}). Il n'a pas été modifié.`);
    }
    return new Journal(file, parsed.data.entries);
  }

  /** The journal's file, as it is saved (commands/journal-file.ts). */
  text(): string {
    return JSON.stringify({ version: 1, entries: this.entries }, null, 2) + '\n';
  }

  /**
   * Adds the JSON files of the folder that the journal does not know: a run interrupted between writing a
   * file and saving the journal loses nothing, the file itself says what it holds. Returns how many
   * demandes were recovered.
   */
  recover(folder: DepositFolder, fingerprint: (kind: 'avance' | 'solde', line: Record<string, unknown>) => string | null = () => null): number {
    const known = new Set(this.entries.map((e) => e.file));
    const names = folder.names().filter((n) => /^JSON-.+\.json$/.test(n) && !known.has(n)).sort();
    let added = 0;
    for (const name of names) {
      let j: { numeroAns?: unknown; SIRET?: unknown; lignesImport?: unknown };
      try {
        j = JSON.parse(folder.text(name) ?? '');
      } catch {
        continue; // not one of ours
      }
      const m = /-(\d{8})-\d{3,}\.json$/.exec(name);
      if (typeof j.numeroAns !== 'string' || !Array.isArray(j.lignesImport) || !m) continue;
      for (const l of j.lignesImport as Record<string, any>[]) {
        const { kind, amount, finess } = readLine(l);
        const solde = kind === 'solde';
        if (typeof l.numeroEditeur !== 'string' || typeof l.numLigne !== 'number') continue;
        this.entries.push({
          kind: solde ? 'solde' : 'avance',
          numeroAns: j.numeroAns,
          siret: typeof j.SIRET === 'string' ? j.SIRET : null,
          numeroEditeur: l.numeroEditeur,
          numeroASP: solde && typeof l.numeroASP === 'string' ? l.numeroASP : null,
          file: name,
          numLigne: l.numLigne,
          date: m[1],
          montant: amount ?? '0.00',
          finess: finess ?? [],
          source: '(fichier retrouvé)',
          renumberedFrom: null,
          asp: null,
          paiement: null,
          fingerprint: fingerprint(kind, l),
        });
        added++;
      }
    }
    return added;
  }

  private index?: { size: number; byDemande: Map<string, JournalEntry[]>; byAsp: Map<string, JournalEntry>; byOldNumber: Map<string, JournalEntry> };

  /** Indexes by demande, by numeroASP and by former number, rebuilt when entries were added (a journal only grows). */
  private indexes() {
    if (this.index?.size === this.entries.length) return this.index;
    const byDemande = new Map<string, JournalEntry[]>();
    const byAsp = new Map<string, JournalEntry>();
    const byOldNumber = new Map<string, JournalEntry>();
    for (const e of this.entries) {
      const k = `${e.kind}|${e.numeroAns}|${e.numeroEditeur}`;
      const list = byDemande.get(k);
      if (list) list.push(e);
      else byDemande.set(k, [e]);
      if (e.kind === 'avance' && e.numeroASP) byAsp.set(e.numeroASP, e);
      if (e.renumberedFrom) byOldNumber.set(`${e.kind}|${e.numeroAns}|${e.renumberedFrom}`, e);
    }
    this.index = { size: this.entries.length, byDemande, byAsp, byOldNumber };
    return this.index;
  }

  /**
   * The latest entry of a demande, following its resubmissions: an avance rejected by the ASP and
   * resubmitted under a new number (convert --renumber) is that new number's latest entry.
   */
  current(kind: string, numeroAns: string, numeroEditeur: string): JournalEntry | undefined {
    let e = this.latest(kind, numeroAns, numeroEditeur);
    const seen = new Set<string>();
    while (e && stateOf(e) === 'rejetee' && !seen.has(e.numeroEditeur)) {
      seen.add(e.numeroEditeur);
      const next = this.indexes().byOldNumber.get(`${kind}|${numeroAns}|${e.numeroEditeur}`);
      if (!next) break;
      e = this.latest(kind, numeroAns, next.numeroEditeur) ?? next;
    }
    return e;
  }

  /** Entries of one demande, oldest first. */
  find(kind: string, numeroAns: string, numeroEditeur: string): JournalEntry[] {
    return [...(this.indexes().byDemande.get(`${kind}|${numeroAns}|${numeroEditeur}`) ?? [])];
  }

  latest(kind: string, numeroAns: string, numeroEditeur: string): JournalEntry | undefined {
    const all = this.find(kind, numeroAns, numeroEditeur);
    return all[all.length - 1];
  }

  /** The avance that received this numeroASP. */
  avanceByAsp(numeroASP: string): JournalEntry | undefined {
    const hit = this.indexes().byAsp.get(numeroASP);
    // An entry's numeroASP is given through giveNumeroASP, which keeps the index up to date.
    return hit && hit.numeroASP === numeroASP ? hit : undefined;
  }

  /** Gives an avance its dossier number at the ASP (retour), keeping the index by numeroASP up to date. */
  giveNumeroASP(entry: JournalEntry, numeroASP: string): void {
    entry.numeroASP = numeroASP;
    if (entry.kind === 'avance') this.index?.byAsp.set(numeroASP, entry);
  }

  /** The last file written for a numeroAns under each SIRET it was exported with. */
  siretsOf(numeroAns: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of this.entries) if (e.numeroAns === numeroAns && e.siret) out.set(e.siret, e.file);
    return out;
  }

  /** Highest numeroEditeur used for a numeroAns and kind (0 when none). */
  highestNumber(kind: string, numeroAns: string): number {
    let max = 0;
    for (const e of this.entries) {
      if (e.kind !== kind || e.numeroAns !== numeroAns) continue;
      for (const n of [e.numeroEditeur, e.renumberedFrom]) if (n && /^\d+$/.test(n)) max = Math.max(max, Number(n));
    }
    return max;
  }
}
