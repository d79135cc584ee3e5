#!/usr/bin/env node
/**
 * Writes the corpus of broken inputs under test/fixtures/broken/ (run once; the files are committed):
 *
 *   node scripts/make-broken-fixtures.mjs
 *
 * Every file is built here byte by byte, deterministically (fixed dates, fixed content, no randomness), and
 * stays small on disk: a few KB, and a few tens of KB for the decompression bombs, which hold or declare
 * hundreds of MB. test/fixtures/broken/expected.json, written here too, gives for each file the fragment
 * of the message `convert` must print for it (null: the file is read and converted). test/broken.test.ts
 * converts them all in one batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'test', 'fixtures', 'broken');
const FIXED_DATE = new Date(Date.UTC(2021, 9, 25, 0, 0, 0));
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Zip archives written by hand, so that the declared sizes can lie.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip (deflate) of the given entries. Each entry is { name, data }, with optionally: declaredSize, which
 * replaces the true uncompressed size in both headers; declaredCrc, which replaces the true CRC-32 in both
 * headers; local: { crc, size }, which replace them in the local header only (the central directory keeps
 * the true ones).
 */
function writeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  // 25/10/2021 00:00 in MS-DOS format.
  const dosTime = 0;
  const dosDate = ((2021 - 1980) << 9) | (10 << 5) | 25;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const packed = zlib.deflateRawSync(data, { level: 9 });
    const size = e.declaredSize ?? data.length;
    const crc = e.declaredCrc ?? crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(e.local?.crc ?? crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.local?.size ?? size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The parts of a minimal .xlsx of one sheet whose XML is given. */
function minimalXlsxParts(sheetXml) {
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheets><sheet name="Commandes" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml },
  ];
}

const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_TAIL = '</sheetData></worksheet>';

// ---------------------------------------------------------------------------------------------------
// OLE/CFB compound files (old .xls, password-protected .xlsx), version 3, 512-byte sectors.

const FREESECT = 0xffffffff;
const ENDOFCHAIN = 0xfffffffe;
const FATSECT = 0xfffffffd;
const NOSTREAM = 0xffffffff;

