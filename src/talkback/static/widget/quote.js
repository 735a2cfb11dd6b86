/**
 * "Quote" on a comment: the reply to it starts with the words the reader selected in it,
 * else its whole text, as a Markdown blockquote (`> ` lines), the caret after it, so the
 * reader answers a point rather than retyping it. Loaded on the first press (comment.js):
 * most readers never quote.
 */

import { shownText } from './fold.js';

/**
 * Open the reply form under `record` with `reply` (its Reply toggle), or add to the draft
 * already open there. The selection is read first: opening the form moves the focus.
 */
export function quoteInReply(record, reply) {
  const { body } = record;
  const root = body.getRootNode();
  // Chromium tells a selection inside a shadow root only to that root; others to the document.
  const selection = root.getSelection ? root.getSelection() : getSelection();
  const range = selection.rangeCount && selection.getRangeAt(0);
  const picked = range && !range.collapsed && body.contains(range.startContainer) && body.contains(range.endContainer);
  const words = (picked && selection.toString().trim()) || shownText(body);
  // Every line quoted, blank ones too, so paragraphs stay in one blockquote. (No template
  // literals here: the server's minifier, rJSmin, takes their spaces for layout.)
  const quote = words.split('\n').map((line) => ('> ' + line).trimEnd()).join('\n') + '\n\n';
  if (reply.getAttribute('aria-expanded') !== 'true') reply.click();
  const text = record.slot.querySelector('textarea');
  text.value = text.value.trim() ? text.value.trimEnd() + '\n\n' + quote : quote;
  text.dispatchEvent(new Event('input')); // kept as the draft, like typing
  text.focus();
  text.setSelectionRange(text.value.length, text.value.length);
}
