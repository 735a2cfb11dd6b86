/**
 * Long comments, and long quotes inside comments, fold to a few lines behind "Show more",
 * so one pasted article does not push the rest of the thread out of reach.
 *
 * No layout is forced to decide: sizes come from a ResizeObserver, which reports after
 * layout and before paint, so a reader never sees a tall comment snap shut.
 */

import { h } from './dom.js';

/** A comment this long (quotes that fold aside) folds whatever its width: about five paragraphs. */
const LONG_TEXT = 1200;
/**
 * Laid out taller than these (px), a comment's text or a quote in it folds: about twice its
 * folded height (embed.css), so "Show more" never opens on a line or two.
 */
const TALL_TEXT = 480;
const TALL_QUOTE = 240;

/**
 * Fold `body` (a comment's text, already in its comment) and the quotes in it, where long.
 * Each is decided once, at its first layout: a comment does not fold or open under the
 * reader's eyes later (a narrower window leaves it as it is).
 */
export function foldLong(body, ctx) {
  ctx.folds ||= new ResizeObserver((entries) => {
    // Every size is read before anything folds, so the folding forces no extra layout;
    // and a watched text never changes size inside this callback (the browser's loop error).
    const folds = [];
    for (const { target, contentRect } of entries) {
      if (!contentRect.height) continue; // not laid out yet
      ctx.folds.unobserve(target);
      // A short answer under a long quote: the quote folds, the answer stays open.
      let { height } = contentRect;
      let length = target.textContent.length;
      for (const quote of target.querySelectorAll(':scope > blockquote')) {
        if (quote.offsetHeight <= TALL_QUOTE) continue;
        folds.push(quote);
        height -= quote.offsetHeight;
        length -= quote.textContent.length;
      }
      if (height > TALL_TEXT || length > LONG_TEXT) folds.push(target);
    }
    for (const part of folds) fold(part, ctx);
  });
  // Refilled after an edit: its old fold goes with the old text.
  body.classList.remove('tb-folded');
  if (body.nextElementSibling?.matches('.tb-unfold')) body.nextElementSibling.remove();
  ctx.folds.observe(body);
}

function fold(part, ctx) {
  const show = (open) => {
    part.classList.toggle('tb-folded', !open);
    control.setAttribute('aria-expanded', String(open));
    control.textContent = ctx.t(open ? 'showLess' : 'showMore');
  };
  const control = h('button', {
    type: 'button',
    class: 'tb-link tb-unfold',
    onclick() {
      const open = part.matches('.tb-folded');
      show(open);
      // Folding a long text from its end would leave the reader far below it.
      if (!open) control.scrollIntoView({ block: 'nearest' });
    },
  });
  // Tabbing to a link hidden in the fold opens it rather than scroll inside the clipped box.
  part.addEventListener('focusin', () => show(true));
  show(false);
  part.after(control);
}

/**
 * A comment's text as the reader sees it, paragraphs apart, without the "Show more" of its
 * folded quotes (hidden while it is read: innerText skips what is not shown). Clipped by a
 * fold or not, all of it is there.
 */
export function shownText(body) {
  const controls = body.querySelectorAll('.tb-unfold');
  for (const control of controls) control.hidden = true;
  const text = body.innerText.trim();
  for (const control of controls) control.hidden = false;
  return text;
}
