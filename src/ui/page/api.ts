/** The server's API, at addresses relative to the page (they carry its token). */

export class ApiError extends Error {}

async function answer<T>(res: Response): Promise<T> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`Réponse illisible du programme (${res.status}). Est-il encore lancé ? Relancez « xlsx2segur ui » et rouvrez l'adresse qu'il affiche.`);
  }
  if (!res.ok) throw new ApiError((body as { erreur?: string }).erreur ?? `Erreur ${res.status}.`);
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { cache: 'no-store' });
  } catch {
    throw new ApiError("Le programme ne répond plus : relancez « xlsx2segur ui » et rouvrez l'adresse qu'il affiche.");
  }
  return answer<T>(res);
}

export async function post<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError("Le programme ne répond plus : relancez « xlsx2segur ui » et rouvrez l'adresse qu'il affiche.");
  }
  return answer<T>(res);
}

/** Sends a file's bytes, telling how far it went (XMLHttpRequest: fetch says nothing of an upload's progress). */
export function upload<T>(path: string, file: Blob, progress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.upload.onprogress = (e) => progress(e.loaded, e.total || file.size);
    xhr.onerror = () => reject(new ApiError("Envoi impossible : le programme ne répond plus. Relancez « xlsx2segur ui » et rouvrez l'adresse qu'il affiche."));
    xhr.onload = () => {
      let body: { erreur?: string } | undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body as T);
      else reject(new ApiError(body?.erreur ?? `Envoi refusé (${xhr.status}).`));
    };
    xhr.send(file);
  });
}

export function fileUrl(name: string): string {
  return `api/fichiers/${encodeURIComponent(name)}`;
}
