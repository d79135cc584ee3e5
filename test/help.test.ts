import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, jsonFiles, merge, readJson, root, tmpDir, writeWorkbook, type CliResult } from './helpers.js';

const COMMANDS = ['template', 'convert', 'validate', 'modele', 'retour', 'journal', 'solde', 'ui'];
const USAGE_ERROR = "une erreur d'utilisation (commande ou option inconnue, valeur invalide)";

/** The lines of a --help section: those after its title, up to the next blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** What the --help of a command (or of the top level) shows: its examples and its exit codes. */
function helpOf(command?: string): { examples: string[]; exitCodes: Map<number, string> } {
  const r = cli(command ? [command, '--help'] : ['--help']);
  expect(r.code).toBe(0);
  const examples = section(r.stdout, 'Exemples :').map((l) => /^ {2}(xlsx2segur .+?) {2,}\S/.exec(l)?.[1] ?? `ligne illisible : ${l}`);
  const codes = section(r.stdout, 'Codes de sortie :').map((l) => /^ {2}([012]) {2}(.+)$/.exec(l));
  return { examples, exitCodes: new Map(codes.map((m) => [Number(m?.[1]), m?.[2] ?? ''])) };
}

/** The README's « Codes de sortie » tables: the general one (key '') and one row per command. */
function readmeExitCodes(): Map<string, Map<number, string>> {
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const part = text.slice(text.indexOf('### Codes de sortie'), text.indexOf('## Le classeur de résultats'));
  const out = new Map<string, Map<number, string>>([['', new Map()]]);
  for (const line of part.split('\n')) {
    const general = /^\| ([012]) \| (.+) \|$/.exec(line);
    if (general) out.get('')!.set(Number(general[1]), general[2]);
    const row = /^\| `(\w+)` \| (.+) \| (.+) \| (.+) \|$/.exec(line);
    if (row) out.set(row[1], new Map([0, 1, 2].filter((c) => row[c + 2] !== '—').map((c) => [c, row[c + 2]])));
  }
  return out;
}

describe('--help: two examples and the exit codes of every command', () => {
  it('the top level and each command show two examples and the exit codes the README gives', () => {
    const readme = readmeExitCodes();
    expect([...readme.keys()]).toEqual(['', ...COMMANDS]);
    for (const command of ['', ...COMMANDS]) {
      const help = helpOf(command || undefined);
      expect(help.examples, command).toHaveLength(2);
      if (command) for (const e of help.examples) expect(e.startsWith(`xlsx2segur ${command} `), e).toBe(true);
      const want = [...readme.get(command)!].map(([code, text]) => [code, command && code === 2 ? `${text}, ou ${USAGE_ERROR}` : text]);
      expect([...help.exitCodes], command).toEqual(want);
    }
  });
});

