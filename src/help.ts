import type { Argv } from 'yargs';

/**
 * What each --help shows besides the options: two examples, which must work as shown (test/help.test.ts
 * runs them), and the exit codes of the command, as the README's « Codes de sortie » table gives them.
 */
export interface CommandHelp {
  examples: [command: string, description: string][];
  /** What each code means for this command; code 2 also means a usage error (USAGE_ERROR). */
  exitCodes: { 0: string; 1?: string; 2: string };
}

/** Every command exits with 2 on a usage error too: the epilog says so after the code 2 of the command. */
export const USAGE_ERROR = 'une erreur d\'utilisation (commande ou option inconnue, valeur invalide)';

export const HELP = {
  xlsx2segur: {
    examples: [
      ['$0 template avance -o mes-commandes.xlsx', 'Écrit le classeur d\'avance à remplir : le début du cycle de travail'],
      ['$0 convert --help', 'L\'aide d\'une commande : ses options, deux exemples et ses codes de sortie'],
    ],
    exitCodes: {
      0: 'rien ne demande votre intervention : les demandes sont exportées, ou déjà exportées, acceptées, payées ; le modèle concorde ; chaque réponse et chaque numéro de dossier sont enregistrés ; le classeur est écrit',
      1: 'des demandes sont à reprendre, rejetées par nos contrôles ou par l\'ASP (les autres sont tout de même écrites), le modèle diffère, une réponse ou un numéro de dossier n\'est pas pris en compte, ou aucune avance à solder',
      2: `un fichier illisible (les autres sont tout de même traités), pas de journal dans le dossier, un dossier de dépôt occupé par une autre commande`,
    },
  },
  template: {
    examples: [
      ['$0 template avance -o mes-commandes.xlsx', 'Écrit le classeur d\'avance à remplir dans mes-commandes.xlsx'],
      ['$0 template solde', 'Écrit le classeur de solde à remplir, solde-bio-sgl.xlsx, dans le dossier courant'],
    ],
    exitCodes: {
      0: 'le classeur modèle est écrit',
      2: `correspondance (--mapping) introuvable ou invalide, fichier impossible à écrire`,
    },
  },
  convert: {
    examples: [
      ['$0 convert mes-commandes.xlsx -o depot --date 20261124', 'Écrit dans depot/ les fichiers JSON à déposer le 24/11/2026, le classeur de résultats et le journal'],
      ['$0 convert "commandes/*.xlsx" -o depot --json', 'Tous les classeurs du motif, déposés aujourd\'hui ; rapport JSON sur la sortie standard'],
    ],
    exitCodes: {
      0: 'aucune demande n\'est à reprendre : chacune est exportée, ou déjà exportée, acceptée, payée ou refusée',
      1: 'des demandes sont rejetées (par nos contrôles ou par l\'ASP), ou une erreur ne touche aucune demande (ligne sans demande, en-tête) ; les autres sont tout de même écrites',
      2: `un fichier d'entrée illisible (pas un classeur, feuille ou colonne obligatoire absente…), les autres classeurs étant tout de même traités ; un classeur de résultats impossible à remplacer ; un fichier JSON, un \`.zip\` ou le journal impossible à écrire (les fichiers déjà écrits par cette conversion sont alors retirés) ; dossier de dépôt occupé par une autre commande`,
    },
  },
  validate: {
    examples: [
      ['$0 validate mes-commandes.xlsx -o controle', 'Écrit controle/mes-commandes.resultats.xlsx, sans fichier JSON'],
      ['$0 validate commandes --pj pieces -o controle', 'Tous les classeurs du dossier commandes, et leurs pièces justificatives cherchées dans pieces'],
    ],
    exitCodes: {
      0: 'aucune demande n\'est à reprendre : chacune est valide, ou déjà exportée, acceptée, payée ou refusée',
      1: 'des demandes sont rejetées (par nos contrôles ou par l\'ASP), ou une erreur ne touche aucune demande (ligne sans demande, en-tête)',
      2: `un fichier d'entrée illisible (pas un classeur, feuille ou colonne obligatoire absente…), les autres classeurs étant tout de même traités ; un classeur de résultats impossible à remplacer ; dossier de dépôt occupé par une autre commande`,
    },
  },
  modele: {
    examples: [
      ['$0 modele modele-portail.json', 'Compare le modèle téléchargé sur le portail à la correspondance de son type, reconnu d\'après ses clés'],
      ['$0 modele modele-portail.json --type avance --json', 'Le compare à la correspondance d\'avance ; résultat lisible par une machine'],
    ],
    exitCodes: {
      0: 'le modèle a la structure de la correspondance',
      1: 'les structures diffèrent',
      2: `modèle illisible (JSON invalide, pas un objet), correspondance invalide`,
    },
  },
  retour: {
    examples: [
      ['$0 retour reponse.json -o depot --workbook mes-commandes.xlsx', 'Enregistre les réponses de l\'ASP dans le journal de depot/ et écrit depot/mes-commandes.retour.xlsx'],
      ['$0 retour reponse-1.json reponse-2.json -o depot --json', 'Plusieurs fichiers rendus par le portail ; résultat lisible par une machine'],
    ],
    exitCodes: {
      0: 'chaque ligne est rapprochée d\'une demande exportée et sa réponse enregistrée (ou l\'était déjà)',
      1: 'une ligne n\'est pas prise en compte, les autres le sont : elle ne correspond à aucune demande exportée (numéro jamais exporté, autre numLigne, contenu changé, pas de réponse de l\'ASP, numéro de dossier déjà attribué à une autre demande) ou elle contredit une réponse déjà enregistrée (conflit)',
      2: `un fichier ou une ligne de retour illisible (JSON invalide, pas un fichier de retour, numeroASP qui n'est pas FINBIO suivi de 6 chiffres), les autres étant tout de même traités ; pas de journal dans le dossier, classeur de résultats ou copie impossible à écrire, dossier occupé par une autre commande`,
    },
  },
  journal: {
    examples: [
      ['$0 journal -o depot', 'Liste les demandes exportées dans depot/ et leur état'],
      ['$0 journal -o depot --payee FINBIO000006', 'Enregistre le paiement de l\'avance du dossier FINBIO000006'],
    ],
    exitCodes: {
      0: 'la liste est affichée, ou chaque numéro de dossier est enregistré',
      1: 'un numéro n\'est pas un numéro de dossier ASP, ou aucune avance acceptée du journal ne le porte : il est ignoré, les autres sont enregistrés',
      2: `pas de journal dans le dossier, fichier de numéros illisible, classeur de résultats impossible à mettre à jour, dossier occupé par une autre commande (--payee, --refusee)`,
    },
  },
  solde: {
    examples: [
      ['$0 solde --from depot -o soldes.xlsx', 'Écrit soldes.xlsx, pré-rempli pour chaque avance payée du journal de depot/'],
      ['$0 solde --from depot --non-payees -o soldes-toutes.xlsx', 'Y ajoute les avances acceptées mais pas encore payées, signalées'],
    ],
    exitCodes: {
      0: 'le classeur de solde est écrit',
      1: 'aucune avance à solder (aucune payée, ou un classeur d\'avance sans numéro de dossier connu) : rien n\'est écrit',
      2: `--from introuvable, pas de journal, classeur d'avance illisible, dossier du journal occupé par une autre commande`,
    },
  },
  ui: {
    examples: [
      ['$0 ui -o depot', 'Ouvre dans le navigateur la page de travail du dossier depot/ : déposer les classeurs, voir les problèmes, exporter'],
      ['$0 ui -o depot --no-open', 'Affiche seulement l\'adresse de la page, à ouvrir dans le navigateur de son choix'],
    ],
    exitCodes: {
      0: 'l\'interface s\'est arrêtée (Ctrl-C)',
      2: 'le dossier de dépôt indiqué est un fichier, ou le serveur local n\'a pas pu démarrer',
    },
  },
} satisfies Record<string, CommandHelp>;

export type HelpTopic = keyof typeof HELP;

/** The epilog of a --help: « Codes de sortie : » then one line per code. */
export function exitCodesEpilog(help: CommandHelp): string {
  const lines = Object.entries(help.exitCodes).map(([code, text]) => `  ${code}  ${code === '2' ? `${text}, ou ${USAGE_ERROR}` : text}`);
  return ['Codes de sortie :', ...lines].join('\n');
}

/** Adds a command's (or the top level's) examples and exit codes to its --help. */
export function withHelp<T>(y: Argv<T>, topic: HelpTopic): Argv<T> {
  const help: CommandHelp = HELP[topic];
  for (const [command, description] of help.examples) y = y.example(command, description);
  return y.epilog(exitCodesEpilog(help));
}
