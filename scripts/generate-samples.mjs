// Regenerates the sample workbooks of samples/ from the template (run after `npm run build`).
// The outputs are committed; they are deterministic.
import fs from 'node:fs';
import { loadMapping, mappingPathFor } from '../dist/mapping/load.js';
import { buildTemplate } from '../dist/template/template.js';
import { avanceExample, soldeExample } from '../dist/template/example.js';
import { fillWorkbook } from '../dist/template/fill.js';
import { workbookBytes } from '../dist/util/xlsx-write.js';

const mapping = loadMapping(mappingPathFor('avance'));

function rowsOf(sheet, table) {
  const fields = mapping.sheet(sheet).columns.map((c) => c.field);
  return table.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i] === '' ? null : r[i] ?? null])));
}

async function save(file, data) {
  const wb = buildTemplate(mapping, avanceExample);
  fillWorkbook(wb, mapping, data);
  fs.writeFileSync(file, await workbookBytes(wb));
  console.log(file);
}

fs.mkdirSync('samples', { recursive: true });

// 0. The solde specification's example (FINBIO000006).
{
  const solde = loadMapping(mappingPathFor('solde'));
  const wb = buildTemplate(solde, soldeExample);
  const data = Object.fromEntries(
    Object.entries(soldeExample).map(([s, t]) => {
      const fields = solde.sheet(s).columns.map((c) => c.field);
      return [s, t.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i] === '' ? null : r[i] ?? null])))];
    }),
  );
  fillWorkbook(wb, solde, data);
  fs.writeFileSync('samples/solde-exemple-specification.xlsx', await workbookBytes(wb));
  console.log('samples/solde-exemple-specification.xlsx');
}

// 1. The specification's example.
await save('samples/exemple-specification.xlsx', Object.fromEntries(Object.entries(avanceExample).map(([s, t]) => [s, rowsOf(s, t)])));

// 2. 450 demandes: three files of 200, 200 and 50 lines.
{
  const ops = ['ENO_5', 'GIP_1', 'MAI_15', 'GCS_2', 'WRA_3'];
  const data = { Fichier: [{ numeroAns: 'ANS0000450', SIRET: '44223344500000', profilReferentielIdentite: 'OUI', profilEsclaveIdentite: 'OUI', profilMailiz: 'OUI', profilEnvironnementHospitalier: 'NON' }], Commandes: [], FINESS: [], PJ: [], Scénarios: [] };
  for (let i = 1; i <= 450; i++) {
    const num = String(i).padStart(5, '0');
    const unique = i % 3 !== 0;
    const day = ((i * 7) % 28) + 1;
    const month = ((i * 5) % 12) + 1;
    data.Commandes.push({
      numeroEditeur: num,
      dateCommande: new Date(Date.UTC(2022, month - 1, day)),
      regimeTVA: i % 4 === 0 ? 'HT' : 'TTC',
      montantSegurHT: 10000 + ((i * 137) % 20000) + (i % 100) / 100,
      isMandataire: unique ? 'NON' : 'OUI',
      isClientUnique: unique ? 'OUI' : 'NON',
      nomMandataire: unique ? null : `MANDATAIRE ${i}`,
      emailMandataire: unique ? null : `mandataire${i}@exemple.fr`,
      telephoneMandataire: unique ? null : `01 23 45 ${String(i % 100).padStart(2, '0')} 00`,
    });
    const jur = [`${String(100000000 + i * 10).slice(0, 9)}`];
    if (!unique) jur.push(String(500000000 + i * 10).slice(0, 9));
    jur.forEach((j, k) => {
      data.FINESS.push({
        numeroEditeur: num,
        numeroFINESSJuridique: j,
        nomClient: `CLIENT ${i}-${k + 1}`,
        emailClient: `client${i}.${k + 1}@labo.fr`,
        telephoneClient: '02 40 00 00 00',
        numeroFINESSGeos: `${String(Number(j) + 1)};${String(Number(j) + 2)}`,
      });
    });
    data.PJ.push({ numeroEditeur: num, typeFichier: 'BON_COMMANDE', formatFichier: 'PDF', nomFichier: null });
    if (i % 4 === 0) data.PJ.push({ numeroEditeur: num, typeFichier: 'PREUVE_HT', formatFichier: 'PDF', nomFichier: null });
    data['Scénarios'].push({
      numeroEditeur: num, isIdRef: i % 2 ? 'OUI' : 'NON', isIdSlave: 'NON', operateurMessagerie: ops[i % ops.length],
      isSendingFluxIntraSIH: 'NON', isProSanteConnectNeeded: 'NON', isDirecToDMP: 'OUI', isPFIToDMP: 'NON',
      isDirectToMSSPro: 'OUI', isPFIToMSSPro: 'NON', isDirectToMSSCitoyen: 'NON', isPFIToMSSCitoyen: 'NON',
    });
  }
  await save('samples/450-demandes.xlsx', data);
}

// 3. Deliberate errors: every demande but the first has at least one.
{
  const base = (num, extra = {}) => ({ numeroEditeur: num, dateCommande: '12/03/2022', regimeTVA: 'TTC', montantSegurHT: 15000, isMandataire: 'NON', isClientUnique: 'OUI', nomMandataire: null, emailMandataire: null, telephoneMandataire: null, ...extra });
  const fin = (num, extra = {}) => ({ numeroEditeur: num, numeroFINESSJuridique: '130000011', nomClient: 'LABO DU PORT', emailClient: 'contact@labo-port.fr', telephoneClient: '04 91 00 00 00', numeroFINESSGeos: '130000029', ...extra });
  const pj = (num, extra = {}) => ({ numeroEditeur: num, typeFichier: 'BON_COMMANDE', formatFichier: 'PDF', nomFichier: null, ...extra });
  const sc = (num, extra = {}) => ({ numeroEditeur: num, isIdRef: 'NON', isIdSlave: 'NON', operateurMessagerie: 'GIP_1', isSendingFluxIntraSIH: 'NON', isProSanteConnectNeeded: 'NON', isDirecToDMP: 'NON', isPFIToDMP: 'NON', isDirectToMSSPro: 'NON', isPFIToMSSPro: 'NON', isDirectToMSSCitoyen: 'NON', isPFIToMSSCitoyen: 'NON', ...extra });
  const data = {
    Fichier: [{ numeroAns: 'ANS0000099', SIRET: '88412345600003' }],
    Commandes: [
      base('00001'),
      base('00002', { dateCommande: '31/02/2022' }),
      base('00003', { montantSegurHT: '12 500,555' }),
      base('00004', { isMandataire: 'OUI', isClientUnique: 'NON' }),
      base('00005', { regimeTVA: 'HTT', isClientUnique: 'peut-être' }),
      base('00006'),
      base('0007'),
    ],
    FINESS: [
      fin('00001'), fin('00002'), fin('00003'),
      fin('00004'), fin('00004', { numeroFINESSJuridique: '690000017', numeroFINESSGeos: '69000002' }),
      fin('00005', { emailClient: 'pas-une-adresse' }),
      fin('00006', { nomClient: 'labo du port' }),
      fin('0007'),
      fin('00099'),
    ],
    PJ: [pj('00001'), pj('00002'), pj('00003'), pj('00004'), pj('00005'), pj('00006', { typeFichier: 'PREUVE_HT' }), pj('0007')],
    Scénarios: [sc('00001'), sc('00002'), sc('00003'), sc('00004'), sc('00005'), sc('00006', { operateurMessagerie: 'XYZ_999' }), sc('0007')],
  };
  await save('samples/avec-erreurs.xlsx', data);
}
