/**
 * Inline feedback: readers comment on a passage of the publisher's article, and the
 * feedback stays on those words while the article is edited. Loaded by main.js only on
 * pages that mark an article, so every other page's first visit stays as small as before.
 *
 * This module keeps the state: the article's text (article.js), the page's passages
 * (GET /inline), where each is now, and the feedback comments once a reader opens one.
 * inline_layer.js draws it (highlights, markers, the "Comment on this" button) and
 * inline_popover.js shows a passage's feedback and forms.
 *
 * Where a passage is (issue 14's widget rule): where its anchor says, if the text there
 * and the context on both sides still match; otherwise the article's text is posted once
 * to /inline/locate and the server's placements are used. A passage the server calls
 * "changed" is listed as on a passage that has changed, with its original quote: never
 * dropped, never moved onto other words by a guess made here.
 */

import { ArticleText, hashText, stillThere } from './article.js';
import { Layer } from './inline_layer.js';
import { openStream } from './live.js';

/** How many pages of inline feedback a popover reads, at most, to find its comments. */
const MAX_FEEDBACK_PAGES = 20;
/** Waits that merge bursts (live events, the publisher's script changing the article). */
const REFRESH_DELAY_MS = 250;

/** The server's grouping of feedback into one passage (GET /inline): equal anchors but for the hash. */
export const passageKey = (anchor) =>
  JSON.stringify([anchor.exact, anchor.prefix || '', anchor.suffix || '', anchor.start ?? null, anchor.end ?? null, anchor.question || null]);

/** Start inline feedback for the mounted comment section; `passages` is GET /inline, already asked for. */
export function startInline(ctx, passages) {
  const inline = new Inline(ctx);
  ctx.inline = inline;
  inline.start(passages);
  return inline;
}

/**
 * A passage on the page. `state`: `placed` (with `range`), `changed` (the server no longer
 * finds it) or `unknown` (it could not be asked); `question`: the publisher's question
 * span it answers, if it is on the page.
 * @typedef {{id: number, anchor: object, count: number, comment_ids: number[], state: string, range?: Range, start?: number, end?: number, asked?: object}} Passage
 */

export class Inline {
  constructor(ctx) {
    this.ctx = ctx;
    this.article = ctx.article;
    /** @type {Passage[]} */
    this.passages = [];
    /** The publisher's questions on the page: `{element, question, start, end, range, passages}`. */
    this.questions = [];
    this.snapshot = new ArticleText(this.article);
    this.hash = null;
    this.answer = { passages: [] };
    /** Feedback comments (with their replies) read so far, by id; forgotten when anything changes. */
    this.comments = new Map();
    this.cursor = undefined;
    this.changedKeys = new Set();
    /** The last /inline/locate asked: `{text, answer, placements}` (a promise). */
    this.located = null;
    this.generation = 0;
    this.timer = 0;
    this.layer = new Layer(this);
  }

  /** Whether a comment's passage is known to have changed (its quote in the thread says so). */
  hasChanged(anchor) {
    return this.changedKeys.has(passageKey(anchor));
  }

  async start(request) {
    let answer = { passages: [] };
    try {
      answer = await request;
    } catch (error) {
      this.layer.failed(error);
    }
    await this.place(answer);
    this.listen();
    // The publisher's own scripts may change the article later (lazy parts, corrections).
    let moved = 0;
    const replace = () => {
      clearTimeout(moved);
      moved = setTimeout(() => this.place(this.answer), REFRESH_DELAY_MS);
    };
    new MutationObserver(replace).observe(this.article, {
      childList: true,
      characterData: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['hidden', 'data-talkback-question'],
    });
  }

