/**
 * One comment: avatar, author, time, body, and its actions (vote, reply, edit, delete,
 * report), each reporting its own failure next to the comment.
 */

import { avatar } from './avatar.js';
import { h, hiddenText, icon, showError } from './dom.js';
import { foldLong, shownText } from './fold.js';
import { createForm } from './form.js';

/** Replies are indented this many levels; deeper ones continue flat, naming whom they answer. */
export const MAX_INDENT = 4;
const UP = 'M3.5 10 8 5.5l4.5 4.5';
const DOWN = 'M3.5 6 8 10.5 12.5 6';
const REASONS = ['spam', 'abuse', 'off_topic', 'other'];
/** A long quoted passage is cut here in the thread (the article has it whole). */
const MAX_QUOTE_SHOWN = 280;

export const authorName = (comment, t) => comment.author?.name || t('anonymous');

/**
 * The `<article>` of `record.comment`; the parts that change in place (body, votes) are
 * kept on the record.
 */
export function renderComment(record, ctx) {
  const { t } = ctx;
  const comment = record.comment;
  const id = comment.id;
  const article = h('article', { class: 'tb-comment', id: `comment-${id}`, 'data-comment-id': id, tabindex: -1 });
  record.article = article;
  if (comment.status === 'deleted') {
    article.classList.add('tb-gone');
    article.append(avatar(null), h('div', { class: 'tb-main' }, h('p', { class: 'tb-body' }, t('deleted'))));
    return article;
  }

  const name = authorName(comment, t);
  const website = comment.author.website;
  const author = /^https?:\/\//i.test(website || '')
    ? h('a', { class: 'tb-author', href: website, rel: 'nofollow ugc noopener noreferrer', target: '_blank' }, name)
    : h('span', { class: comment.author.name ? 'tb-author' : 'tb-author tb-anonymous' }, name);
  const parentName = record.parent && authorName(record.parent.comment, t);
  record.edited = h('span', { class: 'tb-edited', hidden: !comment.edited_at }, t('edited'));
  record.body = h('div', { class: 'tb-body' });
  fillBody(record.body, comment.html);
  record.slot = h('div', { class: 'tb-slot' });
  record.status = h('p', { class: 'tb-error', role: 'alert', hidden: true });

  const until = ctx.own.get(id) || 0;
  const own = until > Date.now();
  const actions = h('footer', { class: 'tb-actions' });
  if (comment.status === 'approved') {
    record.up = voteButton(record, ctx, 1, own);
    record.down = voteButton(record, ctx, -1, own);
    actions.append(h('span', { class: 'tb-votes' }, record.up, record.down));
    showVotes(record, ctx);
    const reply = toggle(record, ctx, 'reply', replyForm);
    // Most readers never quote: quote.js loads on the first press.
    const quote = () => import('./quote.js').then(({ quoteInReply }) => quoteInReply(record, reply), (error) => showError(record.status, error, t));
    actions.append(reply, button(t('quote'), quote, { 'data-key': 'quote' }));
  }
  if (own) {
    const editing = [button(t('edit'), () => edit(record, ctx, editing[0])), button(t('delete'), () => confirmDelete(record, ctx, editing[1]))];
    actions.append(...editing);
    // The window closes on the server at `until`; the buttons go with it.
    setTimeout(() => editing.forEach((node) => node.remove()), Math.min(until - Date.now(), 2 ** 31 - 1));
  } else if (comment.status === 'approved') {
    actions.append(toggle(record, ctx, 'report', reportForm));
  }

  article.append(
    avatar(comment.author.avatar),
    h(
      'div',
      { class: 'tb-main' },
      h(
        'header',
        { class: 'tb-meta' },
        author,
        comment.author.badge && h('span', { class: `tb-badge tb-${comment.author.badge}` }, t(comment.author.badge)),
        (record.marks = h('span', { class: 'tb-marks' })),
        record.depth > MAX_INDENT && h('span', { class: 'tb-to', title: t('replyTo', { name: parentName }) }, `@${parentName}`),
        ctx.clock.element(comment.created_at),
        record.edited,
      ),
      comment.anchor && !ctx.inPassage && quote(record, ctx),
      record.body,
      actions,
      record.status,
      record.slot,
    ),
  );
  foldLong(record.body, ctx);
  showMarks(record, ctx);
  return article;
}

