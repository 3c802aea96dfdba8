// A page of the cohort's studies with their series and severe counts; each opens the study view.
// @ts-check
import { QUERIES, request } from './api.js';
import { h, replace } from './dom.js';
import { SERIES_TYPE_NAMES } from './vocabulary.js';

const PAGE_SIZE = 20;

/** @param {{ filter: () => Record<string, unknown> }} options @returns {{ element: HTMLElement, refresh: () => Promise<void> }} */
export function studiesPanel({ filter }) {
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, 'Loading…');
  const summary = h('p', { class: 'muted' });
  const prev = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', onclick: () => go(-1) }, '← Previous'));
  const next = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', onclick: () => go(1) }, 'Next →'));
  const element = h(
    'section',
    { class: 'panel studies-panel', 'aria-labelledby': 'studies-heading' },
    h('h2', { id: 'studies-heading' }, 'Studies'),
    summary,
    body,
    h('nav', { class: 'pager', 'aria-label': 'Study pages' }, prev, next),
  );
  /** Cursors of the pages seen so far: cursors[i] opens page i (undefined for the first). */
  /** @type {(string | undefined)[]} */
  let cursors = [undefined];
  let page = 0;
  /** @type {string | null} */
  let nextCursor = null;

  /** @param {number} step */
  async function go(step) {
    if (step > 0 && nextCursor) {
      page += 1;
      cursors[page] = nextCursor;
    } else if (step < 0 && page > 0) {
      page -= 1;
    }
    await load();
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const data = await request(QUERIES.studies(PAGE_SIZE), { filter: filter(), after: cursors[page] });
      const { totalCount, pageInfo, edges } = data.studies;
      nextCursor = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      prev.disabled = page === 0;
      next.disabled = !nextCursor;
      const from = page * PAGE_SIZE + 1;
      summary.textContent =
        totalCount === 0 ? 'No study matches the cohort filter.' : `Studies ${from}–${from + edges.length - 1} of ${totalCount}.`;
      replace(body, edges.length ? table(edges.map((/** @type {any} */ e) => e.node)) : null);
    } catch (e) {
      replace(body, h('p', { class: 'error', role: 'alert' }, `Could not load studies: ${e instanceof Error ? e.message : e}`));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  }

  /** @param {any[]} studies */
  function table(studies) {
    const severe = (/** @type {{ severity: string }[]} */ rows) => rows.filter((r) => r.severity === 'SEVERE').length;
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'studies' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Study', 'Project', 'Series', 'Severe (predicted)', 'Severe (labelled)'].map((t, i) =>
              h('th', { scope: 'col', class: i >= 3 ? 'num' : null }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          studies.map((s) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, h('a', { href: `#/studies/${encodeURIComponent(s.id)}` }, s.externalId)),
              h('td', {}, s.project.name),
              h('td', {}, s.series.map((/** @type {{ type: string }} */ x) => SERIES_TYPE_NAMES[x.type] ?? x.type).join(', ')),
              h('td', { class: 'num' }, s.predictions.length ? String(severe(s.predictions)) : h('span', { class: 'muted' }, 'not run')),
              h('td', { class: 'num' }, s.labels.length ? String(severe(s.labels)) : h('span', { class: 'muted' }, 'unlabelled')),
            ),
          ),
        ),
      ),
    );
  }

  return {
    element,
    refresh() {
      cursors = [undefined];
      page = 0;
      return load();
    },
  };
}
