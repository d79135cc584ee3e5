/**
 * The catalogue of problems: every problem the tool reports has a stable code, a severity and a French
 * message template. Placeholders {name} are filled from the issue's parameters.
 */
export type Severity = 'erreur' | 'avertissement';

export const catalogue = {
  // Files and structure
  FICHIER_ILLISIBLE: { severity: 'erreur', template: 'Fichier illisible : {detail}' },
  FEUILLE_ABSENTE: { severity: 'erreur', template: 'Feuille « {sheet} » absente du classeur.' },
  COLONNE_ABSENTE: { severity: 'erreur', template: 'Colonne obligatoire « {label} ({field}) » absente de la feuille « {sheet} ».' },
  COLONNE_EN_DOUBLE: { severity: 'erreur', template: 'La colonne {field} apparaît deux fois dans la feuille « {sheet} » (colonnes {columns}).' },
  ENTETE_LIGNES: { severity: 'erreur', template: 'La feuille « {sheet} » doit contenir exactement une ligne de données (ici {count}).' },
  ENTETE_BLOQUANTE: { severity: 'erreur', template: 'Bloquée par l\'erreur {codes} de la feuille « {sheet} », cellule {cells} : voir cette cellule.' },
  // Values
  VALEUR_REQUISE: { severity: 'erreur', template: '{label} ({field}) est obligatoire.' },
  REQUIS_SI: { severity: 'erreur', template: '{label} ({field}) est obligatoire quand {condition}.' },
  VALEUR_IGNOREE: { severity: 'avertissement', template: '{label} ({field}) doit rester vide sauf quand {condition} : la valeur « {value} » est ignorée et null est écrit.' },
  LONGUEUR_EXACTE: { severity: 'erreur', template: '{field} doit compter exactement {expected} caractères (« {value} » en compte {actual}).' },
  LONGUEUR_MAX: { severity: 'erreur', template: '{field} doit compter moins de {limit} caractères (ici {actual}).' },
  FORMAT_INVALIDE: { severity: 'erreur', template: '{field} : « {value} » n\'a pas le format attendu ({hint}).' },
  EMAIL_INVALIDE: { severity: 'erreur', template: '{field} : « {value} » n\'est pas une adresse électronique valide.' },
  MAJUSCULES: { severity: 'avertissement', template: '{field} s\'écrit en majuscules : « {value} » est écrit « {fixed} » dans le fichier JSON (saisissez « {fixed} » pour ne plus voir cet avertissement).' },
  IDENTIFIANT_COMPLETE: { severity: 'avertissement', template: '{field} : le nombre {value} a perdu ses zéros de tête dans le tableur ; il est lu « {fixed} ».' },
  NOMBRE_IMPRECIS: { severity: 'erreur', template: '{field} : la cellule contient un nombre ({value}) affiché en notation scientifique ou trop grand pour être exact ; saisissez l\'identifiant comme texte.' },
  DATE_INVALIDE: { severity: 'erreur', template: '{field} : « {value} » n\'est pas une date valide au format JJ/MM/AAAA.' },
  DATE_FUTURE: { severity: 'erreur', template: '{field} : la date {value} est postérieure à la date de dépôt ({deposit}).' },
  MONTANT_INVALIDE: { severity: 'erreur', template: '{field} : « {value} » n\'est pas un montant valide (exemples acceptés : 27450,00 ou 27 450,00 €).' },
  MONTANT_DECIMALES: { severity: 'erreur', template: '{field} : « {value} » a plus de deux décimales ; il n\'est jamais arrondi, corrigez-le.' },
  MONTANT_NON_POSITIF: { severity: 'erreur', template: '{field} doit être strictement positif (ici {value}).' },
  MONTANT_TROP_GRAND: { severity: 'erreur', template: '{field} : {value} dépasse le plus grand montant accepté ({max}) : vérifiez la cellule (un nombre collé ou un exposant ?).' },
  CARACTERE_INTERDIT: { severity: 'erreur', template: '{field} : « {value} » contient un caractère invisible qui ne peut pas aller dans le fichier JSON ({char}) ; retapez la cellule.' },
  TEXTE_SUR_UNE_LIGNE: { severity: 'avertissement', template: '{field} : les tabulations et retours à la ligne de « {value} » sont remplacés par des espaces : « {fixed} » est écrit dans le fichier JSON.' },
  BOOLEEN_INVALIDE: { severity: 'erreur', template: '{field} : « {value} » n\'est pas une réponse valide (OUI ou NON).' },
  VALEUR_HORS_LISTE: { severity: 'erreur', template: '{field} : « {value} » n\'est pas une valeur permise ({allowed}).' },
  CODE_INCONNU: { severity: 'erreur', template: '{field} : « {value} » n\'est pas un code de la liste des opérateurs (section 4 de la spécification).' },
  CELLULE_EN_ERREUR: { severity: 'erreur', template: '{field} : la cellule contient une erreur de formule ({value}).' },
  // Join
  NUMERO_EDITEUR_DOUBLON: { severity: 'erreur', template: 'Le numéro éditeur {value} est utilisé par plusieurs demandes ({where}).' },
  VALEUR_DOUBLON_LOT: { severity: 'erreur', template: '{field} : « {value} » est utilisé par plusieurs demandes du lot ({where}).' },
  VALEUR_DOUBLON: { severity: 'erreur', template: '{field} : « {value} » apparaît plusieurs fois dans la demande ({where}).' },
  LIGNE_ORPHELINE: { severity: 'erreur', template: 'Aucune demande de numéro éditeur {value} dans la feuille « {main} » : cette ligne n\'est rattachée à rien.' },
  LIGNES_MANQUANTES: { severity: 'erreur', template: 'La demande {demande} doit avoir au moins {min|ligne|lignes} dans la feuille « {sheet} » (ici {count}).' },
  LIGNES_EN_TROP: { severity: 'erreur', template: 'La demande {demande} doit avoir au plus {max|ligne|lignes} dans la feuille « {sheet} » (ici {count}, lignes {rows}).' },
  GROUPE_INCOHERENT: { severity: 'erreur', template: '{field} diffère entre les lignes de {by} {group} (« {value} » ici, « {other} » ligne {otherRow}) : une structure n\'a qu\'une valeur.' },
  // Cross-field rules
  SIRET_INVALIDE: { severity: 'erreur', template: 'SIRET « {value} » invalide : sa clé de contrôle est fausse.' },
  COMBINAISON_INTERDITE: { severity: 'erreur', template: '{message}' },
  NOMBRE_GROUPES: { severity: 'erreur', template: '{field} = {flag} demande {expected} {by} distinct{several|| s} dans la feuille « {sheet} » (ici {count}).' },
  PJ_NOM_INCORRECT: { severity: 'erreur', template: 'nomFichier « {value} » ne suit pas la nomenclature : attendu « {expected} ».' },
  PJ_TYPE_MANQUANT: { severity: 'erreur', template: 'La demande {demande} doit avoir exactement une pièce {type} (ici aucune).' },
  PJ_TYPE_EN_DOUBLE: { severity: 'erreur', template: 'La demande {demande} a {count} pièces {type} (lignes {rows}) : une seule par type.' },
  PJ_CONSEIL: { severity: 'avertissement', template: '{message}' },
  PROFIL_NON_DECLARE: { severity: 'avertissement', template: 'Profil « {profile} » non déclaré dans la feuille « {sheet} » (colonne {profileField}) : {needing} {field} = {value}, ce qui demande que le logiciel soit référencé avec ce profil (première : demande {first}). Déclarez-le (OUI) s\'il l\'est.' },
  PROFIL_A_DECLARER: { severity: 'avertissement', template: '{field} = {value} : profil « {profile} » non déclaré, voir la feuille « {sheet} », cellule {cell}.' },
  // Journal: nothing submitted twice; solde against its avance
  DEJA_EXPORTEE_MODIFIEE: { severity: 'erreur', template: 'La demande {demande} ({kind}) a été exportée dans {file}, ligne {numLigne}, le {date} ({state}) et l\'ASP détient cette version ; elle a changé depuis : {changes}. Remettez les valeurs exportées : une demande déposée ne se corrige pas par un second dépôt (--force l\'exporterait une seconde fois).' },
  EXPORT_FORCE: { severity: 'avertissement', template: 'La demande {demande} ({kind}) avait déjà été exportée dans {file}, ligne {numLigne}, le {date} : --force l\'exporte une seconde fois.' },
  FICHIER_EXPORTE_ABSENT: { severity: 'avertissement', template: 'La demande {demande} ({kind}) a été exportée dans {file}, ligne {numLigne}, le {date} ; ce fichier n\'est plus dans le dossier {dir}. État dans le journal : {state}. Elle n\'est pas exportée à nouveau ; si ce fichier n\'a pas été déposé sur le portail, retrouvez-le (ou --force pour l\'exporter une seconde fois).' },
  RENUMEROTEE: { severity: 'avertissement', template: 'Avance rejetée par l\'ASP sous le numéro {old} : resoumise sous le numéro {new} (les noms des pièces suivent).' },
  SOLDE_AVANCE_INCONNUE: { severity: 'avertissement', template: 'Le dossier {value} n\'est pas dans le journal : la facture n\'a pas pu être comparée à la commande de l\'avance.' },
  SOLDE_AVANCE_AUTRE_NUMERO: { severity: 'erreur', template: 'Le dossier {value} est celui de l\'avance de numéro éditeur {expected}, pas {demande} : le solde garde le numéro éditeur de son avance.' },
  SOLDE_AVANCE_AUTRE_ANS: { severity: 'erreur', template: 'Le dossier {value} a été demandé sous le numéro ANS {expected}, pas {numeroAns}.' },
  SOLDE_MONTANT_SUPERIEUR: { severity: 'erreur', template: 'Montant facturé {value} supérieur au montant de la commande déclaré à l\'avance ({expected}).' },
  SOLDE_FINESS_HORS_AVANCE: { severity: 'avertissement', template: 'Le FINESS géographique {value} ne figurait pas dans la demande d\'avance {numeroASP}.' },
  SOLDE_AVANCE_NON_PAYEE: { severity: 'avertissement', template: 'L\'avance {value} n\'est pas connue comme payée ({state}) : un solde ne peut être déposé qu\'une fois l\'avance payée (xlsx2segur journal --payee {value}).' },
  SOLDE_AVANCE_REFUSEE: { severity: 'erreur', template: 'L\'avance {value} a été refusée par l\'ASP : pas de solde possible.' },
  // Supporting documents on disk (convert --pj)
  PJ_ABSENTE: { severity: 'erreur', template: 'Pièce « {value} » introuvable dans le dossier de pièces justificatives « {dir} » (--pj).' },
  PJ_CHEMIN_HORS_DOSSIER: { severity: 'erreur', template: 'Pièce « {value} » : le chemin sort du dossier de pièces justificatives « {dir} » (chemin absolu, « .. » ou lien symbolique) ; il est refusé.' },
  PJ_VIDE: { severity: 'erreur', template: 'Pièce « {value} » : le fichier est vide.' },
  PJ_TROP_GROSSE: { severity: 'erreur', template: 'Pièce « {value} » : {size} octets, au-delà des 3 Mo permis ({max} octets).' },
  PJ_FORMAT_REEL: { severity: 'erreur', template: 'Pièce « {value} » : son contenu est au format {real}, alors que formatFichier dit {format} (extension : {ext}).' },
  NUMERO_ANS_SIRET_DIFFERENTS: { severity: 'erreur', template: 'Le numéro ANS {numeroAns} est associé à deux SIRET différents ({siret} et {other}) : les classeurs ne sont pas fusionnés.' },
  SIRET_AUTRE_DANS_JOURNAL: { severity: 'avertissement', template: 'Le numéro ANS {numeroAns} a déjà été exporté avec le SIRET {other} ({file}) et non {siret} : vérifiez le SIRET (un changement d\'établissement change le SIRET).' },
} as const satisfies Record<string, { severity: Severity; template: string }>;

export type IssueCode = keyof typeof catalogue;

/**
 * Fills a template: {name} is the parameter; {name|one|many} is `one` or `many` after the number `name`
 * ({count|ligne|lignes} → "1 ligne", "3 lignes"), or, with an empty `one`, only the ending
 * (distinct{count|| s}... without the number: "distinct", "distincts").
 */
export function renderMessage(code: IssueCode, params: Record<string, unknown>): string {
  return catalogue[code].template.replace(/\{(\w+)(?:\|([^|}]*)\|([^}]*))?\}/g, (_, k: string, one?: string, many?: string) => {
    const v = params[k];
    if (one === undefined) return v === undefined || v === null ? '' : String(v);
    const n = Number(v);
    if (!one) return n > 1 ? many!.trim() : '';
    return `${v} ${n > 1 ? many : one}`;
  });
}
