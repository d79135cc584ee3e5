/**
 * What the journal's checks see of a deposit folder: the names of its files and the text of its JSON
 * files, whatever holds them (a folder on disk, read by the commands; files given in memory). The checks
 * themselves never touch a file system.
 */
export interface DepositFolder {
  /** Where it is, as messages name it. */
  where: string;
  /** Names of the files it holds (not its subfolders' files). */
  names(): string[];
  /** The text of one of its files, undefined when it has no such file or it cannot be read. */
  text(name: string): string | undefined;
}

/** A deposit folder held in memory: its files by name. */
export function memoryFolder(where: string, files: ReadonlyMap<string, string>): DepositFolder {
  return { where, names: () => [...files.keys()], text: (name) => files.get(name) };
}
