/**
 * The comment section: count, sort tabs, the reader's line (account.js, loaded when
 * needed), form, threaded list, "Load more", deep links.
 * Each comment on screen has a record `{comment, parent, depth, list, item, article, …}`
 * in `records`, so live events and actions find it without searching the DOM.
 */

import { MAX_INDENT, renderComment, showMarks, showPassageState, showVotes, updateComment } from './comment.js';
import { h, showError } from './dom.js';
import { createForm } from './form.js';

const SORTS = ['newest', 'oldest', 'most_voted'];
/** How far a deep link may page through a thread to find its comment before giving up. */
const MAX_DEEP_LINK_PAGES = 50;

export class Thread {
  /** @param {object} ctx the mount's shared state; the thread joins it as `ctx.thread` */
  constructor(ctx) {
    const { t } = ctx;
    this.ctx = ctx;
    ctx.thread = this;
    this.records = new Map();
    this.sort = SORTS[0];
    /** `inline` while the Inline Feedbacks tab is pressed (only comments on a passage), `featured` while Featured is, else null. */
    this.filter = null;
    this.cursor = null;
    this.count = 0;
    this.generation = 0;
    /** Hooks for live.js: a reload drops pending arrivals; the reader's own post is not "new". */
    this.onReload = null;
    this.onOwn = null;

    this.heading = h('h2', { class: 'tb-count', id: 'tb-title' });
    this.tabs = SORTS.map((sort) =>
      h('button', { type: 'button', class: 'tb-tab', 'data-sort': sort, 'aria-pressed': 'false', onclick: () => this.load(sort) }, t(sort)),
    );
    // Inline feedback is a filter beside the sorts (on pages that mark an article): it
    // keeps the sort, and pressing it again shows the whole thread.
    this.inlineTab =
      ctx.article &&
      h('button', { type: 'button', class: 'tb-tab tb-filter', 'aria-pressed': 'false', onclick: () => this.load(this.sort, undefined, this.filter ? null : 'inline') }, t('inlineFeedbacks'));
    this.featuredTab = h('button', { type: 'button', class: 'tb-tab tb-filter', 'aria-pressed': 'false', onclick: () => this.load(this.sort, undefined, this.filter === 'featured' ? null : 'featured') }, t('featured'));
    // A closed thread shows why in place of the form (the moderator's message, or a default).
    this.closedNote = h('p', { class: 'tb-closed-note', role: 'status', hidden: true });
    this.form = createForm(ctx, { onDone: (result) => this.posted(result) });
    this.notice = h('p', { class: 'tb-notice', role: 'status', hidden: true });
    this.bar = h('div', { class: 'tb-bar' });
    this.status = h('div', { class: 'tb-status', 'aria-live': 'polite' });
    this.list = h('ol', { class: 'tb-list' });
    this.moreError = h('p', { class: 'tb-error', role: 'alert', hidden: true });
    this.more = h('button', { type: 'button', class: 'tb-button tb-more', hidden: true, onclick: () => this.loadMore() }, t('loadMore'));
    this.announcer = h('p', { class: 'tb-sr', 'aria-live': 'polite' });
    this.element = h(
      'section',
      { class: 'tb', 'aria-labelledby': 'tb-title' },
      h('header', { class: 'tb-head' }, this.heading, h('div', { class: 'tb-tabs', role: 'group', 'aria-label': t('sortBy') }, ...this.tabs, this.featuredTab, this.inlineTab)),
      ctx.createAccount ? ctx.createAccount(ctx) : guestLine(ctx),
      this.closedNote,
      this.form,
      this.notice,
      this.bar,
      this.status,
      this.list,
      this.moreError,
      this.more,
      this.announcer,
    );
  }

  /** Show the first page (requested early by main.js), follow a deep link, keep times fresh. */
  async start(firstPage) {
    await this.load(this.sort, firstPage);
    await this.reveal(location.hash);
    addEventListener('hashchange', () => this.reveal(location.hash));
    setInterval(() => this.ctx.clock.refresh(this.list), 60000);
  }

  setCount(n) {
    this.count = Math.max(0, n);
    this.heading.textContent = this.ctx.t('count', { n: this.count });
  }

  announce(text) {
    this.announcer.textContent = text;
  }

