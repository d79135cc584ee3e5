import fs from 'node:fs';
import { loadMapping, mappingPathFor, type Mapping } from '../mapping/load.js';
import { KNOWN_KINDS, mappingOf, type Kind } from '../mapping/detect.js';
import type { OutputNode } from '../mapping/schema.js';
import { UserError } from '../util/errors.js';

/** A structure: for each key path, whether it holds an object, an array (of objects) or a value. */
type Shape = Map<string, 'objet' | 'tableau' | 'valeur'>;

function shapeOfMapping(nodes: OutputNode[], prefix: string, out: Shape) {
  for (const n of nodes) {
    const p = prefix ? `${prefix}.${n.key}` : n.key;
    if (n.lines) {
      out.set(p, 'tableau');
      shapeOfMapping(n.lines, `${p}[]`, out);
    } else if (n.object && n.each) {
      out.set(p, 'tableau');
      shapeOfMapping(n.object, `${p}[]`, out);
    } else if (n.object) {
      out.set(p, 'objet');
      shapeOfMapping(n.object, p, out);
    } else if (n.field && n.list) out.set(p, 'tableau');
    else out.set(p, 'valeur');
  }
}

function shapeOfJson(v: unknown, prefix: string, out: Shape) {
  if (Array.isArray(v)) {
    out.set(prefix, 'tableau');
    for (const item of v) if (item && typeof item === 'object' && !Array.isArray(item)) shapeOfJson(item, `${prefix}[]`, out);
    return;
  }
  if (v && typeof v === 'object') {
    if (prefix && !prefix.endsWith('[]')) out.set(prefix, 'objet');
    for (const [k, x] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (Array.isArray(x) || (x && typeof x === 'object')) shapeOfJson(x, p, out);
      else out.set(p, 'valeur');
    }
    return;
  }
}

export interface ModeleDifference {
  kind: 'manquante' | 'en trop' | 'déplacée' | 'nature';
  path: string;
  message: string;
}

const lastKey = (p: string) => p.replace(/\[\]/g, '').split('.').pop()!;

/** Compares the key structure of the portal's model file with a mapping's output. */
export function compareModel(model: unknown, nodes: OutputNode[]): ModeleDifference[] {
  const want = new Map() as Shape;
  shapeOfJson(model, '', want);
  const have = new Map() as Shape;
  shapeOfMapping(nodes, '', have);
  const diffs: ModeleDifference[] = [];
  const missing = [...want.keys()].filter((p) => !have.has(p));
  const extra = [...have.keys()].filter((p) => !want.has(p));
  const movedExtra = new Set<string>();
  for (const p of missing) {
    // The same key elsewhere, with no counterpart there in the model: moved.
    const other = extra.find((e) => lastKey(e) === lastKey(p) && !movedExtra.has(e));
    if (other) {
      movedExtra.add(other);
      diffs.push({ kind: 'déplacée', path: p, message: `Clé « ${lastKey(p)} » : le modèle la place en ${p}, la correspondance en ${other}.` });
    } else {
      diffs.push({ kind: 'manquante', path: p, message: `Clé ${p} présente dans le modèle, absente de la correspondance.` });
    }
  }
  for (const p of extra) {
    if (movedExtra.has(p)) continue;
    diffs.push({ kind: 'en trop', path: p, message: `Clé ${p} écrite par la correspondance, absente du modèle.` });
  }
  for (const [p, k] of want) {
    const h = have.get(p);
    if (h && h !== k) {
      // An empty array or null in the model says little: only report object/array against value.
      if (k === 'valeur' && (h === 'tableau' || h === 'objet')) continue;
      diffs.push({ kind: 'nature', path: p, message: `Clé ${p} : ${k} dans le modèle, ${h} dans la correspondance.` });
    }
  }
  return diffs;
}

/** The key names of a structure, wherever they sit, in the order met. */
function keyNames(shape: Shape): Set<string> {
  return new Set([...shape.keys()].map(lastKey));
}

function mappingKeyNames(kind: Kind): Set<string> {
  const shape = new Map() as Shape;
  shapeOfMapping(mappingOf(kind).output.file, '', shape);
  return keyNames(shape);
}

export interface KindGuess {
  kind: Kind;
  /** The model's keys that only this kind's mapping writes (facture, lienCompteRendu… for a solde). */
  keys: string[];
}

/**
 * The kind of demande a model describes, told by its key names: those that only one kind's mapping writes
 * (commande, EtablissementsClients… for an avance; facture, lienCompteRendu… for a solde), wherever they
 * sit, so that a model whose keys moved is still recognised. Undefined when the model has none of them, or
 * as many of each kind's.
 */
