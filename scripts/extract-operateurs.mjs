// Extracts the 355 operateurMessagerie codes of section 4 of the avance specification
// into mappings/listes/operateurs-messagerie.json (run once; the output is committed).
// Usage: node scripts/extract-operateurs.mjs ../shared/spec/000_6827d25916f443e4.txt
import { readFileSync, writeFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const start = text.indexOf('Code à saisir dans le JSON');
if (start < 0) throw new Error('section 4 introuvable');
const lines = text.slice(start).split(/\r?\n/).slice(1);
const items = [];
let expected = 1;
let current = null;
for (const raw of lines) {
  const line = raw.replace(/\s+$/, '').replace(/^ /, '');
  if (!line.trim()) continue;
  const m = /^(.{3}_(\d+))(?: (.*))?$/.exec(line.trim());
  if (m && Number(m[2]) === expected) {
    current = { code: m[1], label: (m[3] ?? '').trim() };
    items.push(current);
    expected++;
    continue;
  }
  // page furniture and continuation lines of a label (DED_271)
  if (current && !/Documentation technique|Systèmes de gestion|Usage restreint|^\d+$/.test(line.trim())) {
    current.label = (current.label + ' ' + line.trim()).trim();
  }
}
for (const it of items) it.label = it.label.replace(/''/g, "'");
if (items.length !== 355) throw new Error(`attendu 355 codes, trouvé ${items.length}`);
writeFileSync(
  'mappings/listes/operateurs-messagerie.json',
  JSON.stringify({ source: 'DTJSONAVANCE-BIO-SGL-VA1, section 4', items }, null, 2) + '\n',
);
console.log(`${items.length} codes`);
