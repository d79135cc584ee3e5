/**
 * French sentences for the faults of the file system: a fault names its path, what could not be done and
 * what to do, never a stack. Undefined for anything that is not such a fault (a true bug).
 */
const CAUSES: Record<string, [cause: string, advice: string]> = {
  EACCES: ['accès refusé', 'vérifiez les droits sur ce fichier ou ce dossier, ou choisissez-en un autre'],
  EPERM: ['opération refusée par le système (fichier verrouillé, ouvert ailleurs, ou droits insuffisants)', 'fermez le programme qui l\'utilise, ou vérifiez les droits'],
  EROFS: ['le disque est en lecture seule', 'choisissez un dossier sur un disque où l\'on peut écrire'],
  ENOSPC: ['le disque est plein', 'libérez de la place ou choisissez un autre dossier'],
  EDQUOT: ['quota disque dépassé', 'libérez de la place ou choisissez un autre dossier'],
  EFBIG: ['fichier trop gros pour ce disque ou cette session (limite de taille des fichiers)', 'levez la limite (ulimit -f) ou choisissez un autre disque'],
  EEXIST: ['un fichier de ce nom existe déjà', 'choisissez un autre nom ou déplacez ce fichier'],
  ENOTDIR: ['un fichier se trouve là où un dossier est attendu', 'indiquez un dossier'],
  EISDIR: ['un dossier se trouve là où un fichier est attendu', 'indiquez un fichier, ou déplacez ce dossier'],
  ENOENT: ['introuvable', 'vérifiez le chemin'],
  EBUSY: ['fichier occupé (ouvert dans un autre programme ?)', 'fermez-le puis relancez'],
  EMFILE: ['trop de fichiers ouverts à la fois', 'relancez avec moins d\'entrées à la fois'],
  ENFILE: ['trop de fichiers ouverts sur le système', 'relancez plus tard'],
  EIO: ['erreur de lecture ou d\'écriture du disque', 'vérifiez le disque (clé USB retirée ? partage réseau coupé ?)'],
  ENAMETOOLONG: ['nom de fichier trop long', 'raccourcissez le chemin'],
  ELOOP: ['trop de liens symboliques', 'vérifiez le chemin'],
  ENXIO: ['ni un fichier ordinaire ni un dossier (tube, périphérique…)', 'indiquez un fichier ordinaire'],
};

const ACTIONS: Record<string, string> = {
  open: 'ouverture',
  read: 'lecture',
  write: 'écriture',
  rename: 'écriture',
  link: 'écriture',
  copyfile: 'copie',
  mkdir: 'création du dossier',
  scandir: 'lecture du dossier',
  stat: 'lecture',
  lstat: 'lecture',
  unlink: 'suppression',
  rmdir: 'suppression',
};

export function ioMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const known = err?.code ? CAUSES[err.code] : undefined;
  if (!known) return undefined;
  const where = err!.path ?? 'fichier';
  const action = ACTIONS[err!.syscall ?? ''] ?? 'accès';
  return `${where} : ${action} impossible : ${known[0]} ; ${known[1]}.`;
}
