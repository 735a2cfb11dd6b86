/**
 * The Talkback API as the widget uses it. Tokens are handled here, and every failure
 * becomes an ApiError the UI can put into words. No cookies are sent: the reader is known
 * by a header a cross-site form cannot forge. Thread pages go without it, so they stay
 * shared, cacheable requests with no CORS preflight.
 */

import { local } from './storage.js';

/** Added to the page's address by a return from checkout: `thanks` or `cancelled` (docs/funding.md). */
export const RETURN_PARAM = 'talkback_donation';

/** Server error codes, and reasons a comment is refused for, with a sentence of their own. */
const MESSAGES = {
  edit_window_closed: 'errEditWindow',
  not_author: 'errNotAuthor',
  parent_closed: 'errParentClosed',
  invalid_parent: 'errParentClosed',
  banned: 'errBanned',
  not_shown: 'errNotShown',
  duplicate: 'errDuplicate',
  toxicity: 'errAbusive',
  automated: 'errAutomated',
  origin_not_allowed: 'errOrigin',
  own_comment: 'errOwnVote',
  not_votable: 'errNotVotable',
  thread_closed: 'threadClosed',
  comment_not_found: 'errGone',
  site_not_found: 'errSite',
  name_required: 'errNameRequired',
  email_required: 'errEmailRequired',
  campaign_closed: 'errCampaignClosed',
  campaign_not_found: 'errCampaignGone',
  payments_unavailable: 'errPayments',
  payment_provider_error: 'errPayments',
  invalid_email: 'errEmail',
  mail_unavailable: 'errMail',
  signin_link_expired: 'errLinkExpired',
  signin_link_used: 'errLinkUsed',
  invalid_signin_link: 'errLinkInvalid',
};

/** Why a comment is held, by the server's reason code (else `held`). */
const HELD = {
  first_comment: 'heldFirst',
  links: 'heldLinks',
  banned_words: 'heldWords',
  banned_patterns: 'heldWords',
  word_list: 'heldWords',
  toxicity: 'heldTone',
  personal_attack: 'heldTone',
  flood: 'heldFlood',
  form_time: 'heldFast',
};

/** The server's default edit window (seconds), until /config says otherwise. */
const DEFAULT_EDIT_WINDOW = 900;

/** A failed request: what the server said, and how to say it to the reader. */
export class ApiError extends Error {
  /**
   * @param {number} status 0 when the server could not be reached
   * @param {{code?: string, message?: string, fields?: {field: string, message: string}[]}} problem
   * @param {number} [retryAfter] seconds
   * @param {string} [limited] what to say when rate limited
   */
  constructor(status, problem = {}, retryAfter = 0, limited = 'errRateLimited') {
    super(problem.message || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (status ? `http_${status}` : 'offline');
    this.fields = problem.fields || [];
    this.retryAfter = retryAfter;
    this.limited = limited;
  }

  get fieldNames() {
    return this.fields.map((problem) => problem.field);
  }

  /** The reader-facing sentence, in the reader's language. */
  describe(t) {
    const { status, code, fields } = this;
    if (status === 0) return t('errOffline');
    if (status === 429) return this.retryAfter ? t(this.limited, { n: this.retryAfter }) : t('errRateLimitedSoon');
    if (status === 413) return t('errTooLarge');
    if (MESSAGES[code]) return t(MESSAGES[code]);
    if (status === 202) return t('errRejected');
    if (status === 422) {
      const text = fields.find((problem) => problem.field === 'text');
      const max = /at most (\d+)/.exec(text?.message)?.[1];
      if (max) return t('errTooLong', { max: Number(max) });
      if (text) return t('errEmpty');
      if (this.fieldNames.includes('email')) return t('errEmail');
      if (this.fieldNames.includes('author_name')) return t('errName');
      return t('errInvalid');
    }
    return status >= 500 ? t('errServer') : t('errGeneric');
  }
}

const heldKey = (reason) => HELD[reason] || 'held';

/** The thread a page belongs to: `data-uri`, else its canonical URL, else its path. */
export function pageUri(container) {
  return container.dataset.uri || document.querySelector('link[rel="canonical"]')?.href || location.pathname;
}

export class Api {
  /**
   * @param {string} base the Talkback server, e.g. "https://comments.example"
   * @param {string} uri the page's thread (the server normalises it)
   */
  constructor(base, site, uri) {
    const host = new URL(base).host;
    this.root = `${base}/api/v1/${encodeURIComponent(site)}`;
    this.site = site;
    this.uri = uri;
    this.editWindow = DEFAULT_EDIT_WINDOW;
    // Keyed per API host: a page may embed two Talkback servers, each with its own tokens.
    this.readerKey = `talkback:reader:${host}`;
    this.editsKey = `talkback:edits:${host}`;
  }

  config() {
    return this.request('GET', '/config', { plain: true });
  }

  /** The reader's votes and editable comments; keeps the reader token handed to a newcomer. */
  async me() {
    const state = await this.request('GET', '/me', { query: { uri: this.uri } });
    if (state.reader_token) local.set(this.readerKey, state.reader_token);
    return state;
  }

  /** @param {string | null} [filter] `inline`: only comments on a passage of the article, with their replies */
  page(sort, cursor = null, filter = null) {
    return this.request('GET', '/comments', { query: { uri: this.uri, sort, cursor, filter }, plain: true });
  }

  /** The page's passages with feedback: anchors, counts and comment ids (a shared, cacheable read). */
  passages() {
    return this.request('GET', '/inline', { query: { uri: this.uri }, plain: true });
  }