/** A compound file holding the given streams ({ name, data }) under its root storage. */
function writeCfb(streams) {
  const SECTOR = 512;
  const MINI = 64;
  const CUTOFF = 4096;
  const sectors = []; // Buffer of 512 each
  const fat = [];
  const chain = (count) => {
    const first = sectors.length;
    for (let i = 0; i < count; i++) {
      sectors.push(Buffer.alloc(SECTOR));
      fat.push(i === count - 1 ? ENDOFCHAIN : first + i + 1);
    }
    return count ? first : ENDOFCHAIN;
  };
  // Sector 0: the FAT (one sector: 128 entries are plenty here).
  sectors.push(Buffer.alloc(SECTOR));
  fat.push(FATSECT);
  const entries = [{ name: 'Root Entry', type: 5 }, ...streams.map((s) => ({ ...s, type: 2 }))];
  const dirStart = chain(Math.ceil(entries.length / 4));
  // Small streams live in the mini stream.
  const small = entries.filter((e) => e.type === 2 && e.data.length < CUTOFF);
  const miniFat = [];
  const mini = [];
  for (const e of small) {
    const n = Math.max(1, Math.ceil(e.data.length / MINI));
    e.start = miniFat.length;
    for (let i = 0; i < n; i++) miniFat.push(i === n - 1 ? ENDOFCHAIN : e.start + i + 1);
    const padded = Buffer.alloc(n * MINI);
    e.data.copy(padded);
    mini.push(padded);
  }
  const miniStream = Buffer.concat(mini);
  const miniFatStart = miniFat.length ? chain(Math.ceil((miniFat.length * 4) / SECTOR)) : ENDOFCHAIN;
  if (miniFat.length) {
    const buf = Buffer.alloc(Math.ceil((miniFat.length * 4) / SECTOR) * SECTOR, 0xff);
    miniFat.forEach((v, i) => buf.writeUInt32LE(v, i * 4));
    for (let i = 0; i * SECTOR < buf.length; i++) buf.copy(sectors[miniFatStart + i], 0, i * SECTOR, (i + 1) * SECTOR);
  }
  const miniStreamStart = miniStream.length ? chain(Math.ceil(miniStream.length / SECTOR)) : ENDOFCHAIN;
  for (let i = 0; i * SECTOR < miniStream.length; i++) miniStream.copy(sectors[miniStreamStart + i], 0, i * SECTOR, Math.min(miniStream.length, (i + 1) * SECTOR));
  entries[0].start = miniStreamStart;
  entries[0].data = miniStream;
  for (const e of entries.filter((x) => x.type === 2 && x.data.length >= CUTOFF)) {
    e.start = chain(Math.ceil(e.data.length / SECTOR));
    for (let i = 0; i * SECTOR < e.data.length; i++) e.data.copy(sectors[e.start + i], 0, i * SECTOR, Math.min(e.data.length, (i + 1) * SECTOR));
  }
  if (fat.length > SECTOR / 4) throw new Error('compound file too large for one FAT sector');
  // The directory: the streams form a balanced red-black tree under the root, ordered as the format
  // requires (shorter names first, then by upper-case name).
  const children = entries.slice(1).map((e, i) => ({ e, id: i + 1 }));
  children.sort((a, b) => a.e.name.length - b.e.name.length || (a.e.name.toUpperCase() < b.e.name.toUpperCase() ? -1 : 1));
  const depthOf = (n) => Math.floor(Math.log2(n));
  const full = (n) => ((n + 1) & n) === 0;
  const build = (list, depth, maxDepth, partial) => {
    if (!list.length) return NOSTREAM;
    const mid = Math.floor(list.length / 2);
    const node = list[mid];
    node.e.left = build(list.slice(0, mid), depth + 1, maxDepth, partial);
    node.e.right = build(list.slice(mid + 1), depth + 1, maxDepth, partial);
    node.e.red = partial && depth === maxDepth;
    return node.id;
  };
  entries[0].child = children.length ? build(children, 0, depthOf(children.length), !full(children.length)) : NOSTREAM;
  const dir = Buffer.alloc(Math.ceil(entries.length / 4) * SECTOR);
  for (let i = 0; i < Math.ceil(entries.length / 4) * 4; i++) {
    const at = i * 128;
    const e = entries[i];
    dir.writeUInt32LE(NOSTREAM, at + 68);
    dir.writeUInt32LE(NOSTREAM, at + 72);
    dir.writeUInt32LE(NOSTREAM, at + 76);
    if (!e) continue;
    const name = Buffer.from(e.name + '\0', 'utf16le');
    name.copy(dir, at);
    dir.writeUInt16LE(name.length, at + 64);
    dir.writeUInt8(e.type, at + 66);
    dir.writeUInt8(e.red ? 0 : 1, at + 67);
    dir.writeUInt32LE(e.left ?? NOSTREAM, at + 68);
    dir.writeUInt32LE(e.right ?? NOSTREAM, at + 72);
    dir.writeUInt32LE(e.child ?? NOSTREAM, at + 76);
    dir.writeUInt32LE(e.start ?? ENDOFCHAIN, at + 116);
    dir.writeUInt32LE(e.data?.length ?? 0, at + 120);
  }
  for (let i = 0; i * SECTOR < dir.length; i++) dir.copy(sectors[dirStart + i], 0, i * SECTOR, (i + 1) * SECTOR);
  const fatBuf = sectors[0];
  fatBuf.fill(0xff);
  fat.forEach((v, i) => fatBuf.writeUInt32LE(v, i * 4));
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x003e, 24);
  header.writeUInt16LE(0x0003, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(1, 44); // FAT sectors
  header.writeUInt32LE(dirStart, 48);
  header.writeUInt32LE(CUTOFF, 56);
  header.writeUInt32LE(miniFatStart, 60);
  header.writeUInt32LE(miniFat.length ? Math.ceil((miniFat.length * 4) / SECTOR) : 0, 64);
  header.writeUInt32LE(ENDOFCHAIN, 68);
  header.writeUInt32LE(0, 72);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : FREESECT, 76 + i * 4);
  return Buffer.concat([header, ...sectors]);
}

