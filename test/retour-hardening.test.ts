import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, colOf, demandeRows, HEADER, merge, readJson, readXlsx, tmpDir, writeWorkbook } from './helpers.js';

/**
 * retour reads what the ASP really sends: files in the encodings Windows software writes, keys in any
 * order, numbers where text was deposited; it matches each line with what was exported (line number and
 * content), refuses what is not a dossier number, and never lets a second answer silently replace the
 * first. Real files, the real command line, the journal and the results workbook read back.
 */

const JOURNAL = 'xlsx2segur-journal.json';
const DEPOSITED = 'JSON-ANS0000001-20261124-001.json';
const REJECTION = 'Pièce justificative illisible : « bon de commande » non signé';

type Encoding = 'utf8' | 'utf8-bom' | 'win1252' | 'utf16le-bom' | 'utf16be-bom' | 'utf16le';

/** The bytes of a text in an encoding, as Windows software writes them. */
function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 'win1252':
      return iconv.encode(text, 'win1252');
    case 'utf16le-bom':
      return Buffer.from(`\ufeff${text}`, 'utf16le');
    case 'utf16be-bom':
      return iconv.encode(`\ufeff${text}`, 'utf16-be');
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
  }
}

let dir: string;
let out: string;
let deposited: any;
const journal = () => readJson(path.join(out, JOURNAL));
const entry = (num: string) => journal().entries.find((e: any) => e.numeroEditeur === num);

/** The ASP's return of some lines of the deposited file, each with what the ASP filled in. */
function returnOf(answers: Record<string, Record<string, unknown>>, header: Record<string, unknown> = {}): any {
  const j = structuredClone(deposited);
  j.lignesImport = j.lignesImport.filter((l: any) => answers[l.numeroEditeur]).map((l: any) => Object.assign(l, answers[l.numeroEditeur]));
  return Object.assign(j, { impId: 'IMP-1' }, header);
}

function write(name: string, json: unknown, encoding: Encoding = 'utf8'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, encode(typeof json === 'string' ? json : JSON.stringify(json, null, 2), encoding));
  return file;
}

const accepted = (numeroASP: string | null, codeTraitement: unknown = '0') => ({ numeroASP, codeTraitement, libelleTraitement: 'Demande acceptée' });
const rejected = (codeTraitement: unknown = 'E5') => ({ numeroASP: null, codeTraitement, libelleTraitement: REJECTION });

/** What every run must never show: a crash. */
function noCrash(r: { stdout: string; stderr: string }) {
  expect(r.stderr).toBe('');
  expect(r.stdout).not.toMatch(/Erreur inattendue|    at /);
}

beforeAll(async () => {
  dir = tmpDir();
  out = path.join(dir, 'depot');
  const rows = merge(
    { Fichier: [HEADER] },
    demandeRows('00001', { FINESS: { nomClient: 'LABORATOIRE DES ÉTANGS DE BERRE' } }),
    ...['00002', '00003', '00004', '00005', '00006', '00007', '00008'].map((n) => demandeRows(n)),
  );
  const wb = await writeWorkbook(path.join(dir, 'lot.xlsx'), rows);
  expect(cli(['convert', wb, '-o', out, '--date', '20261124']).code).toBe(0);
  deposited = readJson(path.join(out, DEPOSITED));
});

