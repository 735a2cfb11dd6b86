/**
 * What inline feedback draws on the publisher's article, without changing it: not one of
 * its elements or text nodes is wrapped, moved or restyled.
 *
 * - Highlights: the CSS Custom Highlight API paints Ranges over the article's own text
 *   (`::highlight(talkback-…)`, from a stylesheet adopted by the document that styles
 *   nothing else). Passages may cross `<em>` or `<a>` and overlap; links keep working.
 *   Where the API is missing, the markers alone show where feedback is.
 * - Everything else (count markers, the "Comment on this" button, the popover) lives in
 *   one `<talkback-inline data-talkback-ui>` element placed right after the article, in
 *   its own shadow root with the widget's stylesheet: page rules on `button` or `span`
 *   cannot reach in (the host's own box is reset inline), ours cannot leak out. Its
 *   place after the article puts the markers next in the keyboard's order.
 *
 * Keyboard readers: select text in the article with the keyboard (caret browsing, F7 in
 * Chromium, or Shift+arrows extending a selection), then press Tab: focus goes to the
 * "Comment on this" button beside the selection (Enter or Space opens the form, Escape
 * hides it). Each passage's count marker follows the article in the Tab order; Enter or
 * Space on it opens its feedback, Escape closes it and returns to the marker.
 */

import { h } from './dom.js';
import { attach } from './shadow.js';

/** The layer's own rules (markers, button, popover box); the popover's content uses embed.css. */
const LAYER_CSS = `
:host{all:initial!important;position:absolute!important;width:0!important;height:0!important;display:block!important;z-index:2147483000!important}
.tb-mark,.tb-pin{position:absolute;display:inline-flex;align-items:center;gap:.25em;margin:0;border:1px solid var(--tb-accent);border-radius:999px;font:600 12px/1.2 var(--tb-font);white-space:nowrap;cursor:pointer;box-shadow:0 1px 3px rgb(0 0 0/.2)}
.tb-mark{min-width:1.6em;height:1.6em;padding:0 .45em;justify-content:center;background:var(--tb-surface);color:var(--tb-accent)}
.tb-mark[aria-expanded=true],.tb-mark:hover{background:var(--tb-accent);color:var(--tb-on-accent)}
.tb-ask{background:var(--tb-accent);color:var(--tb-on-accent)}
.tb-lost{border-style:dashed;color:var(--tb-muted);border-color:var(--tb-muted)}
.tb-pin{padding:.45em .8em;background:var(--tb-accent);color:var(--tb-on-accent);font-size:13px}
.tb-pop{position:absolute;width:min(26rem,calc(100vw - 16px));max-height:min(32rem,80vh);overflow:auto;padding:.75rem 1rem;border:1px solid var(--tb-border);border-radius:var(--tb-radius);background:var(--tb-surface);box-shadow:0 6px 24px rgb(0 0 0/.18);font-size:15px;text-align:start}
.tb-pop-head{display:flex;justify-content:space-between;align-items:center;gap:.5rem;margin-bottom:.5rem}
.tb-pop h2,.tb-pop h3{margin:0;font-size:1em}
.tb-pop section+section{margin-top:1rem;padding-top:.75rem;border-top:1px solid var(--tb-border)}
.tb-pop .tb-list{margin:.5rem 0}
`;

/** The document-level rules: only our named highlights, so nothing else on the page changes. */
const HIGHLIGHT_CSS = `
::highlight(talkback-passage){background-color:rgb(255 200 0/.3)}
::highlight(talkback-question){background-color:rgb(31 95 204/.12);text-decoration:underline dotted rgb(31 95 204) 2px}
::highlight(talkback-active){background-color:rgb(255 160 0/.5)}
`;

const HIGHLIGHTS = ['talkback-passage', 'talkback-question', 'talkback-active'];
/** How a marker's short quote is cut for screen readers. */
const SHORT_QUOTE = 60;
/** Elements a click goes to, not to a highlight under them (the publisher's links keep working). */
const INTERACTIVE = 'a[href], button, input, select, textarea, label, summary, [contenteditable], [tabindex]';

