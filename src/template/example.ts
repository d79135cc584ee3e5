/**
 * The specification's own example (DTJSONAVANCE-BIO-SGL-VA1, section 3.1): M. Durand orders an SGL for
 * 27 450 € HT for the structures juridiques 999999991 and 999999992 and their three sites. The spec prints
 * the third site with 8 digits (22222222); a FINESS has 9, so 222222222 is used. The numeroAns and SIRET
 * are invented (the SIRET has a valid key).
 */
export const EXAMPLE_NUMERO_ANS = 'ANS0000001';
export const EXAMPLE_SIRET = '88412345600003';

export const avanceExample: Record<string, (string | number)[][]> = {
  Fichier: [[EXAMPLE_NUMERO_ANS, EXAMPLE_SIRET, 'NON', 'OUI', 'NON', 'NON']],
  Commandes: [['00001', '15/11/2021', 'HT', '27 450,00', 'OUI', 'NON', 'DURAND', 'm.durand@exemple.fr', '01 02 03 04 05']],
  FINESS: [
    ['00001', '999999991', 'DURAND', 'm.durand@exemple.fr', '01 02 03 04 05', '111111111;111111112'],
    ['00001', '999999992', 'DURAND', 'm.durand@exemple.fr', '01 02 03 04 05', '222222222'],
  ],
  PJ: [
    ['00001', 'BON_COMMANDE', 'PDF', 'BIO-SGL-Va1-BDC-00001.pdf'],
    ['00001', 'PREUVE_HT', 'PDF', ''],
  ],
  Scénarios: [['00001', 'NON', 'OUI', 'ENO_5 — ENOVACOM', 'NON', 'NON', 'OUI', 'NON', 'OUI', 'NON', 'NON', 'NON']],
};

/**
 * The solde specification's example (section 3.1): the avance FINBIO000006 of 27 450,00 € HT was paid;
 * the SGL was installed for the FINESS géographiques 999999991, 999999992 and 999999993.
 */
export const soldeExample: Record<string, (string | number)[][]> = {
  Fichier: [[EXAMPLE_NUMERO_ANS, EXAMPLE_SIRET]],
  Factures: [['00001', 'FINBIO000006', '15/06/2022', '27 450,00']],
  FINESS: [['00001', '999999991'], ['00001', '999999992'], ['00001', '999999993']],
  PJ: [
    ['00001', 'FACTURE', 'PDF', 'BIO-SGL-Va1-FACTURE-00001.pdf'],
    ['00001', 'VA', 'PDF', ''],
  ],
  Scénarios: [['00001', 'OUI', 'STRUCT-IDNAT-0001', 'OUI', 'sgl@labo-durand.mssante.fr', 'NON', '']],
};

export const examples: Record<string, Record<string, (string | number)[][]>> = { avance: avanceExample, solde: soldeExample };
