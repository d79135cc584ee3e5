import fs from 'node:fs';
import { loadMapping, mappingPathFor } from '../mapping/load.js';
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

export function runModele(opts: { model: string; mapping?: string; kind?: string; json?: boolean; stdout?: (t: string) => void }): number {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const mapping = loadMapping(opts.mapping ?? mappingPathFor(opts.kind ?? 'avance'));
  let model: unknown;
  try {
    model = JSON.parse(fs.readFileSync(opts.model, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError(`${opts.model} : fichier modèle illisible ou JSON invalide (${(e as Error).message}).`);
  }
  if (!model || typeof model !== 'object' || Array.isArray(model)) {
    throw new UserError(`${opts.model} : le modèle doit être un objet JSON.`);
  }
  const diffs = compareModel(model, mapping.output.file);
  if (opts.json) {
    out(JSON.stringify({ model: opts.model, mapping: mapping.source, identical: diffs.length === 0, differences: diffs }, null, 2) + '\n');
  } else if (!diffs.length) {
    out(`Le modèle ${opts.model} a la même structure que la correspondance ${mapping.source}.\n`);
  } else {
    out(`Le modèle ${opts.model} diffère de la correspondance ${mapping.source} (${diffs.length} différence${diffs.length > 1 ? 's' : ''}) :\n`);
    for (const d of diffs) out(`  - ${d.message}\n`);
    out('Copiez la correspondance, modifiez la section « output » pour suivre le modèle, puis utilisez --mapping <votre copie>.\n');
  }
  return diffs.length ? 1 : 0;
}