const highlights = () => (typeof Highlight === 'function' && globalThis.CSS?.highlights) || null;

export const shortQuote = (text) => (text.length > SHORT_QUOTE ? `${text.slice(0, SHORT_QUOTE).trimEnd()}…` : text);

export class Layer {
  /** @param {import('./inline.js').Inline} inline */
  constructor(inline) {
    const { ctx, article } = inline;
    const { t } = ctx;
    this.inline = inline;
    this.t = t;
    this.host = document.createElement('talkback-inline');
    this.host.setAttribute('data-talkback-ui', '');
    if (article === document.body || !article.parentNode) document.body.append(this.host);
    else article.after(this.host);
    const { shadow } = attach(this.host, ctx.base);
    this.shadow = shadow;
    adopt(shadow, LAYER_CSS);
    if (highlights()) adopt(document, HIGHLIGHT_CSS);

    /** The selection the button offers to comment on: `{anchor, range}`. */
    this.pending = null;
    this.pin = h('button', { type: 'button', class: 'tb-pin', hidden: true, 'aria-haspopup': 'dialog' }, t('commentOnThis'));
    this.pin.addEventListener('pointerdown', (event) => event.preventDefault()); // keep the selection
    this.pin.addEventListener('click', () => this.compose());
    this.hint = h('p', { class: 'tb-sr', 'aria-live': 'polite' });
    this.status = h('p', { class: 'tb-sr', role: 'status' });
    this.marks = h('div', { class: 'tb-marks' });
    /** Each marker and what it opens: `{key, button, range, start, end, open}`. */
    this.markers = [];
    this.popover = null;
    shadow.append(this.pin, this.hint, this.status, this.marks);
    this.watch();
  }

  /** Say a failure to readers of assistive technology (the article stays readable as it is). */
  failed(error) {
    this.status.textContent = error.describe ? error.describe(this.t) : this.t('errGeneric');
  }

  /** Paint the highlights and set out the markers for the inline state as it is now. */
  draw() {
    const { inline, t } = this;
    const placed = inline.passages.filter((passage) => passage.state === 'placed' && !passage.asked);
    const lost = inline.passages.filter((passage) => passage.state !== 'placed');
    paint('talkback-passage', placed.map((passage) => passage.range));
    paint('talkback-question', inline.questions.map((question) => question.range));
    this.markers = [];
    for (const passage of placed) {
      const quote = shortQuote(passage.anchor.exact);
      this.mark(`p${passage.id}`, String(passage.count), t('feedbackOn', { n: passage.count, quote }), passage.range, [passage], 'tb-mark', passage);
    }
    for (const question of inline.questions) {
      const n = question.passages.reduce((sum, passage) => sum + passage.count, 0);
      const label = t('questionMarker', { n, question: question.question });
      this.mark(`q${question.start}`, n ? t('answersShort', { n }) : t('askShort'), label, question.range, question, 'tb-mark tb-ask', question);
    }
    if (lost.length) {
      const n = lost.reduce((sum, passage) => sum + passage.count, 0);
      // At the end of the article's last words (trailing whitespace is not laid out).
      const end = inline.snapshot.text.trimEnd().length;
      const tail = inline.snapshot.range(Math.max(0, end - 1), end);
      this.mark('lost', t('changedShort', { n }), t('changedPassages', { n }), tail, lost, 'tb-mark tb-lost', { start: end, end });
    }
    // In the article's order, so Tab goes from marker to marker as one reads.
    this.markers.sort((a, b) => a.start - b.start || a.end - b.end);
    this.marks.replaceChildren(...this.markers.map((marker) => marker.button));
    // An open popover stays as the reader left it (a draft, a focused button), only following
    // its passage; the reader's new passage has a marker now, which focus returns to.
    const open = this.popover;
    const still = open && this.markers.find((marker) => marker.key === open.key || open.key === `new:${marker.start}-${marker.end}`);
    if (still) {
      open.key = still.key;
      open.range = still.range;
      this.opener = still.button;
      still.button.setAttribute('aria-expanded', 'true');
    }
    this.layout();
  }

