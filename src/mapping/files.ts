import fs from 'node:fs';

/** The text of a mapping file or of a code list it names, read from disk; files.browser.ts holds them in the page. */
export function readMappingFile(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
