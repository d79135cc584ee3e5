import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HttpError, readBody, readJson, send, sendError, sendJson } from './http.js';
import {
  clearInputs,
  convertInputs,
  depositFile,
  depositFiles,
  listJournal,
  prepareSolde,
  recordPayments,
  recordReturns,
  removeInput,
  saveInput,
  type UiSession,
} from './actions.js';
import { STATUS_NAMES, TONES } from '../status/status.js';
import { todayCompact } from '../util/dates.js';
import { KINDS, runTemplate } from '../commands/template.js';

/**
 * The local server of `xlsx2segur ui`: the page and a small JSON API, on 127.0.0.1 only, on a port the
 * system chooses. Every address begins with a random token, `/<jeton>/`: another site open in the browser
 * cannot guess it, so it cannot reach the API. A request whose Host is not this server's (a DNS rebinding)
 * is refused too.
 */
export interface UiServer {
  url: string;
  port: number;
  token: string;
  session: UiSession;
  close(): Promise<void>;
}

export interface UiServerOptions {
  outDir: string;
  /** Opens a file of the deposit folder with the program the system associates with it (the results workbook in Excel). */
  openFile?: (file: string) => Promise<boolean>;
}

/** The page's assets, built by scripts/build-page.mjs beside the compiled server. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'page.html', type: 'text/html; charset=utf-8' },
  'page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  'page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};
const assetDir = path.dirname(fileURLToPath(import.meta.url));

/** Workbooks up to this size are taken by the page (the CLI has no such limit). */
export const MAX_UPLOAD = 250 * 1024 * 1024;

/** A name in an address, decoded; a malformed one is refused. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, `Nom mal formé dans l'adresse (« ${text} ») : rechargez la page et recommencez.`);
  }
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rest: string, url: URL) => Promise<unknown>;

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx2segur-ui-'));
  const session: UiSession = { outDir: opts.outDir, inputDir: path.join(tmp, 'classeurs'), returnDir: path.join(tmp, 'retours'), inputs: [], progress: null };
  fs.mkdirSync(session.inputDir);
  fs.mkdirSync(session.returnDir);
  const token = crypto.randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  let port = 0;

  // One action at a time: the page's clicks run in order, as commands typed one after the other would.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const api: Record<string, Handler> = {
    'GET etat': async () => ({
      dossier: path.resolve(session.outDir),
      entrees: session.inputs,
      aujourdhui: todayCompact(),
      statuts: STATUS_NAMES,
      tons: TONES,
      fichiers: depositFiles(session),
    }),
    // Not queued: asked while a check runs.
    'GET progression': async () => ({ progression: session.progress }),
    'PUT entrees': async (req, _res, rest) => {
      const bytes = await readBody(req, MAX_UPLOAD);
      return serial(async () => saveInput(session, decoded(rest), bytes));
    },
    'DELETE entrees': async (_req, _res, rest) => serial(async () => (rest ? removeInput(session, decoded(rest)) : clearInputs(session))),
    'POST verifier': async (req) => {
      const body = await readJson(req);
      return serial(() => convertInputs(session, body, true));
    },
    'POST exporter': async (req) => {
      const body = await readJson(req);
      return serial(() => convertInputs(session, body, false));
    },
    'POST retour': async (req) => {
      const body = await readJson(req, 100_000_000);
      return serial(() => recordReturns(session, body));
    },
    'GET journal': async () => serial(() => listJournal(session)),
    'POST paiements': async (req) => {
      const body = await readJson(req);
      return serial(() => recordPayments(session, body));
    },
    'POST solde': async (req) => {
      const body = await readJson(req);
      return serial(() => prepareSolde(session, body));
    },
    'GET fichiers': async (_req, res, rest) => {
      if (!rest) return { fichiers: depositFiles(session) };
      const file = depositFile(session, decoded(rest));
      const name = path.basename(file);
      const type = /\.json$/i.test(name) ? 'application/json' : /\.zip$/i.test(name) ? 'application/zip' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      send(res, 200, type, fs.readFileSync(file), {
        'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
      return undefined;
    },
    // xlsx2segur template <type>: the workbook to fill, written in the server's folder and sent.
    'GET modele': async (_req, res, rest) => {
      if (!(KINDS as readonly string[]).includes(rest)) throw new HttpError(404, `Modèle « ${rest} » inconnu : avance ou solde.`);
      const file = await runTemplate({ kind: rest, out: path.join(tmp, `${rest}-bio-sgl.xlsx`), stdout: () => undefined });
      send(res, 200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fs.readFileSync(file), { 'Content-Disposition': `attachment; filename="${path.basename(file)}"` });
      return undefined;
    },
    'POST ouvrir': async (req) => {
      const body = await readJson(req);
      const file = depositFile(session, String(body.nom ?? ''));
      const opened = (await opts.openFile?.(file)) ?? false;
      if (!opened) throw new HttpError(500, `Impossible d'ouvrir ${file} sur cette machine : téléchargez-le plutôt (cliquez son nom dans la page).`);
      return { ouvert: file };
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.includes('/api/');
    // Host: this server, by address or by name. Anything else is a page of another site that resolved its own name to 127.0.0.1.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendError(res, new HttpError(403, `Accès refusé : cette adresse (${host || 'sans en-tête Host'}) n'est pas celle de l'interface xlsx2segur. Ouvrez l'adresse affichée par « xlsx2segur ui ».`), isApi);
      return;
    }
    const [, given = '', ...restParts] = url.pathname.split('/');
    const givenBytes = Buffer.from(given);
    if (givenBytes.length !== tokenBytes.length || !crypto.timingSafeEqual(givenBytes, tokenBytes)) {
      sendError(res, new HttpError(403, "Accès refusé : l'adresse ne porte pas le bon jeton. Ouvrez l'adresse complète affichée par « xlsx2segur ui » (elle change à chaque lancement)."), isApi);
      return;
    }
    // A request sent by another page (a form posted from elsewhere) carries its own Origin.
    const origin = req.headers.origin;
    if (origin && origin !== `http://${host}`) {
      sendError(res, new HttpError(403, "Accès refusé : requête venue d'une autre page que l'interface xlsx2segur."), isApi);
      return;
    }
    const rest = restParts.join('/');
    if (!isApi) {
      if (!url.pathname.startsWith(`/${token}/`) && rest === '') {
        res.writeHead(302, { Location: `/${token}/` });
        res.end();
        return;
      }
      const asset = ASSETS[rest];
      if (!asset || req.method !== 'GET') {
        sendError(res, new HttpError(404, `Page introuvable : /${rest}. Ouvrez l'adresse affichée par « xlsx2segur ui ».`), false);
        return;
      }
      const file = path.join(assetDir, asset.file);
      if (!fs.existsSync(file)) {
        sendError(res, new HttpError(500, `La page de l'interface n'est pas construite (${file} absent) : lancez « npm run build ».`), false);
        return;
      }
      send(res, 200, asset.type, fs.readFileSync(file));
      return;
    }
    const [, action = '', ...params] = rest.split('/');
    const handler = api[`${req.method} ${action}`];
    if (!handler) {
      sendError(res, new HttpError(404, `Action inconnue : ${req.method} ${action}. Rechargez la page.`), true);
      return;
    }
    handler(req, res, params.join('/'), url).then(
      (value) => {
        if (value !== undefined && !res.headersSent) sendJson(res, 200, value);
      },
      (e) => {
        if (!res.headersSent) sendError(res, e, true);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    port,
    token,
    session,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // An action under way ends first: its files and the folder's lock are left as the command leaves them.
      await queue;
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
