// Administration (#/admin): the memberships of the projects you administer (grant a role, revoke one), the audit
// log for system administrators (filtered, newest first, page by page), and the queue board behind a short-lived
// admin cookie (a browser cannot send the bearer header with the board's page and scripts).
// @ts-check
import { ApiError, request, token } from './api.js';
import { announce, dateTime, h, replace } from './dom.js';

const Q = {
  me: `query Me { me { email isAdmin user { id } memberships { project { id name } role } } }`,
  projects: `query Projects { projects { id name role } }`,
  memberships: `query Members($p: String!) { memberships(project: $p) { user { email isAdmin } role createdAt } }`,
  grant: `mutation Grant($input: GrantMembershipInput!) { grantMembership(input: $input) { user { email } role project { name } } }`,
  revoke: `mutation Revoke($input: RevokeMembershipInput!) { revokeMembership(input: $input) { user { email } role } }`,
  audit: `query Audit($f: AuditEventFilter, $after: String) {
    auditEvents(filter: $f, first: 25, after: $after) { nodes { id at userEmail action outcome targetIds detail } endCursor hasNextPage } }`,
};

/** @param {unknown} e */
const message = (e) => (e instanceof ApiError ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(e));

/** @param {HTMLElement} main */
export async function renderAdminView(main) {
  document.title = 'Administration · spinegraph';
  const heading = h('h1', { tabindex: '-1' }, 'Administration');
  const content = h('div', { 'aria-busy': 'true' }, 'Loading…');
  replace(main, h('p', {}, h('a', { href: '#/' }, '← Dashboard')), heading, content);
  heading.focus();
  let me;
  let projects;
  try {
    [{ me }, { projects }] = await Promise.all([request(Q.me), request(Q.projects)]);
  } catch (e) {
    replace(content, h('p', { class: 'error', role: 'alert' }, `Could not load your account: ${message(e)}`));
    return;
  }
  const administered = projects.filter((/** @type {{ role: string }} */ p) => p.role === 'ADMIN');
  replace(
    content,
    h(
      'p',
      { class: 'muted' },
      `Signed in as ${me.email}${me.isAdmin ? ', system administrator' : ''}. `,
      administered.length ? '' : 'You administer no project: ask a project administrator or a system administrator for the role.',
    ),
    administered.length ? membershipsPanel(administered) : null,
    // Project administrators read the events naming their projects (the API scopes them).
    me.isAdmin || administered.length ? auditPanel() : null,
    me.isAdmin ? queuesPanel() : null,
  );
  content.setAttribute('aria-busy', 'false');
}