/** A moderator's marks (pinned, featured), which change in place; votes shut on a closed thread. */
export function showMarks(record, ctx) {
  const { comment } = record;
  if (!record.marks) return; // a deleted placeholder
  record.marks.replaceChildren(...['pinned', 'featured'].filter((mark) => comment[mark]).map((mark) => h('span', { class: `tb-badge tb-${mark}` }, ctx.t(mark))));
  record.item.classList.toggle('tb-pinned', !!comment.pinned);
  const own = (ctx.own.get(comment.id) || 0) > Date.now();
  for (const node of [record.up, record.down]) if (node) node.disabled = own || !!ctx.closed;
}

/**
 * The passage of the article a comment is feedback on (and the publisher's question, if
 * it answers one), above its text. Whether the passage has changed since is inline.js's
 * finding, shown by `showPassageState` once it knows.
 */
function quote(record, ctx) {
  const { exact, question } = record.comment.anchor;
  const { t } = ctx;
  record.changed = h('p', { class: 'tb-changed', hidden: true }, t('passageChanged'));
  // Where the passage is in the article, the quote leads there (inline.js, on pages with one).
  record.show = h('button', { type: 'button', class: 'tb-link tb-show', hidden: true, onclick: () => ctx.inline?.reveal(record.comment.anchor) }, t('showInArticle'));
  const quoted = exact.length > MAX_QUOTE_SHOWN ? `${exact.slice(0, MAX_QUOTE_SHOWN).trimEnd()}…` : exact;
  const block = h(
    'blockquote',
    { class: 'tb-quote' },
    question && h('p', { class: 'tb-question' }, h('span', { class: 'tb-sr' }, t('questionLabel')), question),
    h('p', { class: 'tb-quoted' }, h('span', { class: 'tb-sr' }, t('quoteLabel')), quoted),
    record.changed,
    record.show,
  );
  showPassageState(record, ctx);
  return block;
}

/** Say on a comment's quote whether its passage has changed (ctx.inline: inline.js, when loaded). */
export function showPassageState(record, ctx) {
  if (!record.changed) return;
  record.changed.hidden = !ctx.inline?.hasChanged(record.comment.anchor);
  record.show.hidden = !ctx.inline?.isPlaced(record.comment.anchor);
}

/** Show a changed comment without disturbing an open reply form, unless the comment is gone. */
export function updateComment(record, comment, ctx) {
  const rebuild = comment.status !== record.comment.status;
  record.comment = { ...comment, replies: [] };
  if (rebuild) {
    const previous = record.article;
    previous.replaceWith(renderComment(record, ctx));
    return;
  }
  fillBody(record.body, comment.html);
  foldLong(record.body, ctx);
  record.edited.hidden = !comment.edited_at;
  showVotes(record, ctx);
  showMarks(record, ctx);
}

/** Counts and the reader's own vote on the two vote buttons. */
export function showVotes(record, ctx) {
  const mine = ctx.votes.get(record.comment.id) || 0;
  for (const [node, value, count] of [[record.up, 1, record.comment.upvotes], [record.down, -1, record.comment.downvotes]]) {
    if (!node) continue;
    node.setAttribute('aria-pressed', String(mine === value));
    node.lastChild.textContent = String(count);
  }
}

/**
 * The server-sanitised body (Markdown, cleaned by nh3): the one HTML the widget inserts.
 * Links open a new tab, so the reader keeps article and draft, always with rel=noopener
 * so the linked page cannot reach back into this one.
 */
function fillBody(body, html) {
  body.innerHTML = html;
  for (const link of body.querySelectorAll('a[href]')) {
    link.target = '_blank';
    link.relList.add('nofollow', 'ugc', 'noopener');
  }
}

function button(label, onclick, extra = {}) {
  return h('button', { type: 'button', class: 'tb-link', onclick, ...extra }, label);
}

function voteButton(record, ctx, value, own) {
  const word = ctx.t(value > 0 ? 'upvote' : 'downvote');
  return h(
    'button',
    { type: 'button', class: value > 0 ? 'tb-vote' : 'tb-vote tb-down', 'aria-pressed': 'false', disabled: own, title: word, onclick: () => vote(record, ctx, value) },
    icon(value > 0 ? UP : DOWN),
    hiddenText(word),
    h('span', { class: 'tb-n' }),
  );
}