  /** Where the server finds each passage in the article's current `text` (issue 14's rules). */
  locate(text) {
    return this.request('POST', '/inline/locate', { query: { uri: this.uri }, body: { text }, plain: true });
  }

  /**
   * Post and keep the edit token. A refused comment (202 `rejected`) is thrown as an
   * ApiError, so the form keeps the draft; `held` (202 `pending`) is the key saying why.
   */
  async post(fields) {
    const posted = await this.request('POST', '/comments', { query: { uri: this.uri }, body: fields });
    const { status } = posted.comment;
    const reason = posted.moderation?.reasons[0];
    if (status === 'rejected') throw new ApiError(202, { code: reason });
    const until = Date.parse(posted.comment.created_at) + this.editWindow * 1000;
    this.keep(posted.comment.id, { token: posted.edit_token, until, text: fields.text });
    return { ...posted, held: status !== 'approved' && heldKey(reason) };
  }

  /** The edited comment; `takenDown`: the key saying why the edit took it down (held or refused). */
  async edit(id, text) {
    const comment = await this.request('PATCH', `/comments/${id}`, { body: { text }, edit: id });
    const kept = this.edits()[id];
    if (kept) this.keep(id, { ...kept, text });
    const { status, moderation } = comment;
    const reason = moderation?.reasons[0];
    const takenDown = status === 'pending' ? heldKey(reason) : status === 'rejected' && (reason === 'toxicity' ? 'editAbusive' : 'editRejected');
    return { ...comment, takenDown };
  }

  async remove(id) {
    await this.request('DELETE', `/comments/${id}`, { edit: id });
    this.keep(id, null);
  }

  vote(id, value) {
    return this.request('POST', `/comments/${id}/vote`, { body: { value }, limited: 'errVoteRateLimited' });
  }

  report(id, reason) {
    return this.request('POST', `/comments/${id}/report`, { body: { reason } });
  }

  /** A campaign (`current` or an id), its amounts formatted for `locale` (null: the site's). */
  campaign(ref, locale) {
    return this.request('GET', `/campaigns/${encodeURIComponent(ref)}`, { query: { locale }, plain: true });
  }

  /** Start a payment; answers `{url}`, the payment page to send the reader to. */
  checkout(id, gift) {
    return this.request('POST', `/campaigns/${encodeURIComponent(id)}/checkout`, { body: gift, plain: true });
  }

  subscribe(body) {
    return this.request('POST', '/subscriptions', { query: { uri: this.uri }, body, limited: 'errMailRateLimited' });
  }

  unsubscribe(id) {
    return this.request('DELETE', `/subscriptions/${id}`);
  }

  signin(email) {
    return this.request('POST', '/signin', { body: { email, uri: location.href.split('#')[0] }, limited: 'errMailRateLimited' });
  }

  /** The sign-in link's token for the account's reader token, kept from now on. */
  async completeSignin(token) {
    const answer = await this.request('POST', '/signin/complete', { body: { token } });
    local.set(this.readerKey, answer.reader_token);
    return answer;
  }

  rename(display_name) {
    return this.request('PATCH', '/me', { body: { display_name } });
  }

  myData(method) {
    return this.request(method, '/me/data');
  }

  streamUrl() {
    return `${this.root}/stream?uri=${encodeURIComponent(this.uri)}`;
  }

  /**
   * Edit tokens (with the Markdown written) of the reader's comments still in their edit
   * window, by id; expired ones are dropped so storage does not grow forever.
   * @returns {Record<string, {token: string, until: number, text: string}>}
   */
  edits() {
    const all = local.get(this.editsKey) || {};
    const open = Object.fromEntries(Object.entries(all).filter(([, kept]) => kept.until > Date.now()));
    if (Object.keys(open).length !== Object.keys(all).length) local.set(this.editsKey, open);
    return open;
  }

  keep(id, entry) {
    const edits = this.edits();
    if (entry) edits[id] = entry;
    else delete edits[id];
    local.set(this.editsKey, edits);
  }

  /**
   * @param {string} path below /api/v1/{site}
   * @param {{query?: object, body?: object, edit?: number, plain?: boolean, retried?: boolean, limited?: string}} options
   *   `plain`: no reader token (shared reads); `edit`: send that comment's edit token
   */
  async request(method, path, options = {}) {
    const { query = {}, body, edit, plain } = options;
    const url = new URL(this.root + path);
    for (const [key, value] of Object.entries(query)) if (value != null) url.searchParams.set(key, value);
    const headers = {};
    const reader = !plain && local.get(this.readerKey);
    const editToken = edit && this.edits()[edit]?.token;
    if (reader) headers['X-Talkback-Reader'] = reader;
    if (editToken) headers['X-Edit-Token'] = editToken;
    if (body) headers['Content-Type'] = 'application/json';
    let response;
    try {
      // no-cache: revalidate by ETag every time, so a reload never shows a stale thread.
      response = await fetch(url, {
        method,
        headers,
        body: body && JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-cache',
      });
    } catch {
      throw new ApiError(0);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.ok && data) return data;
    const problem = data?.error || {};
    if (problem.code === 'invalid_reader_token' && !options.retried) {
      // The server no longer accepts the token (new secret key, tampering): start afresh.
      local.remove(this.readerKey);
      if (path !== '/me') await this.me().catch(() => null);
      return this.request(method, path, { ...options, retried: true });
    }
    throw new ApiError(response.status, problem, Number(response.headers.get('Retry-After')) || 0, options.limited);
  }
}
