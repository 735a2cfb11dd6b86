/**
 * Live updates over Server-Sent Events (EventSource reconnects by itself). New comments
 * wait behind an "N new comments" button rather than jump into the text being read;
 * votes, edits and deletions change in place.
 */

import { h } from './dom.js';

/** Open streams by URL: a comment section and a funding bar on one page share one connection. */
const streams = new Map();

/** The page's EventSource for `url` (EventSource reconnects by itself, so it is kept for good). */
export function openStream(url) {
  if (!streams.has(url)) streams.set(url, new EventSource(url));
  return streams.get(url);
}

export function connectLive(ctx, thread) {
  if (typeof EventSource !== 'function') return;
  /** Arrived but not shown yet, by id. */
  const pending = new Map();
  const bubble = h('button', { type: 'button', class: 'tb-bubble', hidden: true, onclick: reveal });
  thread.bar.append(bubble);
  thread.onReload = () => {
    pending.clear();
    refresh(false);
  };
  thread.onOwn = (id) => {
    const waiting = pending.delete(id);
    refresh(false);
    return waiting;
  };

  const source = openStream(ctx.api.streamUrl());
  const on = (name, handle) =>
    source.addEventListener(name, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return; // Not ours to show; the next event will be fine.
      }
      if (typeof data.count === 'number') thread.setCount(data.count);
      handle(data);
    });

  on('comment.created', ({ comment }) => {
    if (thread.records.has(comment.id) || !fits(comment)) return;
    pending.set(comment.id, comment);
    refresh(true);
  });
  on('comment.updated', ({ comment }) => {
    if (pending.has(comment.id)) pending.set(comment.id, comment);
    else thread.update(comment);
  });
  on('comment.deleted', ({ id, comment }) => {
    if (pending.delete(id)) refresh(false);
    if (comment) thread.update(comment);
    else thread.drop(id);
  });
  on('vote', (counts) => thread.setVotes(counts.id, counts));
  on('thread.closing', ({ closed, message }) => thread.setClosed(closed, message));
  // The server ends streams that may have missed events (a reader fell behind, its broker
  // reconnected): on reconnecting, reload the thread to catch up with what was missed.
  let connected = source.readyState === EventSource.OPEN;
  source.addEventListener('open', () => {
    if (connected) thread.load(thread.sort);
    connected = true;
  });

  /** Whether the comment has a place on screen: its parent is (or will be) shown. */
  function fits(comment) {
    if (comment.parent_id) return thread.records.has(comment.parent_id) || pending.has(comment.parent_id);
    if (!thread.passes(comment)) return false;
    return thread.sort === 'newest' || !thread.cursor;
  }

  function refresh(announce) {
    bubble.hidden = !pending.size;
    bubble.textContent = ctx.t('newComments', { n: pending.size });
    if (announce) thread.announce(bubble.textContent);
  }

  /** Insert everything waiting, parents before replies, and move focus to the first. */
  function reveal() {
    const arrived = [...pending.values()].sort((a, b) => a.id - b.id);
    pending.clear();
    refresh(false);
    const shown = arrived.map((comment) => thread.insert(comment)).filter(Boolean);
    shown[0]?.article.focus();
  }
}