describe('encodings, key order, numbers where text was deposited', () => {
  it('UTF-8 with and without BOM, Windows-1252, UTF-16 LE and BE: the labels read right, the demandes recorded', () => {
    // Windows-1252, keys reordered (lignesImport first, the line's keys backwards), extra keys, impId a number.
    const win = returnOf({ '00001': accepted('FINBIO000101') });
    const reordered = {
      commentaire: 'réponse du portail',
      lignesImport: win.lignesImport.map((l: any) => ({ ...Object.fromEntries(Object.entries(l).reverse()), remarqueASP: 'aucune' })),
      SIRET: win.SIRET,
      numeroAns: win.numeroAns,
      impId: 4242,
    };
    const files = [
      write('retour-utf8.json', returnOf({ '00002': { ...rejected(12), numLigne: '2' } }), 'utf8'),
      write('retour-utf8-bom.json', returnOf({ '00003': accepted('FINBIO000103', 0) }), 'utf8-bom'),
      write('retour-1252.json', reordered, 'win1252'),
      write('retour-utf16le.json', returnOf({ '00004': rejected() }), 'utf16le-bom'),
      // impId after lignesImport: the file is read a second time, its lines with it.
      write('retour-utf16be.json', (({ impId, ...rest }) => ({ ...rest, impId: 'IMP-APRES' }))(returnOf({ '00005': { ...accepted('FINBIO000105'), libelleTraitement: 'DEMANDE ACCEPTÉE' } })), 'utf16be-bom'),
    ];
    expect(fs.readFileSync(files[2]).includes(Buffer.from('accept\xe9e', 'latin1'))).toBe(true);
    const r = cli(['retour', ...files, '-o', out]);
    noCrash(r);
    expect(r.stdout).toContain('Total : 3 lignes acceptées, 2 rejetées, 0 non rapprochée.');
    expect(r.code).toBe(0);
    expect(entry('00001')).toMatchObject({ numeroASP: 'FINBIO000101', asp: { statut: 'acceptee', libelle: 'Demande acceptée', codeTraitement: '0', impId: '4242', fichierRetour: 'retour-1252.json' } });
    expect(entry('00002')).toMatchObject({ numeroASP: null, asp: { statut: 'rejetee', libelle: REJECTION, codeTraitement: '12', fichierRetour: 'retour-utf8.json' } });
    expect(entry('00003')).toMatchObject({ numeroASP: 'FINBIO000103', asp: { statut: 'acceptee', codeTraitement: '0', impId: 'IMP-1' } });
    expect(entry('00004').asp).toMatchObject({ statut: 'rejetee', libelle: REJECTION, fichierRetour: 'retour-utf16le.json' });
    expect(entry('00005')).toMatchObject({ numeroASP: 'FINBIO000105', asp: { statut: 'acceptee', libelle: 'DEMANDE ACCEPTÉE', impId: 'IMP-APRES' } });
    expect(r.stdout).toContain(`demande 00002 rejetée : ${REJECTION}.`);
  });

  it('the same file read again changes nothing: the journal is the same, byte for byte (exit 0)', () => {
    const before = fs.readFileSync(path.join(out, JOURNAL));
    const r = cli(['retour', path.join(dir, 'retour-1252.json'), path.join(dir, 'retour-utf16le.json'), '-o', out]);
    noCrash(r);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('demande 00001 acceptée, dossier FINBIO000101 (réponse déjà enregistrée).');
    expect(r.stdout).toContain(`demande 00004 rejetée : ${REJECTION} (réponse déjà enregistrée).`);
    expect(fs.readFileSync(path.join(out, JOURNAL)).equals(before)).toBe(true);
  });
});

describe('each line is matched with what was exported', () => {
  it('a numeroASP that is not FINBIO and 6 digits is refused, naming the file and the line (exit 2); the other lines are recorded', () => {
    const ret = returnOf({ '00006': accepted('../../etc'), '00007': accepted('FINBIO000107') });
    ret.lignesImport.push({ ...ret.lignesImport[0], numeroASP: 'FINBIO00010' }, { ...ret.lignesImport[0], numeroASP: 'finbio000106' });
    const file = write('retour-numeros.json', ret);
    const r = cli(['retour', file, '-o', out]);
    noCrash(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✗ .*retour-numeros\.json : ligne \d+ du fichier, demande n° 1 de lignesImport : numeroASP « \.\.\/\.\.\/etc » n'est pas un numéro de dossier ASP \(FINBIO suivi de 6 chiffres\) ; ligne non prise en compte\./);
    expect(r.stdout).toContain('numeroASP « FINBIO00010 » n\'est pas un numéro de dossier ASP');
    expect(r.stdout).toContain('numeroASP « finbio000106 » n\'est pas un numéro de dossier ASP');
    expect(entry('00006')).toMatchObject({ numeroASP: null, asp: null });
    expect(entry('00007')).toMatchObject({ numeroASP: 'FINBIO000107', asp: { statut: 'acceptee' } });
    expect(JSON.stringify(journal())).not.toContain('../');
  });

  it('another numLigne, or another content, is reported and not recorded (exit 1)', () => {
    const before = fs.readFileSync(path.join(out, JOURNAL));
    const moved = returnOf({ '00006': { ...accepted('FINBIO000106'), numLigne: 1 } });
    const changed = returnOf({ '00006': accepted('FINBIO000106') });
    changed.lignesImport[0].beneficiaires.EtablissementsClients[0].nomClient = 'AUTRE LABO';
    changed.lignesImport[0].scenarioInstallation.isIdRef = true;
    const r = cli(['retour', write('retour-ligne.json', moved), write('retour-contenu.json', changed), '-o', out, '--json']);
    noCrash(r);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.lines.map((l: any) => [l.file, l.numeroEditeur, l.statut])).toEqual([
      ['retour-ligne.json', '00006', 'non-rapprochee'],
      ['retour-contenu.json', '00006', 'non-rapprochee'],
    ]);
    expect(res.lines[0].message).toBe(`demande 00006 : le retour la met à la ligne 1, le journal à la ligne 6 de ${DEPOSITED} : ligne non prise en compte (est-ce bien le retour de ce fichier ?).`);
    expect(res.lines[1].message).toContain('beneficiaires.EtablissementsClients[1].nomClient « AUTRE LABO » au lieu de « LABO DU PORT »');
    expect(res.lines[1].message).toContain('scenarioInstallation.isIdRef « true » au lieu de « false »');
    expect(fs.readFileSync(path.join(out, JOURNAL)).equals(before)).toBe(true);
  });

  it('a dossier number the journal already gave another demande is not given twice (exit 1)', () => {
    const r = cli(['retour', write('retour-doublon.json', returnOf({ '00006': accepted('FINBIO000101') })), '-o', out]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`demande 00006 : le numéro de dossier FINBIO000101 est déjà celui de la demande 00001 (${DEPOSITED}, ligne 1) : ligne non prise en compte.`);
    expect(entry('00006').asp).toBeNull();
  });
});

