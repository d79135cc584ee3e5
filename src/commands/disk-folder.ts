import fs from 'node:fs';
import path from 'node:path';
import type { DepositFolder } from '../journal/folder.js';

/** The deposit folder on disk, as the journal's checks see it; its listing read once, when first asked. */
export function diskFolder(dir: string): DepositFolder {
  let names: string[] | undefined;
  return {
    where: dir,
    names() {
      if (!names) {
        try {
          names = fs.readdirSync(dir);
        } catch {
          names = []; // no folder yet
        }
      }
      return names;
    },
    text(name) {
      try {
        return fs.readFileSync(path.join(dir, path.basename(name)), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
