import { describe, expect, it } from 'vitest';
import { LINES_READ, ReturnSyntaxError, scanReturn } from '../src/retour/stream.js';

/** The text in chunks of n characters, as the decoder hands them. */
async function* chunked(text: string, n: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += n) yield text.slice(i, i + n);
}

async function scan(text: string, n: number) {
  const lines: { value: unknown; rank: number; at: number }[] = [];
  const { header } = await scanReturn(chunked(text, n), { onLine: (value, rank, at) => lines.push({ value, rank, at }) });
  return { header, lines };
}

const TRICKY = {
  SIRET: '88412345600003',
  lignesImport: [
    { numLigne: 1, libelleTraitement: 'Erreur : « } » ou "]" inattendu \\ {[', numeroEditeur: '00001', x: [[], {}, [{ a: null }]] },
    { numLigne: 2, numeroEditeur: 2, codeTraitement: 0, unicode: 'é\u00e9\ud83d\ude00\\u0041' },
  ],
  impId: 778,
  numeroAns: 'ANS0000001',
  extra: { nested: ['lignesImport', { lignesImport: [] }] },
};

describe('the return scanner: one line at a time, any chunk size', () => {
  for (const n of [1, 2, 3, 7, 64, 100000]) {
    it(`chunks of ${n} characters: header and lines as JSON.parse reads them`, async () => {
      for (const text of [JSON.stringify(TRICKY), JSON.stringify(TRICKY, null, 2).replace(/\n/g, '\r\n')]) {
        const { header, lines } = await scan(text, n);
        const { lignesImport, ...rest } = TRICKY;
        expect(header).toEqual({ ...rest, lignesImport: LINES_READ });
        expect(lines.map((l) => l.value)).toEqual(lignesImport);
        expect(lines.map((l) => l.rank)).toEqual([1, 2]);
      }
    });
  }

  it('tells the text line each line of lignesImport starts on', async () => {
    const { lines } = await scan(JSON.stringify(TRICKY, null, 2), 5);
    const text = JSON.stringify(TRICKY, null, 2).split('\n');
    for (const l of lines) expect(text[l.at - 1].trim()).toBe('{');
    expect(lines[1].at).toBeGreaterThan(lines[0].at);
  });

  it('an empty lignesImport, and a lignesImport that is not an array, kept as read', async () => {
    expect((await scan('{"numeroAns":"A","lignesImport":[]}', 3)).header).toEqual({ numeroAns: 'A', lignesImport: LINES_READ });
    expect((await scan('{"lignesImport": 5, "numeroAns": "A"}', 3)).header).toEqual({ numeroAns: 'A', lignesImport: 5 });
  });

  const broken: [string, RegExp][] = [
    ['', /fin du fichier inattendue/],
    ['[1, 2]', /« \{ » attendu au début du fichier/],
    ['{"numeroAns": "A", "lignesImport": [ {"a": 1}, ', /fin du fichier dans lignesImport/],
    ['{"numeroAns": "A", "lignesImport": [ {"a": 1 ', /fin du fichier au milieu de la ligne n° 1/],
    ['{"numeroAns": "A", "lignesImport": [ {"a": 1} {"b": 2} ] }', /« , » ou « \] » attendu après la ligne n° 1/],
    ['{"numeroAns": "A", "lignesImport": [ {"a": tru} ] }', /JSON invalide dans la ligne n° 1 de lignesImport/],
    ['{"numeroAns": "A" "lignesImport": [] }', /« , » ou « \} » attendu entre deux clés/],
    ['{"lignesImport": [], "lignesImport": [] }', /clé lignesImport en double/],
    ['{"numeroAns": "A", "lignesImport": [] } x', /texte après la fin de l'objet JSON/],
    ['{numeroAns: "A"}', /nom de clé entre guillemets attendu/],
    ['{"numeroAns": NaN}', /JSON invalide dans la valeur de « numeroAns »/],
  ];
  for (const [text, message] of broken) {
    it(`refuses ${JSON.stringify(text).slice(0, 60)} with a French message and its line`, async () => {
      const e = await scan(text, 4).catch((x) => x);
      expect(e).toBeInstanceOf(ReturnSyntaxError);
      expect(e.message).toMatch(message);
      expect(e.line).toBe(1);
    });
  }
});
