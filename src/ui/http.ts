import type http from 'node:http';
import { UserError } from '../util/errors.js';
import { ioMessage } from '../util/io-errors.js';

/** An answer the server gives to a request it refuses or cannot serve, in French. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The headers every answer carries. The page and its assets come from this server alone: nothing else may
 * be loaded, framed or posted to (the Content-Security-Policy makes « nothing leaves the machine » a
 * property of the page). The token is in the address: no Referer ever carries it away.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

export function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A refusal or a fault: a French sentence, as JSON for the page's requests, as text otherwise. */
export function sendError(res: http.ServerResponse, e: unknown, asJson: boolean): void {
  const status = e instanceof HttpError ? e.status : e instanceof UserError || ioMessage(e) ? 400 : 500;
  const message =
    e instanceof HttpError || e instanceof UserError
      ? e.message
      : (ioMessage(e) ?? `Erreur inattendue (${(e as Error)?.message ?? String(e)}). Relancez l'action ; si elle échoue encore, la ligne de commande donne le même résultat et plus de détails.`);
  if (asJson) sendJson(res, status, { erreur: message });
  else send(res, status, 'text/plain; charset=utf-8', message + '\n');
}

/** The body of a request, refused beyond `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      reject(new HttpError(413, `Fichier trop gros pour l'interface (${declared} octets, au plus ${limit}) : utilisez la ligne de commande.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `Fichier trop gros pour l'interface (plus de ${limit} octets) : utilisez la ligne de commande.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object sent by the page. */
export async function readJson(req: http.IncomingMessage, limit = 1_000_000): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit);
  if (!body.length) return {};
  try {
    const v = JSON.parse(body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'Requête invalide : un objet JSON est attendu. Rechargez la page.');
}
