/**
 * DOM building. Strings always become text nodes, never markup, so nothing a reader wrote
 * can turn into HTML; the one exception, the sanitised comment body, is in comment.js.
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An element. Props: `on…` are listeners, false/null are skipped, true is an empty
 * attribute, the rest attributes. Children: nodes, or strings appended as text.
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child != null && child !== false));
  return node;
}

/** A 16×16 stroked icon, hidden from screen readers (its button carries the words). */
export function icon(path) {
  const svg = document.createElementNS(SVG, 'svg');
  const shape = document.createElementNS(SVG, 'path');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'tb-icon');
  shape.setAttribute('d', path);
  svg.append(shape);
  return svg;
}

/** Text only screen readers see, e.g. the word next to a vote arrow. */
export const hiddenText = (text) => h('span', { class: 'tb-sr' }, text);

/**
 * Say in `box` what went wrong, in the reader's words, with a Retry button when trying
 * again can help. Every caught failure ends here: nothing fails silently.
 */
export function showError(box, error, t, retry = null) {
  const message = error.describe ? error.describe(t) : t('errGeneric');
  box.replaceChildren(h('span', {}, message));
  if (retry) box.append(h('button', { type: 'button', class: 'tb-link', onclick: retry }, t('retry')));
  box.hidden = false;
}