  /** A count marker at the end of `range` ([start, end) of `where`), opening `subject` (passages, or a question). */
  mark(key, text, label, range, subject, className, { start, end }) {
    const button = h('button', { type: 'button', class: className, 'aria-label': label, 'aria-haspopup': 'dialog', 'aria-expanded': 'false' }, text);
    const marker = {
      key,
      button,
      range,
      start,
      end,
      open: () => this.open(marker, subject),
    };
    button.addEventListener('click', () => (this.popover?.key === key ? this.close() : marker.open()));
    this.markers.push(marker);
  }

  /** Put each marker (and the button, and the popover) where its passage is laid out now. */
  layout() {
    const base = this.host.getBoundingClientRect();
    const taken = new Map();
    // Every rectangle is read before any marker moves: a write between two reads would make
    // the browser lay the page out again for each marker (200 passages: 200 layouts).
    const rects = this.markers.map(({ range }) => range && lastRect(range));
    this.markers.forEach(({ button }, n) => {
      const rect = rects[n];
      button.hidden = !rect;
      if (!rect) return;
      // Markers ending on the same spot stand side by side rather than on each other.
      const spot = `${Math.round(rect.right)}:${Math.round(rect.top)}`;
      const shift = taken.get(spot) || 0;
      taken.set(spot, shift + 1);
      button.style.left = `${rect.right - base.left + 2 + shift * 30}px`;
      button.style.top = `${rect.top - base.top - 9}px`;
    });
    if (this.pending && !this.pin.hidden) this.placeBelow(this.pin, this.pending.range);
    if (this.popover) this.placeBelow(this.popover.element, this.popover.range);
  }

  placeBelow(element, range) {
    const rect = range && lastRect(range);
    if (!rect) return;
    const base = this.host.getBoundingClientRect();
    const width = element.offsetWidth || 0;
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    element.style.left = `${left - base.left}px`;
    element.style.top = `${rect.bottom - base.top + 6}px`;
  }

