import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runConvert } from './commands/convert.js';
import { runTemplate } from './commands/template.js';
import { runModele } from './commands/modele.js';
import { UserError } from './util/errors.js';

/** The command line: parses arguments and calls a command; nothing else lives here. */
async function main(argv: string[]): Promise<number> {
  let code = 0;
  const convertOptions = (y: ReturnType<typeof yargs>) =>
    y
      .positional('inputs', { describe: 'Classeurs .xlsx, dossiers ou motifs (glob)', type: 'string', array: true })
      .option('o', { alias: 'out', describe: 'Dossier de sortie', type: 'string', default: 'out' })
      .option('date', { describe: 'Date de dépôt sur le portail, AAAAMMJJ (défaut : aujourd\'hui)', type: 'string' })
      .option('json', { describe: 'Rapport lisible par une machine sur la sortie standard', type: 'boolean', default: false })
      .option('mapping', { describe: 'Fichier de correspondance à utiliser à la place de celui fourni', type: 'string' });
  await yargs(argv)
    .scriptName('xlsx2segur')
    .locale('fr')
    .usage('$0 <commande> [options]\n\nConvertit des classeurs Excel en fichiers JSON de demandes de financement Ségur numérique (BIO-SGL).')
    .command(
      'template <type>',
      'Écrit le classeur modèle à remplir (type : avance)',
      (y) =>
        y
          .positional('type', { describe: 'Type de demande', choices: ['avance'] as const, type: 'string', demandOption: true })
          .option('o', { alias: 'out', describe: 'Fichier .xlsx à écrire (défaut : <type>-bio-sgl.xlsx)', type: 'string' })
          .option('mapping', { describe: 'Fichier de correspondance à utiliser', type: 'string' }),
      async (a) => {
        await runTemplate({ kind: a.type as string, out: a.o, mapping: a.mapping });
      },
    )
    .command(
      'convert <inputs..>',
      'Vérifie les classeurs, écrit les fichiers JSON à déposer et un classeur de résultats par classeur',
      (y) =>
        convertOptions(y).option('sequence', {
          describe: 'Premier numéro de fichier du jour (NNN), pour suivre des fichiers déposés d\'ailleurs',
          type: 'number',
        }),
      async (a) => {
        const r = await runConvert({ inputs: a.inputs as string[], outDir: a.o, date: a.date, json: a.json, mapping: a.mapping, sequence: a.sequence });
        code = r.exitCode;
      },
    )
    .command(
      'validate <inputs..>',
      'Vérifie les classeurs et écrit les classeurs de résultats, sans fichier JSON',
      (y) => convertOptions(y),
      async (a) => {
        const r = await runConvert({ inputs: a.inputs as string[], outDir: a.o, date: a.date, json: a.json, mapping: a.mapping, dryRun: true });
        code = r.exitCode;
      },
    )
    .command(
      'modele <model>',
      'Compare la structure du modèle JSON téléchargé sur le portail avec la correspondance',
      (y) =>
        y
          .positional('model', { describe: 'Fichier modèle JSON du portail', type: 'string', demandOption: true })
          .option('mapping', { describe: 'Fichier de correspondance à comparer (défaut : avance)', type: 'string' })
          .option('json', { describe: 'Résultat lisible par une machine', type: 'boolean', default: false }),
      (a) => {
        code = runModele({ model: a.model as string, mapping: a.mapping, json: a.json });
      },
    )
    .demandCommand(1, 'Indiquez une commande : template, convert, validate ou modele.')
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

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`Erreur : ${e.message}\n`);
    } else {
      process.stderr.write(`Erreur inattendue : ${(e as Error)?.stack ?? String(e)}\n`);
    }
    process.exitCode = 2;
  },
);