/** Pressing the vote already given takes it back (value 0). */
async function vote(record, ctx, value) {
  const id = record.comment.id;
  record.status.hidden = true;
  try {
    const counts = await ctx.api.vote(id, ctx.votes.get(id) === value ? 0 : value);
    ctx.votes.set(id, counts.my_vote);
    Object.assign(record.comment, { upvotes: counts.upvotes, downvotes: counts.downvotes, score: counts.score });
    showVotes(record, ctx);
  } catch (error) {
    showError(record.status, error, ctx.t);
  }
}

/** A button opening and closing a panel (reply or report form) under the comment. */
function toggle(record, ctx, key, panel) {
  const control = button(ctx.t(key), () => {
    const open = control.getAttribute('aria-expanded') === 'true';
    const close = (refocus = true) => {
      record.slot.replaceChildren();
      control.setAttribute('aria-expanded', 'false');
      if (refocus) control.focus();
    };
    if (open) return close();
    control.setAttribute('aria-expanded', 'true');
    const content = panel(record, ctx, close);
    record.slot.replaceChildren(content);
    content.querySelector('textarea, select')?.focus();
  }, { 'aria-expanded': 'false', 'data-key': key });
  return control;
}

function replyForm(record, ctx, close) {
  return createForm(ctx, {
    parent: record,
    parentName: authorName(record.comment, ctx.t),
    onCancel: () => close(),
    onDone(result) {
      close(false);
      if (result.held) record.slot.append(h('p', { class: 'tb-notice', role: 'status' }, ctx.t(result.held)));
      else ctx.thread.ownPosted(result.comment)?.article.focus();
      if (result.notified) record.slot.append(result.notified);
    },
  });
}

function reportForm(record, ctx, close) {
  const { t } = ctx;
  const reason = h('select', { class: 'tb-input' }, ...REASONS.map((value) => h('option', { value }, t(value))));
  return h(
    'form',
    {
      class: 'tb-panel',
      async onsubmit(event) {
        event.preventDefault();
        record.status.hidden = true;
        try {
          await ctx.api.report(record.comment.id, reason.value);
          const thanks = h('p', { class: 'tb-notice', role: 'status', tabindex: -1 }, t('reported'));
          close(false);
          record.slot.append(thanks);
          thanks.focus();
        } catch (error) {
          showError(record.status, error, t);
        }
      },
    },
    h('label', { class: 'tb-field' }, h('span', { class: 'tb-label' }, t('reportReason')), reason),
    h('div', { class: 'tb-buttons' }, button(t('cancel'), () => close(), { class: 'tb-button' }), h('button', { type: 'submit', class: 'tb-button tb-primary' }, t('sendReport'))),
  );
}

/**
 * Edit in place, from the Markdown as written when this browser posted it, else from the
 * rendered text.
 */
function edit(record, ctx, control) {
  const { body } = record;
  if (!body.isConnected) return;
  const restore = () => {
    form.replaceWith(record.body);
    control.focus();
  };
  const form = createForm(ctx, {
    comment: record.comment,
    initial: ctx.api.edits()[record.comment.id]?.text ?? shownText(body),
    onCancel: restore,
    onDone(updated) {
      restore();
      if (updated.takenDown) ctx.thread.takenDown(record.comment.id, ctx.t(updated.takenDown));
      else updateComment(record, updated, ctx);
    },
  });
  body.replaceWith(form);
  form.querySelector('textarea').focus();
}

/** Deleting asks once, in the page (not window.confirm), with Cancel focused: the safe choice. */
function confirmDelete(record, ctx, control) {
  const { t } = ctx;
  const cancel = button(t('cancel'), () => {
    record.slot.replaceChildren();
    control.focus();
  }, { class: 'tb-button' });
  const remove = button(t('delete'), async () => {
    record.status.hidden = true;
    try {
      await ctx.api.remove(record.comment.id);
      ctx.thread.deleted(record.comment.id);
    } catch (error) {
      showError(record.status, error, t);
    }
  }, { class: 'tb-button tb-danger' });
  record.slot.replaceChildren(h('div', { class: 'tb-panel', role: 'group', 'aria-label': t('confirmDelete') }, h('span', {}, t('confirmDelete')), h('div', { class: 'tb-buttons' }, cancel, remove)));
  cancel.focus();
}
