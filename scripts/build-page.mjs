// Builds the page of `xlsx2segur ui` (src/ui/page) into dist/ui: page.html, one page.js bundle and page.css;
// then dist/xlsx2segur.html, the same engine in one self-contained page (src/standalone; see below).
// Run by `npm run build`, after tsc. The bundle loads nothing from elsewhere: the server's
// Content-Security-Policy allows only its own script, style and API.
import crypto from 'node:crypto';
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

// ---- dist/xlsx2segur.html: the engine in the page, for a machine without Node ---------------------------
// One self-contained file: the worker's bundle (the engine, the mappings) is a string in the page's script,
// started from a Blob URL; the script and the style are inline, allowed by their hashes in the page's
// Content-Security-Policy, which allows nothing else (no connection, no other script, no eval).
const srcRoot = path.join(root, 'src');
const standalone = path.join(srcRoot, 'standalone');

/** Node's built-ins and the modules with a browser twin (X.browser.ts beside X.ts) resolved for the page. */
const browserTwins = {
  name: 'browser-twins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: path.join(standalone, a.path === 'node:path' ? 'path.ts' : 'unavailable.ts') }));
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (a) => {
      if (!a.importer.startsWith(srcRoot)) return undefined;
      const twin = path.resolve(a.resolveDir, a.path.replace(/\.js$/, '.browser.ts'));
      return fs.existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

const common = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16.4', 'edge110'],
  minify: !process.env.XLSX2SEGUR_PAGE_DEBUG,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  write: false,
};

const worker = await build({
  ...common,
  entryPoints: [path.join(standalone, 'worker.ts')],
  plugins: [browserTwins],
  inject: [path.join(standalone, 'globals.ts')],
  define: { 'process.env.XLSX2SEGUR_TEST_ZIP_LIMIT': 'undefined', 'import.meta.url': '"file:///xlsx2segur/"' },
});
if (process.env.XLSX2SEGUR_PAGE_DEBUG) fs.writeFileSync(path.join(root, 'dist', 'xlsx2segur-worker.js'), worker.outputFiles[0].text);
const page = await build({
  ...common,
  entryPoints: [path.join(standalone, 'main.ts')],
  define: { WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text) },
});

const hash = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
// Inline text must not close its element early.
const script = page.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
const style = fs.readFileSync(path.join(src, 'page.css'), 'utf8') + fs.readFileSync(path.join(standalone, 'standalone.css'), 'utf8');
const csp = [`default-src 'none'`, `script-src ${hash(script)}`, `style-src ${hash(style)}`, `worker-src blob:`, `img-src data:`, `base-uri 'none'`, `form-action 'none'`].join('; ');
const html = fs
  .readFileSync(path.join(standalone, 'page.html'), 'utf8')
  .replace('CSP', () => csp)
  .replace('<style></style>', () => `<style>${style}</style>`)
  .replace('<script></script>', () => `<script>${script}</script>`);
fs.writeFileSync(path.join(root, 'dist', 'xlsx2segur.html'), html);