  /** Read the passages again (new feedback arrived, or the reader posted some); a burst makes one read. */
  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      try {
        this.forget();
        await this.place(await this.ctx.api.passages());
      } catch (error) {
        this.layer.failed(error);
      }
    }, REFRESH_DELAY_MS);
  }

  /** Find every passage of `answer` in the article as it is now, and draw them. */
  async place(answer) {
    const began = performance.now();
    const generation = ++this.generation;
    this.answer = answer;
    const snapshot = new ArticleText(this.article);
    const hash = await hashText(snapshot.text);
    if (generation !== this.generation) return;
    this.snapshot = snapshot;
    this.hash = hash;
    this.questions = this.findQuestions(snapshot);
    const asked = new Map(this.questions.map((question) => [question.question, question]));
    /** @type {Passage[]} */
    const passages = answer.passages.map((passage) => ({ ...passage, state: 'unknown' }));
    const lost = [];
    for (const passage of passages) {
      const question = passage.anchor.question && asked.get(passage.anchor.question);
      if (question) {
        question.passages.push(passage);
        passage.asked = question;
        this.put(passage, question.start, question.end);
      }
      else if (stillThere(passage.anchor, snapshot.text, hash)) this.put(passage, passage.anchor.start, passage.anchor.end);
      else lost.push(passage);
    }
    if (lost.length) {
      try {
        // The same text twice (the publisher's script re-rendering it) is asked about once.
        if (this.located?.text !== snapshot.text || this.located.answer !== answer) {
          this.located = { text: snapshot.text, answer, placements: this.ctx.api.locate(snapshot.text) };
        }
        const located = await this.located.placements;
        if (generation !== this.generation) return;
        const where = new Map(located.placements.map((placement) => [placement.id, placement]));
        for (const passage of lost) {
          const placement = where.get(passage.id);
          if (placement?.how === 'changed') passage.state = 'changed';
          else if (placement && placement.start != null) this.put(passage, placement.start, placement.end);
        }
      } catch (error) {
        this.located = null;
        if (generation !== this.generation) return;
        this.layer.failed(error);
      }
    }
    this.passages = passages;
    this.changedKeys = new Set(passages.filter((passage) => passage.state === 'changed').map((passage) => passageKey(passage.anchor)));
    this.ctx.thread.showPassages();
    this.layer.draw();
    // A User Timing entry (devtools' Performance panel, bench/inline_anchoring.py): how
    // long finding and drawing the passages took, and how many were placed. Browsers
    // without User Timing Level 3 refuse the options; the feedback is drawn all the same.
    const placed = passages.filter((passage) => passage.state === 'placed').length;
    try {
      performance.measure('talkback:inline-placed', { start: began, detail: { placed, changed: this.changedKeys.size } });
    } catch {}
  }

  /** Mark a passage found at [start, end), unless those offsets are not words of this text. */
  put(passage, start, end) {
    const range = this.snapshot.range(start, end);
    if (!range) return;
    Object.assign(passage, { state: 'placed', range, start, end });
  }

  /** The publisher's question spans in the article, with the offsets of their text. */
  findQuestions(snapshot) {
    const found = [];
    for (const element of this.article.querySelectorAll('[data-talkback-question]')) {
      const question = element.getAttribute('data-talkback-question').trim();
      const span = question && snapshot.spanOf(element);
      if (!span) continue;
      found.push({ element, question, ...span, range: snapshot.range(span.start, span.end), passages: [] });
    }
    return found;
  }

  /** Show a comment's passage in the article and its feedback (the quote's button in the thread). */
  reveal(anchor) {
    const key = passageKey(anchor);
    const passage = this.passages.find((candidate) => passageKey(candidate.anchor) === key);
    if (passage?.state === 'placed') this.layer.reveal(passage);
  }

  /** Whether a comment's passage is in the article now (its quote in the thread can lead there). */
  isPlaced(anchor) {
    const key = passageKey(anchor);
    return this.passages.some((passage) => passage.state === 'placed' && passageKey(passage.anchor) === key);
  }

  /** The anchor a new comment on [start, end) of the current text is posted with. */
  anchorAt(start, end, question) {
    const anchor = this.snapshot.anchorAt(start, end, this.hash);
    if (question) anchor.question = question;
    return anchor;
  }

  forget() {
    this.comments.clear();
    this.cursor = undefined;
  }

  /**
   * The feedback comments with these ids, with their replies, read from the thread's
   * inline filter (oldest first) until all are found.
   */
  async feedback(ids) {
    const missing = () => ids.some((id) => !this.comments.has(id));
    for (let pages = 0; missing() && this.cursor !== null && pages < MAX_FEEDBACK_PAGES; pages++) {
      const page = await this.ctx.api.page('oldest', this.cursor || null, 'inline');
      for (const comment of page.comments) this.comments.set(comment.id, comment);
      this.cursor = page.next_cursor || null;
    }
    return ids.map((id) => this.comments.get(id)).filter(Boolean);
  }

  /** New, changed or removed feedback anywhere on the page moves the highlights and counts. */
  listen() {
    if (typeof EventSource !== 'function') return;
    const source = openStream(this.ctx.api.streamUrl());
    const known = (id) => this.passages.some((passage) => passage.comment_ids.includes(id));
    const on = (name, concerns) =>
      source.addEventListener(name, (event) => {
        try {
          const data = JSON.parse(event.data);
          if (concerns(data)) this.refresh();
          else this.forget(); // a reply or an edit: read the feedback afresh when opened
        } catch {
          // Not ours to show; the next event will be fine.
        }
      });
    on('comment.created', ({ comment }) => Boolean(comment.anchor && !comment.parent_id));
    on('comment.updated', ({ comment }) => known(comment.id) || Boolean(comment.anchor && !comment.parent_id));
    on('comment.deleted', ({ id }) => known(id));
  }
}