  /** The reader's selection, the clicks on highlighted text, and the layout. */
  watch() {
    const { inline } = this;
    let pressed = false;
    let timer = 0;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.offer(), 60);
    };
    let frame = 0;
    const relayout = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => this.layout());
    };
    document.addEventListener('pointerdown', (event) => {
      if (event.pointerType === 'mouse') pressed = true;
      // A press outside the popover closes it (a press on a highlight opens another on click).
      // (Its own marker is left to toggle it on click.)
      const path = event.composedPath();
      if (this.popover && !path.includes(this.popover.element) && !path.includes(this.opener)) this.close(false);
    }, true);
    document.addEventListener('pointerup', () => {
      pressed = false;
      later();
    }, true);
    // Keyboard and touch selections end with no pointer held; a mouse drag ends on pointerup.
    document.addEventListener('selectionchange', () => pressed || later());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Tab' && !event.shiftKey && !this.pin.hidden && document.activeElement !== this.host) {
        event.preventDefault();
        this.pin.focus();
      } else if (event.key === 'Escape' && !this.pin.hidden) {
        this.hidePin();
      }
    });
    document.addEventListener('click', (event) => {
      const target = /** @type {Element} */ (event.target);
      if (!(target instanceof Element) || !inline.article.contains(target) || target.closest(INTERACTIVE)) return;
      if (!document.getSelection()?.isCollapsed) return; // the end of a selection, not a click
      this.hit(target, event.clientX, event.clientY);
    });
    addEventListener('resize', relayout);
    new ResizeObserver(relayout).observe(inline.article);
    document.fonts?.ready.then(relayout, () => null);
  }

  /** A click on highlighted text opens the feedback under it (all of it, where passages overlap). */
  hit(target, x, y) {
    const question = this.inline.questions.find((candidate) => candidate.element.contains(target));
    const marker = question && this.markers.find((candidate) => candidate.key === `q${question.start}`);
    if (marker) return marker.open();
    const under = this.inline.passages.filter((passage) => passage.state === 'placed' && !passage.asked && covers(passage.range, x, y));
    if (!under.length) return;
    const first = this.markers.find((candidate) => candidate.key === `p${under[0].id}`);
    if (first) this.open(first, under);
  }

  /** Bring a passage into view and open its feedback (or its question's). */
  reveal(passage) {
    const key = passage.asked ? `q${passage.asked.start}` : `p${passage.id}`;
    const marker = this.markers.find((candidate) => candidate.key === key);
    if (!marker) return;
    marker.button.scrollIntoView({ block: 'center' });
    marker.open();
  }

  /** Show or hide the button for the reader's current selection. */
  offer() {
    if (this.shadow.activeElement === this.pin) return; // the reader is on it: keep what it offers
    const selection = document.getSelection();
    const range = selection && selection.rangeCount && !selection.isCollapsed ? selection.getRangeAt(0) : null;
    const { inline } = this;
    // A closed thread takes no new feedback: no button to start some.
    const anchor = range && !inline.ctx.closed && inline.snapshot.anchorOf(range, inline.hash);
    if (!anchor) return this.hidePin();
    // A new selection in the article: the reader has moved on from an open popover.
    if (this.popover) this.close(false);
    const wasHidden = this.pin.hidden;
    this.pending = { anchor, range: inline.snapshot.range(anchor.start, anchor.end) };
    this.pin.hidden = false;
    this.placeBelow(this.pin, this.pending.range);
    if (wasHidden) this.hint.textContent = this.t('pinHint');
  }

  hidePin() {
    this.pending = null;
    this.pin.hidden = true;
    this.hint.textContent = '';
  }

  /** The button was pressed: a form for feedback on the selected passage. */
  compose() {
    const pending = this.pending;
    if (!pending) return;
    this.hidePin();
    const { anchor, range } = pending;
    document.getSelection()?.removeAllRanges(); // the active highlight shows the passage from now on
    const marker = { key: `new:${anchor.start}-${anchor.end}`, button: this.pin, range };
    this.open(marker, { compose: anchor }, this.pin);
  }

  /** Open the popover for `subject` below `marker`'s passage; focus returns to `opener` (the marker) when it closes. */
  async open(marker, subject, opener = marker.button) {
    this.close(false);
    const { Popover } = await import('./inline_popover.js');
    const popover = new Popover(this.inline, marker.key, marker.range, () => this.close());
    this.popover = popover;
    this.opener = opener;
    opener.setAttribute('aria-expanded', 'true');
    this.shadow.append(popover.element);
    paint('talkback-active', [popover.range].filter(Boolean));
    popover.update(subject);
    this.placeBelow(popover.element, popover.range);
    popover.focus();
  }

  close(refocus = true) {
    if (!this.popover) return;
    this.popover.element.remove();
    this.popover = null;
    paint('talkback-active', []);
    const opener = this.opener;
    opener?.setAttribute('aria-expanded', 'false');
    // The "Comment on this" button is gone by now: its marker, if the post made one, takes focus.
    if (refocus && opener?.isConnected && !opener.hidden) opener.focus();
  }
}

function adopt(root, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.append?.(h('style', {}, css)); // no constructable stylesheets: a style element in our own root
  }
}

function paint(name, ranges) {
  const registry = highlights();
  if (!registry || !HIGHLIGHTS.includes(name)) return;
  if (ranges.length) registry.set(name, new Highlight(...ranges));
  else registry.delete(name);
}

/** The last box a range is laid out in (where a marker goes), or null when it is not shown. */
function lastRect(range) {
  const rects = [...range.getClientRects()].filter((rect) => rect.width || rect.height);
  return rects[rects.length - 1] || null;
}

function covers(range, x, y) {
  return [...range.getClientRects()].some((rect) => x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom);
}
