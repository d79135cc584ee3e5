import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, merge, readJson, tmpDir, writeWorkbook } from './helpers.js';

/**
 * Values that JavaScript would coerce are read strictly: amounts have an upper bound and are never read
 * as another number, invisible characters never reach the JSON, a date is the day Excel displays.
 */
describe('strict values', () => {
  let rep: any;
  let lines: Record<string, any>;
  const issue = (demande: string, code: string) => rep.issues.find((i: any) => i.demande === demande && i.code === code);

  beforeAll(async () => {
    const dir = tmpDir();
    const rows = merge(
      { Fichier: [HEADER] },
      demandeRows('00001', { Commandes: { montantSegurHT: 1e15 } }),
      demandeRows('00002', { Commandes: { montantSegurHT: '9'.repeat(400) } }),
      demandeRows('00003', { Commandes: { montantSegurHT: 5e-324 } }),
      demandeRows('00004', { Commandes: { montantSegurHT: 99999999.99 } }),
      demandeRows('00005', { FINESS: { nomClient: 'LABO_x0000_DU PORT' } }),
      demandeRows('00006', { FINESS: { nomClient: 'LABO _xD800_ SUD' } }),
      demandeRows('00007', { FINESS: { nomClient: 'LABO\tDU\nNORD' } }),
      // 15/11/2021 at 23:59:59.999: Excel displays the 15th.
      demandeRows('00008', { Commandes: { dateCommande: new Date(Date.UTC(2021, 10, 15, 23, 59, 59, 999)) } }),
      demandeRows('00009', { Commandes: { dateCommande: 44515.99999999 } }),
    );
    const wb = await writeWorkbook(path.join(dir, 'valeurs.xlsx'), rows);
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124', '--json']);
    rep = JSON.parse(r.stdout);
    lines = {};
    for (const f of rep.jsonFiles) for (const l of readJson(f.path).lignesImport) lines[l.numeroEditeur] = l;
  });

  it('an amount above 99 999 999,99 € is refused, however it is written; the bound itself is exported exactly', () => {
    expect(issue('00001', 'MONTANT_TROP_GRAND').message).toContain('1 000 000 000 000 000,00 € dépasse le plus grand montant accepté (99 999 999,99 €)');
    expect(issue('00002', 'MONTANT_TROP_GRAND').message).toMatch(/^montantSegurHT : 9 999 999 [ 9]*… \(400 chiffres\) dépasse/);
    expect(lines['00004'].commande.montantSegurHT).toBe(99999999.99);
    expect(String(lines['00004'].commande.montantSegurHT)).toBe('99999999.99');
  });

  it('5e-324 is not « 0,00 € »: it has more than two decimals', () => {
    expect(rep.demandes.find((d: any) => d.numeroEditeur === '00003').errors).toEqual(['MONTANT_DECIMALES']);
  });

  it('NUL and lone surrogates are refused on their cell; a tab or line break in a one-line text becomes a space, with a warning', () => {
    expect(issue('00005', 'CARACTERE_INTERDIT')).toMatchObject({ sheet: 'FINESS', field: 'nomClient' });
    expect(issue('00005', 'CARACTERE_INTERDIT').message).toContain('« LABOU+0000DU PORT » contient un caractère invisible qui ne peut pas aller dans le fichier JSON (U+0000)');
    expect(issue('00006', 'CARACTERE_INTERDIT').message).toContain('(U+D800)');
    expect(lines['00005']).toBeUndefined();
    expect(lines['00006']).toBeUndefined();
    expect(issue('00007', 'TEXTE_SUR_UNE_LIGNE').message).toContain('« LABO⇥DU↵NORD »');
    expect(lines['00007'].beneficiaires.EtablissementsClients[0].nomClient).toBe('LABO DU NORD');
  });

  it('a date serial is cut to the day, as Excel displays it', () => {
    expect(lines['00008'].commande.dateCommande).toBe('15/11/2021');
    expect(lines['00009'].commande.dateCommande).toBe('15/11/2021');
  });

  it('no JSON text holds a control character', () => {
    for (const f of rep.jsonFiles) expect(require('node:fs').readFileSync(f.path, 'utf8')).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|\\u00/);
  });
});