/** Deterministic filler bytes (a linear congruential sequence), standing for encrypted content. */
function filler(length, seed) {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A BIFF8 workbook stream: BOF (workbook globals), a sheet-less workbook, EOF. */
function biff8Workbook() {
  const record = (type, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(type, 0);
    head.writeUInt16LE(data.length, 2);
    return Buffer.concat([head, data]);
  };
  const bof = Buffer.alloc(16);
  bof.writeUInt16LE(0x0600, 0); // BIFF8
  bof.writeUInt16LE(0x0005, 2); // workbook globals
  bof.writeUInt16LE(0x0dbb, 4);
  bof.writeUInt16LE(0x07cc, 6);
  const codepage = Buffer.alloc(2);
  codepage.writeUInt16LE(1252, 0);
  return Buffer.concat([record(0x0809, bof), record(0x0042, codepage), record(0x000a, Buffer.alloc(0))]);
}

/** The EncryptionInfo stream of an "agile" encrypted package (version 4.4), with its XML descriptor. */
function encryptionInfo() {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(4, 0);
  head.writeUInt16LE(4, 2);
  head.writeUInt32LE(0x40, 4);
  const salt = filler(16, 7).toString('base64');
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
    `<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${salt}"/>` +
    '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
    `<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${salt}"/>` +
    '</keyEncryptor></keyEncryptors></encryption>';
  return Buffer.concat([head, Buffer.from(xml, 'utf8')]);
}

function encryptedPackage() {
  const size = Buffer.alloc(8);
  size.writeUInt32LE(6000, 0); // size of the (never decrypted) package
  return Buffer.concat([size, filler(6000 + 16 - (6000 % 16), 20261124)]);
}

// ---------------------------------------------------------------------------------------------------
// Small workbooks built with exceljs: headers are the field names, as a script would write them.

const HEADERS = {
  Fichier: ['numeroAns', 'SIRET'],
  Commandes: ['numeroEditeur', 'dateCommande', 'regimeTVA', 'montantSegurHT', 'isMandataire', 'isClientUnique', 'nomMandataire', 'emailMandataire', 'telephoneMandataire'],
  FINESS: ['numeroEditeur', 'numeroFINESSJuridique', 'nomClient', 'emailClient', 'telephoneClient', 'numeroFINESSGeos'],
  PJ: ['numeroEditeur', 'typeFichier', 'formatFichier', 'nomFichier'],
  Scénarios: ['numeroEditeur', 'isIdRef', 'isIdSlave', 'operateurMessagerie', 'isSendingFluxIntraSIH', 'isProSanteConnectNeeded', 'isDirecToDMP', 'isPFIToDMP', 'isDirectToMSSPro', 'isPFIToMSSPro', 'isDirectToMSSCitoyen', 'isPFIToMSSCitoyen'],
};

/** One valid demande (numéro ANS ANS0000002, so it never collides with the spec's example). */
function validRows() {
  return {
    Fichier: [['ANS0000002', '88412345600003']],
    Commandes: [['00001', '12/03/2022', 'TTC', '15000,00', 'NON', 'OUI', '', '', '']],
    FINESS: [['00001', '130000011', 'LABO DU PORT', 'contact@labo-port.fr', '04 91 00 00 00', '130000029']],
    PJ: [['00001', 'BON_COMMANDE', 'PDF', '']],
    Scénarios: [['00001', 'NON', 'NON', 'GIP_1', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON', 'NON']],
  };
}

/** Workbook bytes with fixed dates throughout, so that the file is the same at every run. */
async function workbook(sheets, { dropSheet, dropColumn } = {}) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'xlsx2segur';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  for (const [name, rows] of Object.entries(sheets)) {
    if (name === dropSheet) continue;
    const ws = wb.addWorksheet(name);
    let headers = HEADERS[name] ?? rows[0];
    let body = HEADERS[name] ? rows : rows.slice(1);
    if (dropColumn && dropColumn.sheet === name) {
      const k = headers.indexOf(dropColumn.field);
      headers = headers.filter((_, i) => i !== k);
      body = body.map((r) => r.filter((_, i) => i !== k));
    }
    ws.addRow(headers);
    for (const r of body) ws.addRow(r.map((v) => (v === '' ? null : v)));
  }
  const raw = await wb.xlsx.writeBuffer();
  const zip = await JSZip.loadAsync(raw);
  for (const f of Object.values(zip.files)) f.date = FIXED_DATE;
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** Rewrites parts of a package (JSZip), keeping fixed dates. */
async function edit(bytes, change) {
  const zip = await JSZip.loadAsync(bytes);
  await change(zip);
  for (const f of Object.values(zip.files)) f.date = FIXED_DATE;
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/**
 * A package's parts rewritten by writeZip (so that headers can lie): `change(name, data)` returns the entry
 * to write for each part ({ name, data } and writeZip's options), or undefined to keep it as it is.
 */
async function rezip(bytes, change) {
  const zip = await JSZip.loadAsync(bytes);
  const entries = [];
  for (const f of Object.values(zip.files)) {
    if (f.dir) continue;
    const data = await f.async('nodebuffer');
    entries.push(change(f.name, data) ?? { name: f.name, data });
  }
  return writeZip(entries);
}

// ---------------------------------------------------------------------------------------------------

const files = {};
const expected = {};
const add = (name, bytes, fragment) => {
  files[name] = bytes;
  expected[name] = fragment;
};

const good = await workbook(validRows());

add('pas-un-classeur.xlsx', Buffer.from('numeroEditeur;dateCommande\r\n00001;12/03/2022\r\n', 'utf8'), "ce fichier n'est pas un classeur .xlsx lisible");
add('vide.xlsx', Buffer.alloc(0), 'fichier vide');
add('ancien.xls', writeCfb([{ name: 'Workbook', data: biff8Workbook() }]), 'ancien format .xls (Excel 97-2003, conteneur OLE/CFB)');
add(
  'protege.xlsx',
  writeCfb([
    { name: 'EncryptionInfo', data: encryptionInfo() },
    { name: 'EncryptedPackage', data: encryptedPackage() },
  ]),
  'classeur protégé par mot de passe',
);
add('tronque.xlsx', good.subarray(0, Math.floor(good.length * 0.6)), 'fichier tronqué');
add(
  'archive.xlsx',
  writeZip([{ name: 'lisez-moi.txt', data: 'Une archive zip, pas un classeur.\n' }]),
  "archive zip qui n'est pas un classeur .xlsx",
);
add(
  'calc.ods',
  writeZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' },
    { name: 'content.xml', data: '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>' },
  ]),
  'classeur OpenDocument (.ods',
);
add(
  'binaire.xlsb',
  writeZip([
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
    },
    { name: 'xl/workbook.bin', data: filler(64, 3) },
  ]),
  'classeur binaire Excel (.xlsb)',
);
// Decompression bombs: declared sizes far beyond the limit; real data far beyond any sane ratio; more data
// than declared (found while inflating).
add(
  'bombe-declaree.xlsx',
  writeZip(
    minimalXlsxParts(SHEET_HEAD + SHEET_TAIL).map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 600 * MB } : p)),
  ),
  '(bombe de décompression ?) : son contenu décompressé déclaré',
);
add(
  'bombe-zeros.xlsx',
  writeZip(minimalXlsxParts(SHEET_HEAD + ' '.repeat(64 * MB) + SHEET_TAIL)),
  "(bombe de décompression ?) : l'entrée « xl/worksheets/sheet1.xml » se décompresse",
);
add(
  'bombe-cachee.xlsx',
  writeZip(
    minimalXlsxParts(SHEET_HEAD + ' '.repeat(32 * MB) + SHEET_TAIL).map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 4096 } : p)),
  ),
  'plus de données que les 4096 octets déclarés',
);
// An XML part that declares entities (the "billion laughs"): refused by the XML reader, never expanded.
add(
  'entites-xml.xlsx',
  await edit(good, async (zip) => {
    const xml = await zip.file('xl/sharedStrings.xml').async('string');
    const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    zip.file('xl/sharedStrings.xml', xml.replace(/^(<\?xml[^>]*\?>)/, `$1<!DOCTYPE sst [<!ENTITY l0 "rire">${laughs}]>`).replace('<t>LABO DU PORT</t>', '<t>&l9;</t>'));
  }),
  'classeur .xlsx illisible ou endommagé',
);
add(
  'xml-casse.xlsx',
  await edit(good, async (zip) => {
    const xml = await zip.file('xl/worksheets/sheet2.xml').async('string');
    zip.file('xl/worksheets/sheet2.xml', xml.slice(0, Math.floor(xml.length / 2)));
  }),
  'classeur .xlsx illisible ou endommagé',
);
add('sans-feuille-pj.xlsx', await workbook(validRows(), { dropSheet: 'PJ' }), 'feuille « PJ » absente');
add(
  'sans-colonne-montant.xlsx',
  await workbook(validRows(), { dropColumn: { sheet: 'Commandes', field: 'montantSegurHT' } }),
  'feuille « Commandes » : colonne « Montant Ségur HT (€) (montantSegurHT) » absente',
);
add('inconnu.xlsx', await workbook({ Feuil1: [['Nom', 'Montant'], ['DURAND', '12']] }), 'type de classeur inconnu');
// Damaged archives. An amount in the shared strings changed after saving, its CRC-32 left as it was (a
// bit flipped on a disk, or a hand edit): openpyxl, Excel refuse it as corrupt.
add(
  'crc-modifie.xlsx',
  await rezip(good, (name, data) => {
    if (name !== 'xl/sharedStrings.xml') return undefined;
    const text = data.toString('utf8');
    if (!text.includes('<t>15000,00</t>')) throw new Error('montant absent des chaînes partagées');
    return { name, data: Buffer.from(text.replace('<t>15000,00</t>', '<t>95000,00</t>'), 'utf8'), declaredCrc: crc32(data) };
  }),
  "fichier endommagé : le contenu de l'archive .xlsx ne correspond pas à ce qu'elle déclare (fichier modifié ou abîmé après son enregistrement). Excel proposerait de le réparer : ouvrez-le dans Excel, enregistrez-le à nouveau, puis relancez la commande (détail : partie xl/sharedStrings.xml : somme de contrôle CRC-32",
);
// A part that is never read, only copied into the results workbook, declaring 7 bytes more than it has.
let appSize;
add(
  'taille-mensongere.xlsx',
  await rezip(good, (name, data) => (name === 'docProps/app.xml' ? { name, data, declaredSize: (appSize = data.length) + 7 } : undefined)),
  `partie docProps/app.xml : ${appSize} octets décompressés au lieu des ${appSize + 7} déclarés`,
);
// A local header that disagrees with the central directory on an entry's size.
add(
  'en-tete-local.xlsx',
  await rezip(good, (name, data) => (name === 'xl/styles.xml' ? { name, data, local: { size: data.length + 1 } } : undefined)),
  "partie xl/styles.xml : la taille décompressée diffère entre l'en-tête local",
);
// Sheets Excel would only open after repairing them. Row 2 of Commandes repeated 1 000 times (42 KB): this
// used to take minutes and gigabytes, each message listing « lignes 2, 2, 2, … ».
const commandes = 'xl/worksheets/sheet2.xml';
const rewriteSheet = (name, data, change) => (name === commandes ? { name, data: Buffer.from(change(data.toString('utf8')), 'utf8') } : undefined);
const rowOf = (xml, n) => {
  const m = new RegExp(`<row r="${n}"[\\s\\S]*?</row>`).exec(xml);
  if (!m) throw new Error(`ligne ${n} absente de ${commandes}`);
  return m[0];
};
add(
  'lignes-repetees.xlsx',
  await rezip(good, (name, data) => rewriteSheet(name, data, (xml) => xml.replace(rowOf(xml, 2), rowOf(xml, 2).repeat(1001)))),
  "fichier endommagé : dans la feuille « Commandes », la ligne 2 apparaît plusieurs fois. Excel proposerait de le réparer : ouvrez-le dans Excel, enregistrez-le à nouveau, puis relancez la commande (détail : partie xl/worksheets/sheet2.xml : élément <row> de la ligne 2 répété",
);
// A cell given twice in its row (which value would be the cell's?).
add(
  'cellule-repetee.xlsx',
  await rezip(good, (name, data) => rewriteSheet(name, data, (xml) => xml.replace(/(<c r="D2"[\s\S]*?<\/c>)/, '$1$1'))),
  'dans la feuille « Commandes », la cellule D2 apparaît plusieurs fois',
);
// A cell naming a shared string the workbook does not have.
add(
  'chaine-absente.xlsx',
  await rezip(good, (name, data) =>
    rewriteSheet(name, data, (xml) => {
      const cell = /<c r="C2"[^>]*t="s"[^>]*><v>\d+<\/v><\/c>/.exec(xml);
      if (!cell) throw new Error('C2 n\'est pas une chaîne partagée');
      return xml.replace(cell[0], cell[0].replace(/<v>\d+<\/v>/, '<v>99999</v>'));
    }),
  ),
  'dans la feuille « Commandes », la cellule C2 renvoie à la chaîne partagée n° 99999, que le classeur n\'a pas',
);
// A macro-enabled workbook: its values are read and converted; the macros are never run nor copied.
add(
  'macros.xlsm',
  await edit(good, async (zip) => {
    const types = await zip.file('[Content_Types].xml').async('string');
    zip.file(
      '[Content_Types].xml',
      types
        .replace('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', 'application/vnd.ms-excel.sheet.macroEnabled.main+xml')
        .replace('</Types>', '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'),
    );
    const rels = await zip.file('xl/_rels/workbook.xml.rels').async('string');
    zip.file(
      'xl/_rels/workbook.xml.rels',
      rels.replace('</Relationships>', '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'),
    );
    zip.file('xl/vbaProject.bin', writeCfb([{ name: 'PROJECT', data: Buffer.from('ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\n', 'latin1') }]));
  }),
  null,
);

