import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError } from './util/errors.js';
import { ioMessage } from './util/io-errors.js';
import { withHelp } from './help.js';

/**
 * The command line: parses arguments and calls a command; nothing else lives here. Each command is loaded
 * when it is called: convert does not pay for loading exceljs, which only the other commands use.
 */
async function main(argv: string[]): Promise<number> {
  let code = 0;
  const convertOptions = (y: ReturnType<typeof yargs>) =>
    y
      .positional('inputs', { describe: 'Classeurs .xlsx, dossiers ou motifs (glob)', type: 'string', array: true })
      .option('o', { alias: 'out', describe: 'Dossier de sortie', type: 'string', default: 'out' })
      .option('date', { describe: 'Date de dépôt sur le portail, AAAAMMJJ (défaut : aujourd\'hui)', type: 'string' })
      .option('json', { describe: 'Rapport lisible par une machine sur la sortie standard', type: 'boolean', default: false })
      .option('mapping', { describe: 'Fichier de correspondance à utiliser à la place de celui fourni', type: 'string' })
      .option('quiet', { alias: 'q', describe: 'Pas de barre de progression', type: 'boolean', default: false })
      .option('pj', { describe: 'Dossier des pièces justificatives : les vérifie (et, pour convert, construit un .zip à côté de chaque fichier JSON)', type: 'string' });
  await withHelp(yargs(argv), 'xlsx2segur')
    .scriptName('xlsx2segur')
    .locale('fr')
    .usage('$0 <commande> [options]\n\nConvertit des classeurs Excel en fichiers JSON de demandes de financement Ségur numérique (BIO-SGL).')
    .command(
      'template <type>',
      'Écrit le classeur modèle à remplir (type : avance ou solde)',
      (y) =>
        withHelp(y, 'template')
          .positional('type', { describe: 'Type de demande', choices: ['avance', 'solde'] as const, type: 'string', demandOption: true })
          .option('o', { alias: 'out', describe: 'Fichier .xlsx à écrire (défaut : <type>-bio-sgl.xlsx)', type: 'string' })
          .option('mapping', { describe: 'Fichier de correspondance à utiliser', type: 'string' }),
      async (a) => {
        await (await import('./commands/template.js')).runTemplate({ kind: a.type as string, out: a.o, mapping: a.mapping });
      },
    )
    .command(
      'convert <inputs..>',
      'Vérifie les classeurs, écrit les fichiers JSON à déposer et un classeur de résultats par classeur',
      (y) =>
        convertOptions(withHelp(y, 'convert'))
          .option('sequence', {
            describe: 'Premier numéro de fichier du jour (NNN), pour suivre des fichiers déposés d\'ailleurs',
            type: 'number',
          })
          .option('force', { describe: 'Exporte même les demandes que le journal dit déjà exportées', type: 'boolean', default: false })
          .option('renumber', { describe: 'Donne aux avances rejetées par l\'ASP le prochain numéro éditeur libre', type: 'boolean', default: false }),
      async (a) => {
        const r = await (await import('./commands/convert.js')).runConvert({ inputs: a.inputs as string[], outDir: a.o, date: a.date, json: a.json, mapping: a.mapping, sequence: a.sequence, force: a.force, renumber: a.renumber, pj: a.pj, quiet: a.quiet });
        code = r.exitCode;
      },
    )
    .command(
      'validate <inputs..>',
      'Vérifie les classeurs et écrit les classeurs de résultats, sans fichier JSON',
      (y) => convertOptions(withHelp(y, 'validate')),
      async (a) => {
        const r = await (await import('./commands/convert.js')).runConvert({ inputs: a.inputs as string[], outDir: a.o, date: a.date, json: a.json, mapping: a.mapping, dryRun: true, pj: a.pj, quiet: a.quiet });
        code = r.exitCode;
      },
    )
    .command(
      'modele <model>',
      'Compare la structure du modèle JSON téléchargé sur le portail avec la correspondance',
      (y) =>
        withHelp(y, 'modele')
          .positional('model', { describe: 'Fichier modèle JSON du portail', type: 'string', demandOption: true })
          .option('mapping', { describe: 'Fichier de correspondance à comparer (défaut : celle du type --type, ou du type reconnu)', type: 'string' })
          .option('type', { describe: 'Type de demande du modèle (défaut : reconnu d\'après les clés du modèle)', choices: ['avance', 'solde'] as const })
          .option('json', { describe: 'Résultat lisible par une machine', type: 'boolean', default: false }),
      async (a) => {
        code = (await import('./commands/modele.js')).runModele({ model: a.model as string, mapping: a.mapping, kind: a.type, json: a.json });
      },
    )
    .command(
      'retour <files..>',
      'Enregistre les réponses de l\'ASP (fichiers JSON rendus par le portail) dans le journal',
      (y) =>
        withHelp(y, 'retour')
          .positional('files', { describe: 'Fichiers JSON de retour du portail', type: 'string', array: true })
          .option('o', { alias: 'out', describe: 'Dossier de sortie de convert (celui du journal)', type: 'string', default: 'out' })
          .option('workbook', { describe: 'Classeur dont écrire une copie montrant les réponses de l\'ASP', type: 'string' })
          .option('json', { describe: 'Résultat lisible par une machine', type: 'boolean', default: false }),
      async (a) => {
        code = await (await import('./commands/retour.js')).runRetour({ files: a.files as string[], outDir: a.o, workbook: a.workbook, json: a.json });
      },
    )
    .command(
      'journal',
      'Liste les demandes exportées et leur état ; enregistre les paiements et refus de l\'ASP',
      (y) =>
        withHelp(y, 'journal')
          .option('o', { alias: 'out', describe: 'Dossier de sortie de convert (celui du journal)', type: 'string', default: 'out' })
          .option('payee', { describe: 'Numéros de dossier (FINBIO…) des avances payées, ou fichier d\'une colonne', type: 'string', array: true })
          .option('refusee', { describe: 'Numéros de dossier (FINBIO…) des avances refusées, ou fichier d\'une colonne', type: 'string', array: true })
          .option('json', { describe: 'Liste lisible par une machine', type: 'boolean', default: false }),
      async (a) => {
        code = await (await import('./commands/journal.js')).runJournal({ dir: a.o, payee: a.payee, refusee: a.refusee, json: a.json });
      },
    )
    .command(
      'solde',
      'Écrit un classeur de solde pré-rempli pour chaque avance payée',
      (y) =>
        withHelp(y, 'solde')
          .option('from', { describe: 'Dossier de sortie de convert, journal, ou classeur d\'avance', type: 'string', demandOption: true })
          .option('o', { alias: 'out', describe: 'Classeur de solde à écrire (défaut : solde-bio-sgl.xlsx)', type: 'string' })
          .option('non-payees', { describe: 'Ajoute les avances acceptées mais pas encore payées, signalées', type: 'boolean', default: false }),
      async (a) => {
        code = await (await import('./commands/solde.js')).runSolde({ from: a.from, out: a.o, nonPayees: a['non-payees'] as boolean });
      },
    )
    .command(
      'ui',
      'Ouvre l\'interface dans le navigateur : toutes les commandes sur une page, sur cette machine seulement',
      (y) =>
        withHelp(y, 'ui')
          .option('o', { alias: 'out', describe: 'Dossier de dépôt (celui du journal et des classeurs de résultats)', type: 'string', default: 'out' })
          .option('open', { describe: 'Ouvre le navigateur (--no-open : affiche seulement l\'adresse)', type: 'boolean', default: true }),
      async (a) => {
        code = await (await import('./ui/command.js')).runUi({ outDir: a.o, open: a.open });
      },
    )
    .demandCommand(1, 'Indiquez une commande : template, convert, validate, modele, retour, journal, solde ou ui.')
    .strict()
    .help('help')
    .alias('h', 'help')
    .version()
    .wrap(null)
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`Erreur d'utilisation : ${msg}\nVoir : xlsx2segur --help\n`);
      process.exit(2);
    })
    .parseAsync();
  return code;
}

// Output piped into a program that stops reading (`| head`): the rest is not wanted, the run ends quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const io = ioMessage(e);
    if (e instanceof UserError) {
      process.stderr.write(`Erreur : ${e.message}\n`);
    } else if (io) {
      process.stderr.write(`Erreur : ${io}\n`);
    } else {
      process.stderr.write(`Erreur inattendue : ${(e as Error)?.stack ?? String(e)}\n`);
    }
    process.exitCode = 2;
  },
);
