import path from 'node:path';
import type { JournalEntry, Journal } from '../journal/journal.js';
import { NotUtf8, type TextEncoding } from '../read/encoding.js';
import { compareAnswers, describeAnswer, noteConflict, recordedAnswer, type Answer } from '../journal/answers.js';
import { readFailure, sniffEncoding, textChunks } from './decode.js';
import { readReturnLine, returnHeaderSchema } from './line.js';
import type { Matcher, ReturnedLine } from './match.js';
import { LINES_READ, ReturnSyntaxError, scanReturn } from './stream.js';

export interface RetourLineOutcome {
  file: string;
  numLigne: number | null;
  numeroEditeur: string;
  kind: 'avance' | 'solde';
  statut: 'acceptee' | 'rejetee' | 'non-rapprochee' | 'conflit';
  numeroASP: string | null;
  libelle: string | null;
  message: string;
  /** A conflict: the answer the journal keeps, and this return's. */
  conflit?: { enregistree: string; retour: string };
}

interface Header {
  numeroAns: string;
  impId: string | null;
  file: string;
}

/** A file is not a return: nothing of it is taken. */
class NotAReturn extends Error {}

export type Statut = RetourLineOutcome['statut'];

/**
 * Lines of a file described one by one (a return of the specification holds at most 200), and line
 * failures: beyond, they are only counted, so that memory stays bounded whatever the size of the file.
 */
export const MAX_DETAILED = 1000;
const MAX_FAILURES = 100;

/** What one return file says, staged: the journal is changed only once the whole file was read. */
export class FileImport {
  readonly outcomes: RetourLineOutcome[] = [];
  readonly failures: string[] = [];
  readonly counts: Record<Statut, number> = { acceptee: 0, rejetee: 0, 'non-rapprochee': 0, conflit: 0 };
  /** Lines counted, not described. */
  omitted = 0;
  private failedLines = 0;
  private readonly changes = new Map<JournalEntry, Answer>();
  private readonly conflicts: [JournalEntry, Answer][] = [];
  /** Dossier numbers given by this file, to the entry they were given to. */
  private readonly numbers = new Map<string, JournalEntry>();

  constructor(
    readonly file: string,
    private readonly journal: Journal,
    private readonly matcher: Matcher,
  ) {}

  take(raw: unknown, rank: number, textLine: number, header: Header): void {
    try {
      this.takeLine(raw, rank, textLine, header);
    } catch (e) {
      // Only a line nested deeper than the stack allows gets here: JSON.parse read it, walking it overflows.
      if (!(e instanceof RangeError)) throw e;
      this.fail(`ligne ${textLine} du fichier, demande n° ${rank} de lignesImport : illisible (valeurs imbriquées trop profondément).`);
    }
  }

  private takeLine(raw: unknown, rank: number, textLine: number, header: Header): void {
    const r = readReturnLine(raw, rank, textLine, header);
    if ('failure' in r) return this.fail(r.failure);
    if ('silent' in r) return this.unmatched(r.line, r.silent);
    const m = this.matcher.match(r.line, r.answer, (e) => this.changes.get(e) ?? null);
    if ('unmatched' in m) return this.unmatched(r.line, m.unmatched);
    const holder = r.answer.numeroASP ? this.holderOf(r.answer.numeroASP) : undefined;
    if (holder && holder !== m.entry) {
      return this.unmatched(r.line, `demande ${r.line.numeroEditeur} : le numéro de dossier ${r.answer.numeroASP} est déjà celui de la demande ${holder.numeroEditeur} (${holder.file}, ligne ${holder.numLigne}) : ligne non prise en compte.`);
    }
    this.record(m.entry, r.line, r.answer);
  }

  private holderOf(numeroASP: string): JournalEntry | undefined {
    return this.numbers.get(numeroASP) ?? this.journal.avanceByAsp(numeroASP);
  }

  private base(l: ReturnedLine) {
    return { file: path.basename(this.file), numLigne: l.numLigne, numeroEditeur: l.numeroEditeur, kind: l.kind };
  }

  private push(o: RetourLineOutcome): void {
    this.counts[o.statut]++;
    if (this.outcomes.length < MAX_DETAILED) this.outcomes.push(o);
    else this.omitted++;
  }

  private fail(message: string): void {
    if (++this.failedLines <= MAX_FAILURES) this.failures.push(`${this.file} : ${message}`);
  }

  /** The failures of the file's lines, the ones past MAX_FAILURES counted. */
  lineFailures(): string[] {
    const more = this.failedLines - this.failures.length;
    return more > 0 ? [...this.failures, `${this.file} : et ${more} autres lignes en échec.`] : this.failures;
  }

  private unmatched(l: ReturnedLine, message: string): void {
    this.push({ ...this.base(l), statut: 'non-rapprochee', numeroASP: null, libelle: null, message });
  }