describe('a return that contradicts an earlier one is a conflict, never a silent overwrite', () => {
  it('accepted then rejected, another dossier number: both answers shown, the journal keeps the first and notes the other (exit 1)', async () => {
    const contra = write('retour-contraire.json', returnOf({ '00003': rejected('E9'), '00001': accepted('FINBIO000999') }, { impId: 'IMP-2' }));
    const r = cli(['retour', contra, '-o', out]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `! retour-contraire.json, ligne 3 (avance) : demande 00003 : CONFLIT entre deux réponses de l'ASP : enregistrée acceptée, dossier FINBIO000103 (retour-utf8-bom.json, impId IMP-1), ce retour rejetée : « ${REJECTION} » (code E9) (retour-contraire.json, impId IMP-2) ; le journal garde la première, vérifiez sur le portail.`,
    );
    expect(r.stdout).toContain("demande 00001 : CONFLIT entre deux réponses de l'ASP : enregistrée acceptée, dossier FINBIO000101 (retour-1252.json, impId 4242), ce retour acceptée, dossier FINBIO000999 (retour-contraire.json, impId IMP-2)");
    expect(r.stdout).toContain('Total : 0 ligne acceptée, 0 rejetée, 0 non rapprochée, 2 en conflit.');
    expect(entry('00003')).toMatchObject({ numeroASP: 'FINBIO000103', asp: { statut: 'acceptee', fichierRetour: 'retour-utf8-bom.json' } });
    expect(entry('00003').conflits).toEqual([{ statut: 'rejetee', libelle: REJECTION, codeTraitement: 'E9', impId: 'IMP-2', fichierRetour: 'retour-contraire.json', numeroASP: null }]);
    expect(entry('00001')).toMatchObject({ numeroASP: 'FINBIO000101', conflits: [{ statut: 'acceptee', numeroASP: 'FINBIO000999' }] });
    // The results workbook shows both, in the Statut column of the demande.
    const ws = (await readXlsx(path.join(out, 'lot.resultats.xlsx'))).getWorksheet('Commandes')!;
    const status = String(ws.getRow(4).getCell(colOf(ws, 'Statut [xlsx2segur]')).value);
    expect(status).toMatch(/^Acceptée par l'ASP : dossier FINBIO000103 \(.*\) ; CONFLIT : un autre retour de l'ASP dit rejetée : « Pièce justificative illisible/);
    expect(status).toContain('le journal garde la première réponse, vérifiez sur le portail');
  });

  it('the conflicting file read again: still a conflict, noted once; --json gives both answers', () => {
    const r = cli(['retour', path.join(dir, 'retour-contraire.json'), '-o', out, '--json']);
    noCrash(r);
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout).lines.find((l: any) => l.numeroEditeur === '00003');
    expect(line).toMatchObject({ statut: 'conflit', numeroASP: 'FINBIO000103', conflit: { enregistree: 'acceptée, dossier FINBIO000103 (retour-utf8-bom.json, impId IMP-1)' } });
    expect(line.conflit.retour).toContain('rejetée');
    expect(entry('00003').conflits).toHaveLength(1);
  });

  it('an acceptance without dossier number, then with one: the number is recorded, no conflict; the same label in capitals is the same answer', () => {
    const r1 = cli(['retour', write('sans-numero.json', returnOf({ '00008': accepted(null) })), '-o', out]);
    expect([r1.code, entry('00008').numeroASP, entry('00008').asp.statut]).toEqual([0, null, 'acceptee']);
    const r2 = cli(['retour', write('avec-numero.json', returnOf({ '00008': accepted('FINBIO000108') }, { impId: 'IMP-3' })), '-o', out]);
    noCrash(r2);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('demande 00008 acceptée, dossier FINBIO000108.');
    expect(entry('00008')).toMatchObject({ numeroASP: 'FINBIO000108', asp: { statut: 'acceptee', fichierRetour: 'sans-numero.json' } });
    expect(entry('00008').conflits).toBeUndefined();
    const r3 = cli(['retour', write('majuscules.json', returnOf({ '00002': { ...rejected(12), libelleTraitement: REJECTION.toUpperCase() } })), '-o', out]);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain('(réponse déjà enregistrée)');
    expect(entry('00002').conflits).toBeUndefined();
  });

  it('a file holding one demande twice, the answers contradicting each other: the one recorded stays, the other is a conflict', () => {
    const ret = returnOf({ '00008': accepted('FINBIO000108') });
    ret.lignesImport.push({ ...ret.lignesImport[0], ...rejected('E1') });
    const r = cli(['retour', write('deux-avis.json', ret), '-o', out]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Total : 1 ligne acceptée, 0 rejetée, 0 non rapprochée, 1 en conflit.');
    expect(entry('00008')).toMatchObject({ numeroASP: 'FINBIO000108', asp: { statut: 'acceptee' }, conflits: [{ statut: 'rejetee', fichierRetour: 'deux-avis.json' }] });
  });

  it('validate shows the conflict on the demande, in the status the journal decides', () => {
    const r = cli(['validate', path.join(dir, 'lot.xlsx'), '-o', out, '--json']);
    noCrash(r);
    const d = JSON.parse(r.stdout).demandes.find((x: any) => x.numeroEditeur === '00003');
    expect(d.status).toBe('acceptee_asp');
    expect(d.statusLabel).toContain("CONFLIT : un autre retour de l'ASP dit rejetée");
  });

  it('journal lists the conflict', () => {
    const r = cli(['journal', '-o', out]);
    noCrash(r);
    expect(r.stdout).toMatch(/00003 .*CONFLIT/);
  });
});

