/**
 * The popover a passage's marker (or a click on its highlight, or "Comment on this")
 * opens: the quoted passage, the publisher's question if it is one, the feedback on it
 * with replies and votes as in the thread, and a form to add feedback on the same words.
 * Passages that have changed are listed with their original quote and no form: their
 * words are no longer in the article to anchor to.
 *
 * Comments here are drawn by comment.js, as in the thread. Its actions reach
 * `ctx.thread`; the popover's own ctx answers them here and passes each on to the
 * comment section, so a reply, an edit or a deletion shows in both places.
 */

import { MAX_INDENT, renderComment, updateComment } from './comment.js';
import { h, showError } from './dom.js';
import { createForm } from './form.js';
import { shortQuote } from './inline_layer.js';

export class Popover {
  /**
   * @param {import('./inline.js').Inline} inline
   * @param {string} key which marker opened it (the layer keeps it open across redraws)
   * @param {Range | null} range the passage it belongs to, for placing it
   * @param {() => void} close
   */
  constructor(inline, key, range, close) {
    const { ctx } = inline;
    this.inline = inline;
    this.key = key;
    this.range = range;
    this.records = new Map();
    this.heading = h('h2', { id: 'tb-pop-title', tabindex: -1 });
    this.body = h('div', {});
    this.element = h(
      'div',
      { class: 'tb tb-pop', role: 'dialog', 'aria-labelledby': 'tb-pop-title' },
      h('div', { class: 'tb-pop-head' }, this.heading, h('button', { type: 'button', class: 'tb-link', onclick: close }, ctx.t('close'))),
      this.body,
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        close();
      }
    });
    const thread = ctx.thread;
    const here = this;
    // What comment.js asks of "the thread", answered in the popover and in the section.
    this.ctx = {
      ...ctx,
      inPassage: true,
      thread: {
        ownPosted(comment) {
          thread.ownPosted(comment);
          inline.refresh();
          return here.insert(comment);
        },
        takenDown(id, message) {
          thread.takenDown(id, message);
          here.drop(id);
          inline.refresh();
        },
        deleted(id) {
          thread.deleted(id);
          here.drop(id);
          inline.refresh();
        },
      },
    };
  }

  focus() {
    (this.element.querySelector('textarea') || this.heading).focus();
  }

  /**
   * Fill it for `subject`: an array of passages (a marker, a click where passages
   * overlap, or the changed ones), a publisher's question, or `{compose: anchor}` (a
   * new passage the reader selected).
   */
  update(subject) {
    const { t } = this.ctx;
    this.records.clear();
    if (subject.compose) {
      this.heading.textContent = t('feedbackTitle');
      this.body.replaceChildren(this.section(subject.compose, [], true));
    } else if (subject.question) {
      this.heading.textContent = t('questionTitle');
      const { start, end, question, passages } = subject;
      const ids = passages.flatMap((passage) => passage.comment_ids);
      this.body.replaceChildren(this.section(this.inline.anchorAt(start, end, question), ids, true));
    } else {
      const lost = subject.every((passage) => passage.state !== 'placed');
      this.heading.textContent = lost ? t('changedPassages', { n: subject.reduce((sum, passage) => sum + passage.count, 0) }) : t('feedbackTitle');
      this.body.replaceChildren(
        ...subject.map((passage) => {
          const placed = passage.state === 'placed';
          // New feedback here anchors to the words as they read now (equal to the old
          // anchor, so in the same passage, while the article is unchanged).
          const anchor = placed ? this.inline.anchorAt(passage.start, passage.end, passage.anchor.question) : passage.anchor;
          return this.section(anchor, passage.comment_ids, placed, passage.state);
        }),
      );
    }
  }

  /** One passage: its quote, its feedback (read when opened), and a form if it is in the
   * article and the thread is open. */
  section(anchor, ids, writable, state = 'placed') {
    const { t } = this.ctx;
    const list = h('ol', { class: 'tb-list' });
    const status = h('div', { class: 'tb-status', 'aria-live': 'polite' });
    const notice = h('p', { class: 'tb-notice', role: 'status', hidden: true });
    const section = h(
      'section',
      { class: 'tb-passage' },
      h(
        'blockquote',
        { class: 'tb-quote' },
        anchor.question && h('p', { class: 'tb-question' }, anchor.question),
        h('p', { class: 'tb-quoted' }, shortQuote(anchor.exact)),
        state !== 'placed' && h('p', { class: 'tb-changed' }, t(state === 'changed' ? 'passageChanged' : 'passageUnknown')),
      ),
      list,
      status,
      notice,
    );
    if (writable && !this.ctx.closed) {
      section.append(
        createForm(this.ctx, {
          anchor,
          onDone: (result) => {
            this.listFor = list; // where the reader's own new feedback goes
            notice.hidden = !result.held;
            notice.textContent = result.held ? t(result.held) : '';
            if (!result.held) this.ctx.thread.ownPosted(result.comment)?.article.focus();
            if (result.notified) section.append(result.notified);
          },
        }),
      );
    }
    if (ids.length) this.fill(list, status, ids);
    this.listFor ||= list;
    return section;
  }

  async fill(list, status, ids) {
    const { t } = this.ctx;
    status.textContent = t('loading');
    try {
      const comments = await this.inline.feedback(ids);
      status.textContent = '';
      for (const comment of comments) this.build(comment, null, list);
    } catch (error) {
      showError(status, error, t, () => this.fill(list, status, ids));
    }
  }

  /** A comment and its replies; replies nest one level here (the popover is narrow), further ones follow flat. */
  build(comment, parent, list) {
    if (this.records.has(comment.id)) return this.records.get(comment.id);
    const depth = parent ? parent.depth + 1 : 0;
    const record = { comment, parent, depth, list, item: h('li', { class: 'tb-item' }), replies: null };
    this.records.set(comment.id, record);
    record.item.append(renderComment(record, this.ctx));
    list.append(record.item);
    for (const reply of comment.replies || []) this.build(reply, record, depth ? list : this.repliesOf(record));
    return record;
  }

  repliesOf(record) {
    record.replies ||= record.item.appendChild(h('ol', { class: 'tb-replies' }));
    return record.replies;
  }

  /** The reader's own comment: a reply under its parent, new feedback last in its passage. */
  insert(comment) {
    const parent = comment.parent_id ? this.records.get(comment.parent_id) : null;
    if (comment.parent_id && !parent) return null;
    const list = parent ? (parent.depth < Math.min(1, MAX_INDENT) ? this.repliesOf(parent) : parent.list) : this.listFor;
    const record = this.build({ ...comment, replies: [] }, parent, list);
    record.item.classList.add('tb-fresh');
    return record;
  }

  drop(id) {
    const record = this.records.get(id);
    if (!record) return;
    if ([...this.records.values()].some((other) => other.parent === record)) {
      updateComment(record, { ...record.comment, status: 'deleted', html: '', author: { name: null, avatar: null } }, this.ctx);
    } else {
      record.item.remove();
      this.records.delete(id);
    }
  }
}