/** @param {{ id: string, name: string }[]} projects */
function membershipsPanel(projects) {
  const projectSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'admin-project' },
      projects.map((p) => h('option', { value: p.id }, p.name)),
    )
  );
  const email = /** @type {HTMLInputElement} */ (h('input', { id: 'admin-email', type: 'email', required: true, autocomplete: 'off' }));
  const role = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'admin-role' },
      ['VIEWER', 'RESEARCHER', 'ADMIN'].map((r) => h('option', { value: r }, r.toLowerCase())),
    )
  );
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'memberships' },
    h('caption', {}, 'Members of the project'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Email', 'Role', 'Since', ''].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    tbody,
  );

  async function load() {
    try {
      const { memberships } = await request(Q.memberships, { p: projectSelect.value });
      replace(
        tbody,
        memberships.map((/** @type {any} */ m) =>
          h(
            'tr',
            { 'data-email': m.user.email },
            h('th', { scope: 'row' }, m.user.email),
            h('td', { class: 'role' }, m.role.toLowerCase()),
            h('td', {}, dateTime(m.createdAt)),
            h(
              'td',
              {},
              h(
                'button',
                { type: 'button', class: 'small', 'aria-label': `Revoke ${m.user.email}`, onclick: () => revoke(m.user.email) },
                'Revoke',
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      status.textContent = `Could not load the members: ${message(e)}`;
    }
  }

  /** @param {string} who */
  async function revoke(who) {
    try {
      await request(Q.revoke, { input: { project: projectSelect.value, email: who } });
      status.textContent = `Revoked ${who}.`;
      announce(status.textContent);
      await load();
    } catch (e) {
      status.textContent = `Could not revoke ${who}: ${message(e)}`;
    }
  }

  const form = h(
    'form',
    { class: 'grant-form' },
    h('div', { class: 'field' }, h('label', { for: 'admin-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'admin-role' }, 'Role'), role),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Grant')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const granted = (await request(Q.grant, { input: { project: projectSelect.value, email: email.value, role: role.value } }))
        .grantMembership;
      status.textContent = `${granted.user.email} is now ${granted.role.toLowerCase()} in ${granted.project.name}.`;
      announce(status.textContent);
      email.value = '';
      await load();
    } catch (err) {
      status.textContent = `Could not grant: ${message(err)}`;
    }
  });
  projectSelect.addEventListener('change', load);
  load();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'memberships-heading' },
    h('h2', { id: 'memberships-heading' }, 'Memberships'),
    h('div', { class: 'field' }, h('label', { for: 'admin-project' }, 'Project'), projectSelect),
    form,
    status,
    h('div', { class: 'table-scroll' }, table),
  );
}

function auditPanel() {
  const action = /** @type {HTMLInputElement} */ (
    h('input', { id: 'audit-action', type: 'text', placeholder: 'e.g. mutation.grantMembership' })
  );
  const outcome = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'audit-outcome' },
      h('option', { value: '' }, 'any'),
      ['SUCCESS', 'DENIED', 'ERROR'].map((o) => h('option', { value: o }, o.toLowerCase())),
    )
  );
  const tbody = h('tbody');
  const more = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'small', hidden: true }, 'Older events'));
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  /** @type {string | null} */
  let cursor = null;

  /** @param {boolean} append */
  async function load(append) {
    const f = { ...(action.value.trim() ? { action: action.value.trim() } : {}), ...(outcome.value ? { outcome: outcome.value } : {}) };
    try {
      const page = (await request(Q.audit, { f, after: append ? cursor : null })).auditEvents;
      const rows = page.nodes.map((/** @type {any} */ e) =>
        h(
          'tr',
          { class: `audit outcome-${e.outcome.toLowerCase()}` },
          h('td', {}, dateTime(e.at)),
          h('td', {}, e.userEmail ?? '–'),
          h('th', { scope: 'row' }, e.action),
          h('td', {}, e.outcome.toLowerCase()),
          h('td', { class: 'muted' }, [e.targetIds.slice(0, 3).join(', '), e.detail ? ` ${e.detail}` : ''].join('')),
        ),
      );
      if (append) tbody.append(...rows);
      else replace(tbody, rows);
      cursor = page.endCursor;
      more.hidden = !page.hasNextPage;
      status.textContent = '';
    } catch (e) {
      status.textContent = `Could not load the audit log: ${message(e)}`;
    }
  }
  const form = h(
    'form',
    { class: 'audit-filter' },
    h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'Action'), action),
    h('div', { class: 'field' }, h('label', { for: 'audit-outcome' }, 'Outcome'), outcome),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load(false);
  });
  more.addEventListener('click', () => load(true));
  load(false);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'audit-heading' },
    h('h2', { id: 'audit-heading' }, 'Audit log'),
    form,
    status,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'audit-log' },
        h('caption', {}, 'Newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Time', 'User', 'Action', 'Outcome', 'Targets'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
}

function queuesPanel() {
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const open = h('button', { type: 'button' }, 'Open the queue board');
  open.addEventListener('click', async () => {
    const res = await fetch('/admin/session', { method: 'POST', headers: token() ? { authorization: `Bearer ${token()}` } : {} });
    if (!res.ok) {
      status.textContent = `The server refused an admin session (${res.status}).`;
      return;
    }
    const board = await fetch('/admin/queues/', { method: 'HEAD' });
    if (board.status === 404) {
      status.textContent = 'This server runs its jobs in-process (no Redis), so it has no queue board.';
      return;
    }
    window.open('/admin/queues/', '_blank', 'noopener');
    status.textContent = 'The queue board opened in a new tab (the session lasts 10 minutes).';
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'queues-heading' },
    h('h2', { id: 'queues-heading' }, 'Queues'),
    h('p', { class: 'muted' }, 'Bull Board shows the BullMQ queues: waiting, active, failed and completed jobs.'),
    open,
    status,
  );
}
