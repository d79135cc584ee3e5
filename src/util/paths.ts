import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the installed package (holds mappings/, templates/, samples/). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mappingsDir = path.join(packageRoot, 'mappings');
export const templatesDir = path.join(packageRoot, 'templates');