  /**
   * (Re)load the first page in `sort` (and `filter`). A slow answer to an earlier click never
   * overwrites a later one (`generation`). On failure the old list stays, with the reason and Retry.
   */
  async load(sort, request = undefined, filter = this.filter) {
    request ||= this.ctx.api.page(sort, null, filter);
    const generation = ++this.generation;
    this.sort = sort;
    this.filter = filter;
    for (const tab of this.tabs) tab.setAttribute('aria-pressed', String(tab.dataset.sort === sort));
    this.inlineTab?.setAttribute('aria-pressed', String(filter === 'inline'));
    this.featuredTab.setAttribute('aria-pressed', String(filter === 'featured'));
    this.status.replaceChildren(this.ctx.t('loading'));
    this.status.hidden = false;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const page = await request;
      if (generation !== this.generation) return false;
      this.records.clear();
      this.list.replaceChildren();
      this.onReload?.();
      this.status.hidden = true;
      this.show(page);
      return true;
    } catch (error) {
      if (generation === this.generation) showError(this.status, error, this.ctx.t, () => this.load(sort, undefined, filter));
      return false;
    } finally {
      if (generation === this.generation) this.list.removeAttribute('aria-busy');
    }
  }

  /** @returns {Promise<boolean>} whether a page was added */
  async loadMore() {
    if (!this.cursor || this.more.getAttribute('aria-busy')) return false;
    const generation = this.generation;
    this.moreError.hidden = true;
    this.more.setAttribute('aria-busy', 'true');
    try {
      const page = await this.ctx.api.page(this.sort, this.cursor, this.filter);
      if (generation !== this.generation) return false;
      this.show(page);
      return true;
    } catch (error) {
      showError(this.moreError, error, this.ctx.t);
      return false;
    } finally {
      this.more.removeAttribute('aria-busy');
    }
  }

  show(page) {
    this.setCount(page.thread.count);
    this.setClosed(page.thread.closed, page.thread.close_message);
    for (const comment of page.comments) this.build(comment, null, this.list);
    this.cursor = page.next_cursor;
    this.more.hidden = !this.cursor;
  }

  /**
   * Render `comment` and its replies into `list`. Replies nest MAX_INDENT deep; further
   * descendants go flat into that list, oldest first, naming whom they answer, so a long
   * exchange keeps its width on a phone. Comments already shown are skipped (pages and
   * live arrivals can overlap).
   */
  build(comment, parent, list) {
    const known = this.records.get(comment.id);
    if (known) return known;
    const depth = parent ? parent.depth + 1 : 0;
    const record = { comment, parent, depth, list, item: h('li', { class: 'tb-item' }), replies: null };
    this.records.set(comment.id, record);
    record.item.append(renderComment(record, this.ctx));
    list.append(record.item);
    const replies = comment.replies || [];
    if (depth < MAX_INDENT) {
      for (const reply of replies) this.build(reply, record, this.repliesOf(record));
    } else if (depth === MAX_INDENT) {
      const flat = descendants(replies).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
      for (const reply of flat) this.build(reply, this.records.get(reply.parent_id) || record, list);
    }
    return record;
  }

  /** Whether a top-level comment belongs in the list under the pressed filter tab. */
  passes(comment) {
    return !this.filter || !!(this.filter === 'inline' ? comment.anchor : comment.featured);
  }

  /** Closed (on load, or live): the message replaces the form; replies and votes go. */
  setClosed(closed, message) {
    this.ctx.closed = closed;
    this.form.hidden = closed;
    this.closedNote.hidden = !closed;
    this.closedNote.textContent = message || this.ctx.t('threadClosed');
    this.element.classList.toggle('tb-closed', closed);
    for (const record of this.records.values()) showMarks(record, this.ctx);
  }

  /** Where a top-level comment goes to come first: after the pinned ones. */
  top(except) {
    return [...this.list.children].find((item) => item !== except && !item.classList.contains('tb-pinned')) || null;
  }

  repliesOf(record) {
    record.replies ||= record.item.appendChild(h('ol', { class: 'tb-replies' }));
    return record.replies;
  }

  /**
   * Place a comment that arrived later: a reply last under its parent; a top-level one
   * first under "Newest" (the reader's own always, right under their form), else last
   * once every page is loaded.
   * @returns {object | null} its record, null when its place is not on screen
   */
  insert(comment, own = false) {
    const parent = comment.parent_id ? this.records.get(comment.parent_id) : null;
    if (comment.parent_id && !parent) return null;
    if (!parent && !own && ((this.sort !== 'newest' && this.cursor) || !this.passes(comment))) return null;
    const fresh = !this.records.has(comment.id);
    const list = !parent ? this.list : parent.depth < MAX_INDENT ? this.repliesOf(parent) : parent.list;
    const record = this.build({ ...comment, replies: [] }, parent, list);
    if (fresh && !parent && (own || this.sort === 'newest')) this.list.insertBefore(record.item, this.top(record.item));
    if (fresh) record.item.classList.add('tb-fresh');
    return record;
  }

  /** The main form's answer: shown at once, or a notice saying why it is held. */
  posted(result) {
    this.notice.hidden = !result.held;
    this.notice.textContent = result.held ? this.ctx.t(result.held) : '';
    if (!result.held) this.ownPosted(result.comment);
  }

  /** The reader's edit took their comment down: say so where it was (above, if live removed it first). */
  takenDown(id, message) {
    const record = this.records.get(id);
    let note = this.notice;
    if (record) {
      note = h('p', { class: 'tb-notice', role: 'status', tabindex: -1 });
      record.item.replaceChildren(note);
      this.records.delete(id);
      this.setCount(this.count - 1);
    }
    note.textContent = message;
    note.hidden = false;
    note.focus();
  }

  /** The reader's own new comment: shown at once, editable, never behind the bubble. */
  ownPosted(comment) {
    this.ctx.own.set(comment.id, Date.parse(comment.created_at) + this.ctx.api.editWindow * 1000);
    const counted = this.onOwn?.(comment.id);
    const record = this.insert(comment, true);
    if (!counted) this.setCount(this.count + 1);
    this.announce(this.ctx.t('posted'));
    return record;
  }

  /** A changed comment (edit, moderation, deletion placeholder) from the server. */
  update(comment) {
    const record = this.records.get(comment.id);
    if (!record) return;
    const pinning = !record.parent && comment.pinned && !record.comment.pinned;
    if (!record.parent && this.filter === 'featured' && comment.status === 'approved' && !comment.featured) this.drop(comment.id);
    else if (comment.status === 'approved' || comment.status === 'deleted') updateComment(record, comment, this.ctx);
    else this.drop(comment.id);
    // Newly pinned: first, after those pinned before it (as the next page load will show it).
    if (pinning && record.item.isConnected) this.list.insertBefore(record.item, this.top(record.item));
  }

  /** The reader deleted a comment: a placeholder stays while replies hang under it. */
  deleted(id) {
    const record = this.records.get(id);
    if (!record) return;
    this.setCount(this.count - 1);
    if ([...this.records.values()].some((other) => other.parent === record)) {
      this.update({ ...record.comment, status: 'deleted', html: '', author: { name: null, avatar: null } });
    } else {
      this.drop(id);
    }
  }

  drop(id) {
    this.records.get(id)?.item.remove();
    this.records.delete(id);
  }

  /** inline.js found out which passages changed: say so on every quote shown. */
  showPassages() {
    for (const record of this.records.values()) showPassageState(record, this.ctx);
  }

  setVotes(id, counts) {
    const record = this.records.get(id);
    if (!record) return;
    Object.assign(record.comment, { upvotes: counts.upvotes, downvotes: counts.downvotes, score: counts.score });
    showVotes(record, this.ctx);
  }

  /**
   * Scroll to the comment a `#comment-ID` link names, paging on (boundedly) until found.
   * The browser cannot: a shadow root is out of reach of fragment navigation.
   */
  async reveal(hash) {
    const id = Number(/^#comment-(\d+)$/.exec(hash)?.[1]);
    if (!id) return;
    for (let pages = 0; !this.records.has(id) && pages < MAX_DEEP_LINK_PAGES; pages++) {
      if (!(await this.loadMore())) break;
    }
    const article = this.records.get(id)?.article;
    if (!article) return;
    this.element.querySelector('.tb-target')?.classList.remove('tb-target');
    article.classList.add('tb-target');
    article.scrollIntoView({ block: 'center' });
    article.focus({ preventScroll: true });
  }
}

/**
 * A guest's reader line before account.js is loaded: its two buttons, which load it and
 * then press the same button there. Most readers never press them, so a first visit does
 * not fetch the panels' code (main.js loads it at once for a signed-in reader).
 */
function guestLine(ctx) {
  const status = h('p', { class: 'tb-error', role: 'alert', hidden: true });
  const line = h('div', { class: 'tb-account' }, h('div', { class: 'tb-me' }, opener('notifyOf'), opener('signIn')), status);
  return line;

  function opener(key) {
    const press = () =>
      import('./account.js').then(
        ({ createAccount }) => {
          if (!line.isConnected) return; // pressed twice while loading: answered already
          const account = createAccount(ctx);
          line.replaceWith(account);
          account.querySelector(`[data-key="${key}"]`).click();
        },
        (error) => showError(status, error, ctx.t),
      );
    return h('button', { type: 'button', class: 'tb-link', 'aria-expanded': 'false', onclick: press }, ctx.t(key));
  }
}

function descendants(replies, into = []) {
  for (const reply of replies) {
    into.push(reply);
    descendants(reply.replies || [], into);
  }
  return into;
}