/** A folder where `xlsx2segur` is on the PATH (the built command line), to run examples as a shell would. */
function shellIn(dir: string): (line: string) => CliResult {
  const binDir = path.join(dir, '.bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(binDir, 'xlsx2segur'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(root, 'bin/xlsx2segur.js')}" "$@"\n`, { mode: 0o755 });
  return (line) => {
    const r = spawnSync('/bin/sh', ['-c', line], { cwd: dir, env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` }, encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
}

/**
 * Runs a line that serves until Ctrl-C (ui) as a shell would, in the folder: once it has printed its
 * address, Ctrl-C (SIGINT to the command, which the shell runs in its place, as a terminal's Ctrl-C reaches
 * the command in the foreground), and what it printed.
 */
function serveThenStop(dir: string, env: Record<string, string> = {}): (line: string) => Promise<CliResult> {
  const binDir = path.join(dir, '.bin');
  return (line) =>
    new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `exec ${line}`], { cwd: dir, env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, ...env } });
      let stdout = '';
      let stderr = '';
      let stopped = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${line} : pas d'adresse affichée en 60 s (${stdout}${stderr})`));
      }, 60_000);
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        stdout += t;
        if (!stopped && /http:\/\/127\.0\.0\.1:\d+\/\S+\//.test(stdout)) {
          stopped = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
}

/** The file the portal gives back for a deposited one: each line answered as accepted, with its numeroASP. */
function portalAnswer(deposited: string, target: string, numeroASP: (numeroEditeur: string) => string) {
  const json = readJson(deposited);
  json.impId = 'IMP-1';
  for (const l of json.lignesImport) Object.assign(l, { numeroASP: numeroASP(l.numeroEditeur), codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
  fs.writeFileSync(target, JSON.stringify(json, null, 2));
}

interface Step {
  /** What the user has done before (filled a workbook, downloaded the portal's answer). */
  before?: (w: string) => void | Promise<void>;
  /** A command that serves until Ctrl-C: started, then stopped once it has printed its address. */
  serves?: true;
  check: (r: CliResult, w: string) => void;
}
const ASP = (num: string) => (num === '00001' ? 'FINBIO000006' : 'FINBIO000007');
const DEPOSITED = 'depot/JSON-ANS0000001-20261124-001.json';

/** Every example, in the order of the work cycle, with what is done before it and what it must give. */
const CYCLE: Record<string, Step> = {
  'xlsx2segur template avance -o mes-commandes.xlsx': {
    check: (r, w) => expect(fs.readFileSync(path.join(w, 'mes-commandes.xlsx')).subarray(0, 2).toString()).toBe('PK'),
  },
  'xlsx2segur template solde': { check: (r, w) => expect(r.stdout).toContain('Modèle « Demande de solde') },
  'xlsx2segur convert --help': { check: (r) => expect(r.stdout).toContain('Codes de sortie :') },
  'xlsx2segur convert mes-commandes.xlsx -o depot --date 20261124': {
    // The vendor filled the template: the specification's example.
    before: (w) => fs.copyFileSync(path.join(root, 'samples/exemple-specification.xlsx'), path.join(w, 'mes-commandes.xlsx')),
    check: (r, w) => {
      expect(fs.readFileSync(path.join(w, DEPOSITED), 'utf8')).toBe(fs.readFileSync(path.join(root, 'test/golden/exemple-specification.json'), 'utf8'));
      expect(fs.existsSync(path.join(w, 'depot/mes-commandes.resultats.xlsx'))).toBe(true);
    },
  },
  'xlsx2segur convert "commandes/*.xlsx" -o depot --json': {
    before: async (w) => void (await writeWorkbook(path.join(w, 'commandes/autres.xlsx'), merge({ Fichier: [HEADER] }, demandeRows('00002')))),
    check: (r, w) => {
      expect(JSON.parse(r.stdout).jsonFiles.map((f: any) => f.demandes)).toEqual([['00002']]);
      expect(jsonFiles(path.join(w, 'depot'))).toHaveLength(2);
    },
  },
  'xlsx2segur validate mes-commandes.xlsx -o controle': {
    check: (r, w) => expect(fs.readdirSync(path.join(w, 'controle'))).toEqual(['mes-commandes.resultats.xlsx']),
  },
  'xlsx2segur validate commandes --pj pieces -o controle': {
    before: (w) => {
      fs.mkdirSync(path.join(w, 'pieces'));
      fs.writeFileSync(path.join(w, 'pieces/BIO-SGL-Va1-BDC-00002.pdf'), `%PDF-1.4\n${'x'.repeat(500)}\n%%EOF\n`);
    },
    check: (r, w) => {
      expect(r.stdout).not.toContain('non vérifiées');
      expect(fs.readdirSync(path.join(w, 'controle')).sort()).toEqual(['autres.resultats.xlsx', 'mes-commandes.resultats.xlsx']);
    },
  },
  'xlsx2segur modele modele-portail.json': {
    before: (w) => fs.copyFileSync(path.join(w, DEPOSITED), path.join(w, 'modele-portail.json')),
    check: (r) => expect(r.stdout).toContain("Type détecté d'après les clés du modèle : avance"),
  },
  'xlsx2segur modele modele-portail.json --type avance --json': { check: (r) => expect(JSON.parse(r.stdout).identical).toBe(true) },
  'xlsx2segur retour reponse.json -o depot --workbook mes-commandes.xlsx': {
    before: (w) => portalAnswer(path.join(w, DEPOSITED), path.join(w, 'reponse.json'), ASP),
    check: (r, w) => {
      expect(r.stdout).toContain('demande 00001 acceptée, dossier FINBIO000006.');
      expect(fs.existsSync(path.join(w, 'depot/mes-commandes.retour.xlsx'))).toBe(true);
    },
  },
  'xlsx2segur retour reponse-1.json reponse-2.json -o depot --json': {
    before: (w) => {
      const [first, second] = jsonFiles(path.join(w, 'depot'));
      portalAnswer(path.join(w, 'depot', first), path.join(w, 'reponse-1.json'), ASP);
      portalAnswer(path.join(w, 'depot', second), path.join(w, 'reponse-2.json'), ASP);
    },
    check: (r) => expect(JSON.parse(r.stdout).lines.map((l: any) => [l.numeroEditeur, l.statut, l.numeroASP])).toEqual([
      ['00001', 'acceptee', 'FINBIO000006'],
      ['00002', 'acceptee', 'FINBIO000007'],
    ]),
  },
  'xlsx2segur journal -o depot': { check: (r) => expect(r.stdout).toContain('2 demandes exportées') },
  'xlsx2segur journal -o depot --payee FINBIO000006': { check: (r) => expect(r.stdout).toMatch(/^✓ FINBIO000006 \(demande 00001\) : avance payée.\n(Classeur de résultats mis à jour : .*\n)*$/) },
  'xlsx2segur solde --from depot -o soldes.xlsx': {
    check: (r, w) => {
      expect(r.stdout).toContain("soldes.xlsx — numéro ANS ANS0000001 : 1 avance payée, 1 acceptée non payée laissée de côté (--non-payees pour l'ajouter).");
      expect(fs.existsSync(path.join(w, 'soldes.xlsx'))).toBe(true);
    },
  },
  'xlsx2segur solde --from depot --non-payees -o soldes-toutes.xlsx': {
    check: (r) => expect(r.stdout).toContain('soldes-toutes.xlsx — numéro ANS ANS0000001 : 1 avance payée, 1 acceptée non payée (signalée).'),
  },
  'xlsx2segur ui -o depot': {
    serves: true,
    check: (r, w) => {
      expect(r.stdout).toContain(`xlsx2segur ui — dossier de dépôt ${fs.realpathSync(w)}/depot\nInterface ouverte à l'adresse : http://127.0.0.1:`);
      expect(r.stdout).not.toContain('Navigateur non ouvert');
      expect(r.stdout).toMatch(/Interface arrêtée\.\n$/);
    },
  },
  'xlsx2segur ui -o depot --no-open': {
    serves: true,
    check: (r) => expect(r.stdout).toMatch(/^xlsx2segur ui — .*\nInterface ouverte à l'adresse : http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/\n[^\n]+\nArrêt de l'interface…\nInterface arrêtée\.\n$/),
  },
};

describe('--help: every example works as shown', () => {
  it('the examples, run by a shell in the order of the work cycle, exit 0 and do what they say', async () => {
    const shown = new Set(['', ...COMMANDS].flatMap((c) => helpOf(c || undefined).examples));
    expect([...shown].sort()).toEqual(Object.keys(CYCLE).sort());
    const w = tmpDir('x2s-help-');
    const run = shellIn(w);
    // The browser ui opens is a program that does nothing here.
    const serve = serveThenStop(w, { BROWSER: '/bin/true' });
    for (const [line, step] of Object.entries(CYCLE)) {
      await step.before?.(w);
      const r = step.serves ? await serve(line) : run(line);
      expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
      step.check(r, w);
    }
  });
});

/** For each command, a real case of each exit code other than 0 (the examples give 0), and what it says. */
const CASES: Record<string, Partial<Record<1 | 2, { args: string[]; says: string }>>> = {
  template: { 2: { args: ['template', 'avance', '--mapping', 'absente.json'], says: '« absente.json » introuvable' } },
  convert: {
    1: { args: ['convert', 'avec-erreurs.xlsx', '-o', 'erreurs', '--date', '20261124'], says: 'rejetée' },
    2: { args: ['convert', 'pas-un-classeur.xlsx', 'mes-commandes.xlsx', '-o', 'illisible', '--date', '20261124'], says: 'pas-un-classeur.xlsx' },
  },
  validate: {
    1: { args: ['validate', 'avec-erreurs.xlsx', '-o', 'controle'], says: 'rejetée' },
    2: { args: ['validate', 'pas-un-classeur.xlsx', '-o', 'controle'], says: 'pas-un-classeur.xlsx' },
  },
  modele: {
    1: { args: ['modele', 'modele-portail.json', '--type', 'solde'], says: 'essayez --type avance' },
    2: { args: ['modele', 'pas-un-classeur.xlsx'], says: 'JSON invalide' },
  },
  retour: {
    1: { args: ['retour', 'inconnue.json', '-o', 'depot'], says: 'demande avance 09999 du numéro ANS ANS0000001 jamais exportée' },
    2: { args: ['retour', 'pas-un-classeur.xlsx', '-o', 'depot'], says: 'fichier de retour illisible' },
  },
  journal: {
    1: { args: ['journal', '-o', 'depot', '--payee', 'FINBIO999999'], says: 'FINBIO999999 : aucune avance acceptée' },
    2: { args: ['journal', '-o', 'vide'], says: 'Aucun journal dans vide' },
  },
  solde: {
    1: { args: ['solde', '--from', 'depot', '-o', 'rien.xlsx'], says: 'Aucune avance payée à solder' },
    2: { args: ['solde', '--from', 'absent'], says: 'absent : introuvable' },
  },
  ui: { 2: { args: ['ui', '--no-open', '-o', 'pas-un-classeur.xlsx'], says: "-o pas-un-classeur.xlsx : c'est un fichier, pas un dossier" } },
};

/** A folder with an exported avance (its journal), its deposited file as the portal's model, and bad files. */
function exitCodesFolder(): string {
  const w = tmpDir('x2s-codes-');
  for (const f of ['exemple-specification.xlsx', 'avec-erreurs.xlsx']) fs.copyFileSync(path.join(root, 'samples', f), path.join(w, f));
  fs.renameSync(path.join(w, 'exemple-specification.xlsx'), path.join(w, 'mes-commandes.xlsx'));
  expect(cli(['convert', 'mes-commandes.xlsx', '-o', 'depot', '--date', '20261124'], { cwd: w }).code).toBe(0);
  fs.copyFileSync(path.join(w, DEPOSITED), path.join(w, 'modele-portail.json'));
  const unknown = readJson(path.join(w, DEPOSITED));
  Object.assign(unknown.lignesImport[0], { numeroEditeur: '09999', codeTraitement: '0', libelleTraitement: 'Demande acceptée' });
  fs.writeFileSync(path.join(w, 'inconnue.json'), JSON.stringify(unknown));
  fs.writeFileSync(path.join(w, 'pas-un-classeur.xlsx'), 'ceci est un texte\n');
  fs.mkdirSync(path.join(w, 'vide'));
  return w;
}

describe('--help: each exit code shown is the one a real case gets', () => {
  it('codes 1 and 2 of every command, and 2 for a usage error, as each --help lists them', () => {
    const w = exitCodesFolder();
    for (const command of COMMANDS) {
      const listed = [...helpOf(command).exitCodes.keys()];
      expect(listed, command).toEqual([0, ...Object.keys(CASES[command]).map(Number)]);
      for (const [code, c] of Object.entries(CASES[command])) {
        const r = cli(c.args, { cwd: w });
        expect({ args: c.args, code: r.code }).toEqual({ args: c.args, code: Number(code) });
        expect(r.stdout + r.stderr, c.args.join(' ')).toContain(c.says);
      }
      const usage = cli([command, '--inconnue'], { cwd: w });
      expect([command, usage.code, usage.stderr]).toEqual([command, 2, expect.stringContaining("Erreur d'utilisation")]);
    }
    // The accepted demande of a batch with an unreadable file is written all the same (code 2).
    expect(jsonFiles(path.join(w, 'illisible'))).toEqual(['JSON-ANS0000001-20261124-001.json']);
    expect(fs.existsSync(path.join(w, 'rien.xlsx'))).toBe(false);
    expect([...helpOf().exitCodes.keys()]).toEqual([0, 1, 2]);
  });
});