// CSV folders (one CSV per sheet): a missing column, and a "CSV" that is really a workbook.
const csvText = (rows) => rows.map((r) => r.join(';')).join('\r\n') + '\r\n';
const csvFolder = (rows, over = {}) =>
  Object.fromEntries(Object.entries(rows).map(([sheet, body]) => [`${sheet}.csv`, over[sheet] ?? Buffer.from(csvText([HEADERS[sheet], ...body]), 'utf8')]));
const noAmount = validRows();
const k = HEADERS.Commandes.indexOf('montantSegurHT');
const csvColumn = csvFolder(validRows(), {
  Commandes: Buffer.from(csvText([HEADERS.Commandes.filter((_, i) => i !== k), ...noAmount.Commandes.map((r) => r.filter((_, i) => i !== k))]), 'utf8'),
});
const csvBinary = csvFolder(validRows(), { Commandes: good });

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
for (const [folder, csvs, fragment] of [
  ['csv-colonne-absente', csvColumn, 'feuille « Commandes » : colonne « Montant Ségur HT (€) (montantSegurHT) » absente'],
  ['csv-binaire', csvBinary, "Commandes.csv : ce fichier n'est pas un fichier CSV"],
]) {
  fs.mkdirSync(path.join(dir, folder));
  for (const [name, bytes] of Object.entries(csvs)) fs.writeFileSync(path.join(dir, folder, name), bytes);
  expected[folder] = fragment;
}
fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
for (const name of fs.readdirSync(dir).sort()) {
  const p = path.join(dir, name);
  const size = fs.statSync(p).isDirectory() ? fs.readdirSync(p).reduce((s, n) => s + fs.statSync(path.join(p, n)).size, 0) : fs.statSync(p).size;
  console.log(`${name.padEnd(28)} ${String(size).padStart(8)} octets`);
}