describe('bad input never crashes: a French message naming the file, exit 2, the rest of the batch goes on', () => {
  it('empty, binary, truncated, not a return, nested too deep, a folder, a missing file; a UTF-16 file without BOM is read all the same', () => {
    const good = returnOf({ '00006': accepted('FINBIO000106') });
    const text = JSON.stringify(good, null, 2);
    const files = {
      vide: write('vide.json', ''),
      binaire: (fs.writeFileSync(path.join(dir, 'binaire.json'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x80, 0x00, 0x7b])), path.join(dir, 'binaire.json')),
      tronque: write('tronque.json', text.slice(0, Math.floor(text.length / 2))),
      tableau: write('pas-tableau.json', { numeroAns: 'ANS0000001', lignesImport: 5 }),
      nombre: write('ans-nombre.json', { numeroAns: 1, lignesImport: [] }),
      ligne: write('ligne-sans-numero.json', JSON.stringify({ numeroAns: 'ANS0000001', lignesImport: [{ numLigne: 'un' }, 3] })),
      dossier: (fs.mkdirSync(path.join(dir, 'un-dossier.json')), path.join(dir, 'un-dossier.json')),
      absent: path.join(dir, 'absent.json'),
      utf16: write('retour-utf16-sans-bom.json', good, 'utf16le'),
      // A UTF-8 byte order mark before Windows-1252 text: read as Windows-1252, « acceptée » stays an acceptance.
      bom1252: (fs.writeFileSync(path.join(dir, 'bom-1252.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(JSON.stringify(returnOf({ '00007': accepted('FINBIO000107') })), 'win1252')])), path.join(dir, 'bom-1252.json')),
      profond: write('profond.json', `{"numeroAns":"ANS0000001","lignesImport":[${JSON.stringify({ ...deposited.lignesImport[0], ...accepted('FINBIO000101') }).slice(0, -1)},"x":${'['.repeat(200000)}${']'.repeat(200000)}}]}`),
    };
    const r = cli(['retour', ...Object.values(files), '-o', out]);
    noCrash(r);
    expect(r.code).toBe(2);
    const says = (file: string, text: string) => expect(r.stdout).toContain(`✗ ${file} : ${text}`);
    says(files.vide, "fichier de retour illisible ou JSON invalide (ligne 1 du fichier : fin du fichier inattendue : « { » attendu au début du fichier (un objet JSON)).");
    says(files.binaire, 'fichier de retour illisible ou JSON invalide (ligne 1 du fichier : « { » attendu au début du fichier (un objet JSON)).');
    says(files.tronque, 'fichier de retour illisible ou JSON invalide (ligne ');
    says(files.tableau, "ce n'est pas un fichier de retour de l'ASP (attendu : numeroAns et lignesImport).");
    says(files.nombre, "ce n'est pas un fichier de retour de l'ASP (attendu : numeroAns et lignesImport).");
    says(files.ligne, 'ligne 1 du fichier, demande n° 1 de lignesImport : illisible (numeroEditeur attendu).');
    says(files.ligne, 'ligne 1 du fichier, demande n° 2 de lignesImport : illisible (numeroEditeur attendu).');
    expect(r.stdout).toContain('Total : 2 lignes acceptées, 0 rejetée, 0 non rapprochée, 9 fichiers en échec.');
    says(files.dossier, "fichier de retour illisible (c'est un dossier, pas un fichier).");
    says(files.absent, 'fichier de retour illisible (fichier introuvable).');
    says(files.profond, 'ligne 1 du fichier, demande n° 1 de lignesImport : illisible (valeurs imbriquées trop profondément).');
    expect(r.stdout).toContain('demande 00006 acceptée, dossier FINBIO000106.');
    expect(r.stdout).toContain('demande 00007 acceptée, dossier FINBIO000107 (réponse déjà enregistrée).');
    expect(entry('00006')).toMatchObject({ numeroASP: 'FINBIO000106', asp: { statut: 'acceptee', fichierRetour: 'retour-utf16-sans-bom.json' } });
  });

  it('a file broken after its first lines records none of them', () => {
    const ret = returnOf({ '00002': rejected('E1'), '00007': rejected('E1') });
    const text = JSON.stringify(ret, null, 2);
    const before = fs.readFileSync(path.join(out, JOURNAL));
    const r = cli(['retour', write('casse-a-la-fin.json', text.slice(0, text.lastIndexOf('}'))), '-o', out]);
    noCrash(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('0 ligne acceptée, 0 rejetée, 0 non rapprochée, 1 fichier en échec.');
    expect(fs.readFileSync(path.join(out, JOURNAL)).equals(before)).toBe(true);
  });

  it('a return far larger than the specification allows: its lines counted, the first ones described (exit 1)', () => {
    const lines = Array.from({ length: 1205 }, (_, i) => ({ numLigne: i + 1, numeroEditeur: String(20000 + i), codeTraitement: 0, libelleTraitement: 'Demande acceptée' }));
    const file = write('retour-enorme.json', JSON.stringify({ numeroAns: 'ANS0000001', impId: null, lignesImport: lines }));
    const r = cli(['retour', file, '-o', out]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  … ${file} : 205 autres lignes, comptées dans le total sans être détaillées (1000 au plus par fichier).`);
    expect(r.stdout).toContain('Total : 0 ligne acceptée, 0 rejetée, 1205 non rapprochées.');
    const res = JSON.parse(cli(['retour', file, '-o', out, '--json']).stdout);
    expect(res.totals).toEqual({ acceptee: 0, rejetee: 0, 'non-rapprochee': 1205, conflit: 0 });
    expect(res.lines).toHaveLength(1000);
    expect(res.omitted).toEqual([{ file, lines: 205 }]);
  });
});
