// Builds the page of `xlsx2segur ui` (src/ui/page) into dist/ui: page.html, one page.js bundle and page.css.
// Run by `npm run build`, after tsc. The bundle loads nothing from elsewhere: the server's
// Content-Security-Policy allows only its own script, style and API.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src/ui/page');
const out = path.join(root, 'dist/ui');
fs.mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(src, 'main.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16', 'edge110'],
  outfile: path.join(out, 'page.js'),
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(src, 'page.css'), path.join(out, 'page.css'));
fs.copyFileSync(path.join(src, 'page.html'), path.join(out, 'page.html'));
