import avance from '../../mappings/avance-bio-sgl.json';
import solde from '../../mappings/solde-bio-sgl.json';
import operateurs from '../../mappings/listes/operateurs-messagerie.json';

/** The mappings the page is built with (util/paths.browser.ts names their folder /mappings). */
const FILES: Record<string, unknown> = {
  '/mappings/avance-bio-sgl.json': avance,
  '/mappings/solde-bio-sgl.json': solde,
  '/mappings/listes/operateurs-messagerie.json': operateurs,
};

export function readMappingFile(file: string): string {
  if (!(file in FILES)) throw new Error(`${file} : correspondance absente de la page`);
  return JSON.stringify(FILES[file]);
}
