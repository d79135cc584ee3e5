import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { cli, demandeRows, HEADER, jsonFiles, merge, readJson, readXlsx, tmpDir, writeWorkbook } from './helpers.js';

/** Small real-looking files: the right magic bytes, then incompressible random bytes. */
function pdf(size = 2000, seed = 1): Buffer {
  const head = Buffer.from('%PDF-1.7\n');
  return Buffer.concat([head, crypto.createHash('sha256').update(String(seed)).digest(), Buffer.alloc(Math.max(0, size - head.length - 32), seed)]).subarray(0, size);
}
function random(size: number, seed: number): Buffer {
  const out: Buffer[] = [];
  let h = Buffer.from(String(seed));
  let n = 0;
  while (n < size) {
    h = crypto.createHash('sha256').update(h).digest();
    out.push(h);
    n += h.length;
  }
  return Buffer.concat(out).subarray(0, size);
}
function incompressiblePdf(size: number, seed: number): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n'), random(size - 9, seed)]);
}
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), random(500, 7)]);
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), random(800, 8)]);

function put(dir: string, rel: string, data: Buffer) {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

async function zipEntries(file: string): Promise<Record<string, number>> {
  const z = await JSZip.loadAsync(fs.readFileSync(file));
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(z.files)) out[name] = (await f.async('nodebuffer')).length;
  return out;
}

