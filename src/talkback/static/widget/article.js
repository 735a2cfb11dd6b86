/**
 * The publisher's article as text, the one both the widget and the server anchor to
 * (docs: issue 14's brief). The text is every Text node of the article container, in
 * document order, with no whitespace normalised, skipping what a reader does not read as
 * the article: script, style, noscript, template and textarea contents, anything hidden
 * with the `hidden` attribute, and every Talkback element. Offsets are JavaScript string
 * offsets (UTF-16 code units), so the server's `start`/`end` mean the same characters.
 *
 * The publisher's DOM is only read here, never changed: passages become Ranges, which
 * the Highlight API paints without wrapping a single text node.
 */

/** Elements whose text is not the article's. */
const SKIPPED = 'script, style, noscript, template, textarea, [hidden], #talkback, [data-talkback], [data-talkback-campaign], [data-talkback-ui]';
/** Characters of context kept on each side of a quote (the brief's widget rule). */
export const CONTEXT = 32;
/** The API's limit on a quote. */
export const MAX_QUOTE = 2000;

/** A snapshot of the article's text: `text`, and its Text nodes with where each starts. */
export class ArticleText {
  /** @param {Element} root */
  constructor(root) {
    this.root = root;
    /** @type {{node: Text, start: number}[]} */
    this.nodes = [];
    const parts = [];
    let length = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.nodeType === Node.ELEMENT_NODE
          ? /** @type {Element} */ (node).matches(SKIPPED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP
          : NodeFilter.FILTER_ACCEPT,
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const data = /** @type {Text} */ (node).data;
      if (!data) continue;
      this.nodes.push({ node: /** @type {Text} */ (node), start: length });
      parts.push(data);
      length += data.length;
    }
    this.text = parts.join('');
  }

  /**
   * A Range over [start, end). Boundaries between two nodes go to the node the passage
   * is in, so a passage never starts at the end of the node before it.
   * @returns {Range | null}
   */
  range(start, end) {
    if (!(start >= 0 && end > start && end <= this.text.length)) return null;
    const first = this.locate(start, false);
    const last = this.locate(end, true);
    const range = document.createRange();
    range.setStart(first.node, start - first.start);
    range.setEnd(last.node, end - last.start);
    return range;
  }

  /** The node holding `offset`: the one ending there (`ending`) or the one starting there. */
  locate(offset, ending) {
    let low = 0;
    let high = this.nodes.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const { start } = this.nodes[middle];
      if (ending ? start < offset : start <= offset) low = middle;
      else high = middle - 1;
    }
    return this.nodes[low];
  }

  /** The text offset of a DOM boundary point; points outside the article clamp to its ends. */
  offsetOf(container, offset) {
    const known = this.nodes.find(({ node }) => node === container);
    if (known) return known.start + Math.min(offset, known.node.data.length);
    const point = document.createRange();
    point.setStart(container, offset);
    // The first text node at or after the point: the point's offset is where it starts.
    let low = 0;
    let high = this.nodes.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (point.comparePoint(this.nodes[middle].node, 0) < 0) low = middle + 1;
      else high = middle;
    }
    return low < this.nodes.length ? this.nodes[low].start : this.text.length;
  }

  /**
   * The anchor of a DOM Range inside the article, its ends trimmed of whitespace, or null
   * when it holds no article text (or more than the API takes).
   * @param {Range} range
   * @param {string} [hash] the text's hash, when known
   */
  anchorOf(range, hash) {
    if (!this.nodes.length || !range.intersectsNode(this.root)) return null;
    let start = this.offsetOf(range.startContainer, range.startOffset);
    let end = this.offsetOf(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(this.text[start])) start++;
    while (end > start && /\s/.test(this.text[end - 1])) end--;
    if (end <= start || end - start > MAX_QUOTE) return null;
    return this.anchorAt(start, end, hash);
  }

  /** The anchor of [start, end) in this text, with the brief's 32 characters of context. */
  anchorAt(start, end, hash) {
    const anchor = {
      exact: this.text.slice(start, end),
      prefix: this.text.slice(Math.max(0, start - CONTEXT), start),
      suffix: this.text.slice(end, end + CONTEXT),
      start,
      end,
    };
    if (hash) anchor.text_hash = hash;
    return anchor;
  }

  /** The offsets of an element's own text (a publisher's question span), or null if it has none. */
  spanOf(element) {
    const inside = this.nodes.filter(({ node }) => element.contains(node));
    if (!inside.length) return null;
    const last = inside[inside.length - 1];
    return { start: inside[0].start, end: last.start + last.node.data.length };
  }
}

/** The lowercase hex SHA-256 of the text's UTF-8 bytes, or null where the browser has no crypto.subtle. */
export async function hashText(text) {
  if (!globalThis.crypto?.subtle) return null;
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

/**
 * The brief's widget rule: the passage is still where its anchor says, with the same
 * context on both sides (or on the very text it was made on).
 * @returns {boolean}
 */
export function stillThere(anchor, text, hash) {
  const { start, end, exact } = anchor;
  if (!(Number.isInteger(start) && Number.isInteger(end)) || text.slice(start, end) !== exact) return false;
  if (hash && anchor.text_hash === hash) return true;
  return text.slice(0, start).endsWith(anchor.prefix || '') && text.slice(end).startsWith(anchor.suffix || '');
}