  /** Stages an answer: a first one, the same again, one completing it with its dossier number, or a conflict. */
  private record(entry: JournalEntry, l: ReturnedLine, answer: Answer): void {
    const first = this.changes.get(entry) ?? recordedAnswer(entry);
    const relation = first ? compareAnswers(first, answer) : 'new';
    const num = l.numeroEditeur;
    if (relation === 'conflict') {
      if (!this.conflicts.some(([e, a]) => e === entry && compareAnswers(a, answer) === 'same')) this.conflicts.push([entry, answer]);
      const conflit = { enregistree: describeAnswer(first!), retour: describeAnswer(answer) };
      const message = `demande ${num} : CONFLIT entre deux réponses de l'ASP : enregistrée ${conflit.enregistree}, ce retour ${conflit.retour} ; le journal garde la première, vérifiez sur le portail.`;
      return this.push({ ...this.base(l), statut: 'conflit', numeroASP: first!.numeroASP ?? entry.numeroASP, libelle: answer.libelle, conflit, message });
    }
    const kept = relation === 'new' ? answer : relation === 'completes' ? { ...first!, numeroASP: answer.numeroASP } : first!;
    if (relation !== 'same') this.changes.set(entry, kept);
    if (kept.numeroASP) this.numbers.set(kept.numeroASP, entry);
    const numeroASP = l.kind === 'avance' ? kept.numeroASP : entry.numeroASP;
    const again = relation === 'same' ? ' (réponse déjà enregistrée)' : '';
    const message = kept.statut === 'acceptee' ? `demande ${num} acceptée${numeroASP ? `, dossier ${numeroASP}` : ''}${again}.` : `demande ${num} rejetée : ${kept.libelle ?? 'sans libellé'}${again}.`;
    this.push({ ...this.base(l), statut: kept.statut, numeroASP, libelle: answer.libelle, message });
  }

  /** Writes the staged answers into the journal's entries; returns the entries changed. */
  apply(): JournalEntry[] {
    const touched: JournalEntry[] = [];
    for (const [entry, a] of this.changes) {
      entry.asp = { statut: a.statut, libelle: a.libelle, codeTraitement: a.codeTraitement, impId: a.impId, fichierRetour: a.fichierRetour };
      if (entry.kind === 'avance' && a.numeroASP) this.journal.giveNumeroASP(entry, a.numeroASP);
      touched.push(entry);
    }
    for (const [entry, a] of this.conflicts) if (noteConflict(entry, a)) touched.push(entry);
    return touched;
  }
}

function checkHeader(h: Record<string, unknown>, file: string): Header {
  const parsed = returnHeaderSchema.safeParse(h);
  if (h.lignesImport !== LINES_READ || !parsed.success) throw new NotAReturn();
  const impId = parsed.data.impId === null || parsed.data.impId === undefined ? null : String(parsed.data.impId);
  return { numeroAns: parsed.data.numeroAns.trim(), impId, file: path.basename(file) };
}

/** One reading of the file in one encoding: a second one when lignesImport came before numeroAns. */
async function readAs(file: string, encoding: TextEncoding, skip: number, journal: Journal, matcher: Matcher): Promise<FileImport> {
  const state = new FileImport(file, journal, matcher);
  let header: Header | undefined;
  let deferred = false;
  // The lines are taken as they come when the header keys they need came first, as in the deposited file.
  const early = (h: Record<string, unknown>) => {
    if ('numeroAns' in h && 'impId' in h) header = checkHeader(h, file);
  };
  const first = await scanReturn(textChunks(file, encoding, skip), {
    onLinesStart: early,
    onLine: (v, rank, at) => (header ? state.take(v, rank, at, header) : (deferred = true)),
  });
  header ??= checkHeader(first.header, file);
  const known = header;
  if (deferred) await scanReturn(textChunks(file, encoding, skip), { onLine: (v, rank, at) => state.take(v, rank, at, known) });
  return state;
}

/**
 * Reads one return file, in the encoding it is in (a file that is not UTF-8 is read again as
 * Windows-1252, past its UTF-8 byte order mark if it has one). A file that cannot be read, is not JSON or not a return gives its French message.
 */
export async function importReturn(file: string, journal: Journal, matcher: Matcher): Promise<FileImport | { failure: string }> {
  try {
    const { encoding, skip } = sniffEncoding(file);
    try {
      return await readAs(file, encoding, skip, journal, matcher);
    } catch (e) {
      if (!(e instanceof NotUtf8)) throw e;
      return await readAs(file, 'windows-1252', skip, journal, matcher);
    }
  } catch (e) {
    if (e instanceof NotAReturn) return { failure: `${file} : ce n'est pas un fichier de retour de l'ASP (attendu : numeroAns et lignesImport).` };
    if (e instanceof ReturnSyntaxError) return { failure: `${file} : fichier de retour illisible ou JSON invalide (ligne ${e.line} du fichier : ${e.message}).` };
    if ((e as NodeJS.ErrnoException)?.code) return { failure: `${file} : fichier de retour illisible (${readFailure(e)}).` };
    throw e;
  }
}
