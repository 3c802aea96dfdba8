// Tiny DOM helpers: elements are built with createElement and text nodes only (never innerHTML), so nothing the
// API returns can inject markup.
// @ts-check

/**
 * @param {string} tag
 * @param {Record<string, unknown>} [props] attributes; `class`, `text`, `on<event>` handlers and `style` (an object) are special
 * @param {...(Node | string | number | null | undefined | false | (Node | string | null | undefined | false)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'style')
      for (const [p, v] of Object.entries(/** @type {Record<string, string>} */ (value))) el.style.setProperty(p, v);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} parent @param {unknown[]} children */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. @param {Element} el @param {...unknown} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @param {number} fraction 0..1 @param {number} [digits] */
export function percent(fraction, digits = 0) {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** @param {number | null | undefined} n @param {number} [digits] */
export function fixed(n, digits = 3) {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

/** "12 s", "3 min 4 s", "2 h 5 min". @param {number} ms */
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A short local date-time. @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Says something to screen readers once (polite). @param {string} message */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Re-setting identical text is not re-announced; clear first.
  region.textContent = '';
  requestAnimationFrame(() => (region.textContent = message));
}
