// A study's results as a DICOM Structured Report: download it (GET /exports/studies/{id}/sr.dcm, fetched with the
// bearer token when there is one) or send it to one of the project's DICOMweb sources (storeStudySr, STOW-RS).
// @ts-check
import { request, token } from './api.js';
import { errorText } from './data-panel.js';
import { announce, h } from './dom.js';

const Q = {
  sources: `query Sources($p: ID!) { dicomwebSources(projectId: $p) { name linkage } }`,
  store: `mutation Store($input: StoreStudySrInput!) { storeStudySr(input: $input) { sopInstanceUid studyInstanceUid linked } }`,
};

/**
 * @param {{ studyId: string, projectId: string, modelSetId: () => string }} options
 * @returns {HTMLElement}
 */
export function srActions({ studyId, projectId, modelSetId }) {
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const source = /** @type {HTMLSelectElement} */ (h('select', { id: 'sr-source' }));
  const send = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', disabled: true, onclick: () => store() }, 'Send the SR'));
  const sendField = h('div', { class: 'field', hidden: true }, h('label', { for: 'sr-source' }, 'To DICOMweb source'), source);

  async function download() {
    status.textContent = 'Building the SR…';
    const q = new URLSearchParams(modelSetId() ? { modelSetId: modelSetId() } : {});
    const res = await fetch(`/exports/studies/${encodeURIComponent(studyId)}/sr.dcm?${q}`, {
      headers: token() ? { authorization: `Bearer ${token()}` } : {},
    });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      status.textContent = `Could not build the SR: ${body?.error?.message ?? `${res.status} ${res.statusText}`}`;
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `${studyId}-sr.dcm` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    const uids = res.headers.get('x-spinegraph-sr-uids');
    status.textContent = `SR downloaded (${uids === 'original' ? 'it references the original study' : "it references spinegraph's pseudonymous UIDs"}).`;
    announce(status.textContent);
  }

  async function store() {
    send.disabled = true;
    status.textContent = `Sending the SR to ${source.value}…`;
    try {
      const input = { studyId, source: source.value, ...(modelSetId() ? { modelSetId: modelSetId() } : {}) };
      const stored = (await request(Q.store, { input })).storeStudySr;
      status.textContent = `SR stored at ${source.value} (SOP Instance UID ${stored.sopInstanceUid}; ${stored.linked ? 'in the original study' : 'under the pseudonymous study'}).`;
      announce(status.textContent);
    } catch (e) {
      status.textContent = `Could not send the SR: ${errorText(e)}`;
    } finally {
      send.disabled = false;
    }
  }

  request(Q.sources, { p: projectId })
    .then(({ dicomwebSources }) => {
      source.replaceChildren(...dicomwebSources.map((/** @type {{ name: string }} */ s) => h('option', { value: s.name }, s.name)));
      sendField.hidden = dicomwebSources.length === 0;
      send.disabled = dicomwebSources.length === 0;
      send.hidden = dicomwebSources.length === 0;
    })
    .catch(() => (send.hidden = true));

  return h(
    'section',
    { class: 'panel sr-panel', 'aria-labelledby': 'sr-heading' },
    h('h2', { id: 'sr-heading' }, 'Results as DICOM SR'),
    h('p', { class: 'muted' }, 'A Comprehensive SR of the predictions and keypoints of the chosen model set (see docs/dicom-sr.md).'),
    h('div', { class: 'sr-actions' }, h('button', { type: 'button', onclick: () => download() }, 'Download the SR'), sendField, send),
    status,
  );
}
