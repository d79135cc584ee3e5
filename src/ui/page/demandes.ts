import { h } from './dom.js';
import type { Report } from './types.js';

/** A workbook's demandes, one row each: number, line, status (its tone as a class), problem codes. */
export function demandesTable(name: string, demandes: Report['demandes'], tone: (status: string) => string): HTMLElement {
  return h(
    'div',
    { class: 'defile' },
    h(
      'table',
      { class: 'demandes' },
      h('caption', {}, `Demandes de ${name}${demandes[0] ? `, feuille « ${demandes[0].sheet} »` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'N° éditeur'), h('th', { scope: 'col' }, 'Ligne'), h('th', { scope: 'col' }, 'Statut'), h('th', { scope: 'col' }, 'Problèmes'))),
      h(
        'tbody',
        {},
        demandes.map((d) =>
          h(
            'tr',
            { 'data-demande': d.numeroEditeur },
            h('th', { scope: 'row' }, d.numeroEditeur),
            h('td', { title: `feuille « ${d.sheet} », ligne ${d.row}` }, String(d.row)),
            h('td', { class: `statut ${tone(d.status)}`, 'data-status': d.status }, d.statusLabel),
            h('td', { class: 'codes' }, [...new Set([...d.errors, ...d.warnings])].join(', ') || '—'),
          ),
        ),
      ),
    ),
  );
}

/** A name as an id's part. */
export const cssId = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');