describe('convert --pj: every supporting document checked, one .zip per JSON file', () => {
  it('checks existence, path, size, real format; zips the accepted ones under their nomenclature names', async () => {
    const dir = tmpDir();
    const pjDir = path.join(dir, 'pieces');
    put(pjDir, 'BIO-SGL-Va1-BDC-00001.pdf', pdf(2000, 1));
    put(pjDir, 'scans/commande 2.jpg', jpeg());
    put(pjDir, 'BIO-SGL-Va1-BDC-00003.png', pdf(1500, 3)); // a PDF renamed .png
    put(pjDir, 'gros.pdf', pdf(3_000_001, 4));
    put(pjDir, 'juste.pdf', pdf(3_000_000, 5));
    put(dir, 'secret.pdf', pdf(100, 6)); // outside the folder
    fs.symlinkSync(path.join(dir, 'secret.pdf'), path.join(pjDir, 'lien.pdf'));
    put(pjDir, 'vide.pdf', Buffer.alloc(0));
    put(pjDir, 'image.png', png());
    const rows = merge(
      { Fichier: [HEADER] },
      demandeRows('00001'),
      demandeRows('00002', { PJ: { formatFichier: 'JPG', fichierSource: 'scans/commande 2.jpg' } }),
      demandeRows('00003', { PJ: { formatFichier: 'PNG' } }),
      demandeRows('00004', { PJ: { fichierSource: 'gros.pdf' } }),
      demandeRows('00005', { PJ: { fichierSource: 'juste.pdf' } }),
      demandeRows('00006', { PJ: { fichierSource: '../secret.pdf' } }),
      demandeRows('00007', { PJ: { fichierSource: 'lien.pdf' } }),
      demandeRows('00008', { PJ: { fichierSource: 'absent.pdf' } }),
      demandeRows('00009', { PJ: { fichierSource: 'vide.pdf' } }),
      demandeRows('00010', { PJ: { formatFichier: 'PNG', fichierSource: 'image.png' } }),
      demandeRows('00011', { PJ: { formatFichier: 'PDF', fichierSource: 'image.png' } }),
    );
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), rows);
    const out = path.join(dir, 'out');
    const r = cli(['convert', wb, '-o', out, '--date', '20261124', '--pj', pjDir, '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    const codeOf = (n: string) => rep.issues.filter((i: any) => i.demande === n && i.severity === 'erreur').map((i: any) => `${i.code}@${i.sheet}!${i.column}${i.row}`);
    expect(codeOf('00001')).toEqual([]);
    expect(codeOf('00002')).toEqual([]);
    expect(codeOf('00003')).toEqual(['PJ_FORMAT_REEL@PJ!D4']);
    expect(codeOf('00004')).toEqual(['PJ_TROP_GROSSE@PJ!E5']);
    expect(codeOf('00005')).toEqual([]);
    expect(codeOf('00006')).toEqual(['PJ_CHEMIN_HORS_DOSSIER@PJ!E7']);
    expect(codeOf('00007')).toEqual(['PJ_CHEMIN_HORS_DOSSIER@PJ!E8']);
    expect(codeOf('00008')).toEqual(['PJ_ABSENTE@PJ!E9']);
    expect(codeOf('00009')).toEqual(['PJ_VIDE@PJ!E10']);
    expect(codeOf('00010')).toEqual([]);
    expect(codeOf('00011')).toEqual(['PJ_FORMAT_REEL@PJ!E12']);
    expect(rep.issues.find((i: any) => i.code === 'PJ_FORMAT_REEL' && i.demande === '00003').message).toContain('au format PDF, alors que formatFichier dit PNG');
    expect(rep.pjChecked).toBe(true);
    const [json] = jsonFiles(out);
    expect(readJson(path.join(out, json)).lignesImport.map((l: any) => l.numeroEditeur)).toEqual(['00001', '00002', '00005', '00010']);
    const zipFile = path.join(out, json.replace('.json', '.zip'));
    expect(await zipEntries(zipFile)).toEqual({
      'BIO-SGL-Va1-BDC-00001.pdf': 2000,
      'BIO-SGL-Va1-BDC-00002.jpg': 804,
      'BIO-SGL-Va1-BDC-00005.pdf': 3_000_000,
      'BIO-SGL-Va1-BDC-00010.png': 508,
    });
    expect(rep.jsonFiles[0].zip).toEqual({ file: json.replace('.json', '.zip'), bytes: fs.statSync(zipFile).size });
    // The PJ row of a rejected demande carries the message; the Synthèse lists the .zip and its size.
    const res = await readXlsx(path.join(out, 'c.resultats.xlsx'));
    const pjWs = res.getWorksheet('PJ')!;
    expect(String(pjWs.getRow(5).getCell(7).value)).toContain('PJ_TROP_GROSSE');
    const syn: string[] = [];
    res.getWorksheet('Synthèse')!.eachRow((row) => syn.push((row.values as unknown[]).filter((v) => v !== undefined && v !== null && v !== '').join(' | ')));
    expect(syn.join('\n')).toContain(`${json} | avance | ANS0000001 | 4 | ${fs.statSync(path.join(out, json)).size} | ${json.replace('.json', '.zip')} | ${fs.statSync(zipFile).size}`);
    // Deterministic: the same inputs give the same .zip bytes.
    const out2 = path.join(dir, 'out2');
    cli(['convert', wb, '-o', out2, '--date', '20261124', '--pj', pjDir]);
    expect(fs.readFileSync(path.join(out2, json.replace('.json', '.zip'))).equals(fs.readFileSync(zipFile))).toBe(true);
  });

  it('a demande that would make the .zip cross the limit starts the next JSON file (limit lowered for the test)', async () => {
    const dir = tmpDir();
    const pjDir = path.join(dir, 'pieces');
    for (let i = 1; i <= 5; i++) put(pjDir, `BIO-SGL-Va1-BDC-0000${i}.pdf`, incompressiblePdf(10_000, i));
    const wb = await writeWorkbook(path.join(dir, 'c.xlsx'), merge({ Fichier: [HEADER] }, ...[1, 2, 3, 4, 5].map((i) => demandeRows(`0000${i}`))));
    const out = path.join(dir, 'out');
    const limit = 25_000;
    const r = cli(['convert', wb, '-o', out, '--date', '20261124', '--pj', pjDir, '--json'], { env: { XLSX2SEGUR_TEST_ZIP_LIMIT: String(limit) } });
    expect(r.code).toBe(0);
    const files = jsonFiles(out);
    expect(files.map((f) => readJson(path.join(out, f)).lignesImport.map((l: any) => l.numeroEditeur))).toEqual([
      ['00001', '00002'],
      ['00003', '00004'],
      ['00005'],
    ]);
    for (const f of files) {
      const z = path.join(out, f.replace('.json', '.zip'));
      expect(fs.statSync(z).size).toBeLessThanOrEqual(limit);
      expect(Object.keys(await zipEntries(z))).toHaveLength(readJson(path.join(out, f)).lignesImport.length);
    }
  });

  it('without --pj nothing changes but a line of the summary', () => {
    const out = tmpDir();
    const r = cli(['convert', 'samples/exemple-specification.xlsx', '-o', out, '--date', '20261124']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pièces justificatives non vérifiées');
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.zip'))).toEqual([]);
  });
});