export function guessKind(model: unknown): KindGuess | undefined {
  const shape = new Map() as Shape;
  shapeOfJson(model, '', shape);
  const names = keyNames(shape);
  const byKind = KNOWN_KINDS.map((kind) => {
    const mine = mappingKeyNames(kind);
    const others = KNOWN_KINDS.filter((k) => k !== kind).flatMap((k) => [...mappingKeyNames(k)]);
    return { kind, keys: [...names].filter((n) => mine.has(n) && !others.includes(n)) };
  }).sort((a, b) => b.keys.length - a.keys.length);
  if (!byKind[0].keys.length || byKind[0].keys.length === byKind[1]?.keys.length) return undefined;
  return byKind[0];
}

const someKeys = (keys: string[]) => keys.slice(0, 3).join(', ') + (keys.length > 3 ? '…' : '');
const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;
/** « d'avance », « de solde ». */
const ofKind = (kind: string) => (/^[aeiouy]/.test(kind) ? `d'${kind}` : `de ${kind}`);

/** The line that says which kind was detected, when neither --type nor --mapping was given. */
function detectionLine(guess: KindGuess | undefined): string {
  return guess
    ? `Type détecté d'après les clés du modèle : ${guess.kind} (${someKeys(guess.keys)}) ; --type ${KNOWN_KINDS.join('|')} pour l'imposer.`
    : `Type non reconnu d'après les clés du modèle : comparaison avec la correspondance d'avance (--type solde pour un modèle de solde).`;
}

/** When the model has another kind's keys than the mapping compared: the kind to try instead. */
function kindHint(model: unknown, guess: KindGuess, mapping: Mapping, mappingGiven: boolean): string {
  const n = compareModel(model, mappingOf(guess.kind).output.file).length;
  const start = `Ce modèle a des clés propres à la demande ${ofKind(guess.kind)} (${someKeys(guess.keys)}), la correspondance ${mapping.source} est celle d'une demande ${ofKind(mapping.kind)}`;
  const tryIt = mappingGiven ? `essayez --type ${guess.kind} sans --mapping` : `essayez --type ${guess.kind}`;
  return `${start} : ${tryIt} (${plural(n, 'différence')} avec la correspondance ${ofKind(guess.kind)}).`;
}

function readModel(file: string): object {
  let model: unknown;
  try {
    model = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError(`${file} : fichier modèle illisible ou JSON invalide (${(e as Error).message}).`);
  }
  if (!model || typeof model !== 'object' || Array.isArray(model)) {
    throw new UserError(`${file} : le modèle doit être un objet JSON.`);
  }
  return model;
}

/**
 * Compares the portal's model with a mapping: the one given, else the built-in one of --type, else of the
 * kind the model's keys tell. Returns the exit code: 0 when the structures agree, 1 when they differ.
 */
export function runModele(opts: { model: string; mapping?: string; kind?: string; json?: boolean; stdout?: (t: string) => void }): number {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  if (opts.kind !== undefined && !(KNOWN_KINDS as readonly string[]).includes(opts.kind)) {
    throw new UserError(`Type « ${opts.kind} » inconnu : attendu ${KNOWN_KINDS.join(' ou ')}.`);
  }
  const model = readModel(opts.model);
  const guess = guessKind(model);
  const kind = (opts.kind as Kind | undefined) ?? guess?.kind ?? 'avance';
  const mapping = loadMapping(opts.mapping ?? mappingPathFor(kind));
  const diffs = compareModel(model, mapping.output.file);
  const detection = opts.mapping || opts.kind ? undefined : detectionLine(guess);
  const hint = diffs.length && guess && guess.kind !== mapping.kind ? kindHint(model, guess, mapping, Boolean(opts.mapping)) : undefined;
  if (opts.json) {
    const report = { model: opts.model, mapping: mapping.source, kind: mapping.kind, detectedKind: guess?.kind ?? null, identical: diffs.length === 0, differences: diffs, hint: hint ?? null };
    out(JSON.stringify(report, null, 2) + '\n');
    return diffs.length ? 1 : 0;
  }
  if (detection) out(`${detection}\n`);
  if (!diffs.length) {
    out(`Le modèle ${opts.model} a la même structure que la correspondance ${mapping.source}.\n`);
    return 0;
  }
  out(`Le modèle ${opts.model} diffère de la correspondance ${mapping.source} (${plural(diffs.length, 'différence')}) :\n`);
  for (const d of diffs) out(`  - ${d.message}\n`);
  out(hint ? `${hint}\n` : 'Copiez la correspondance, modifiez la section « output » pour suivre le modèle, puis utilisez --mapping <votre copie>.\n');
  return 1;
}
