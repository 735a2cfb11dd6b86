/**
 * `mount()` turns a container into a comment section, in a shadow root so page styles
 * cannot reach in nor ours leak out; publishers theme it with custom properties (embed.css).
 *
 * Only the API client is imported up front: the thread's requests and the stylesheet
 * start at once, while the rest of the widget's modules load alongside them.
 */

import { Api, pageUri } from './api.js';
import { attach } from './shadow.js';

/** @param {{base: string, site: string, container: HTMLElement}} options base: the server URL */
export async function mount({ base, site, container }) {
  if (container.shadowRoot) return; // mounted already (the snippet was included twice)
  const { shadow, styled } = attach(container, base);
  // A server-rendered thread in the container (thread.html) stays in view until the live one replaces it.
  if (container.firstElementChild) shadow.append(document.createElement('slot'));
  const api = new Api(base, site, pageUri(container));
  // Ask for the deeper modules now too, instead of the browser finding them level by level
  // (thread.js, then comment.js, then avatar.js); the imports below reuse these fetches.
  for (const deeper of ['./comment.js', './form.js', './dom.js', './avatar.js', './fold.js']) import(deeper).catch(() => null);
  const firstPage = api.page('newest');
  firstPage.catch(() => null); // handled by Thread.load; this only marks it as awaited
  // Inline feedback (inline.js and its passages) only on a page that marks its article:
  // every other page's first visit neither fetches nor runs it.
  const article = findArticle(container);
  const inline = article && import('./inline.js');
  const passages = article && api.passages();
  inline?.catch(() => null); // awaited below; these only mark them as handled
  passages?.catch(() => null);
  // A sign-in link: its token is traded before /me asks, and leaves the address at once.
  const link = /^#talkback-signin=([\w-]+)/.exec(location.hash)?.[1];
  if (link) history.replaceState(history.state, '', location.href.split('#')[0]);
  // account.js draws the reader's line and its panels. It is needed at once only for a
  // sign-in link or a signed-in reader; a guest's line loads it when pressed (thread.js).
  const linked = link && import('./account.js');
  linked?.catch(() => null); // awaited below; this only marks it as handled
  const signin = link && (await api.completeSignin(link).then(() => true, (error) => error));
  const me = api.me().catch(() => ({}));
  const [config, state, { t, locale }, { Thread }, { connectLive }, { clock }, account] = await Promise.all([
    api.config().catch(() => ({})),
    me,
    import('./i18n/index.js').then(({ loadStrings }) => loadStrings(container)),
    import('./thread.js'),
    import('./live.js'),
    import('./time.js'),
    linked || me.then((state) => state.account && import('./account.js')),
  ]);
  const settings = config.site || {};
  api.editWindow = settings.edit_window_seconds ?? api.editWindow;
  const own = new Map((state.editable || []).map(({ id, until }) => [id, Date.parse(until)]));
  for (const [id, kept] of Object.entries(api.edits())) own.set(Number(id), Math.max(own.get(Number(id)) || 0, kept.until));
  const ctx = {
    api,
    t,
    locale,
    clock: clock(locale),
    config: settings,
    votes: new Map(Object.entries(state.votes || {}).map(([id, value]) => [Number(id), value])),
    own,
    account: state.account || null,
    subscriptions: state.subscriptions || [],
    signin,
    createAccount: account?.createAccount,
    article,
    base,
  };
  const thread = new Thread(ctx);
  await styled;
  await firstPage.catch(() => null); // swapped in one frame: no empty section in between
  shadow.querySelector('slot')?.remove();
  container.replaceChildren();
  shadow.append(thread.element);
  await thread.start(firstPage);
  // A shadow-banned reader's own comments are not on the shared page; /me lists them for
  // this reader alone, so they look published to their author and to nobody else.
  for (const comment of state.shadowed || []) thread.insert(comment, !comment.parent_id);
  connectLive(ctx, thread);
  // The comment section works without it: a failure to load leaves the article as it is.
  if (inline) (await inline.catch(() => null))?.startInline(ctx, passages);
}

/**
 * The publisher's article, if the page marks one: `data-article="<selector>"` on the
 * comments container, else `[data-talkback-article]` (article.js reads its text).
 * @returns {Element | null}
 */
function findArticle(container) {
  const marked = () => document.querySelector('[data-talkback-article]');
  try {
    return (container.dataset.article && document.querySelector(container.dataset.article)) || marked();
  } catch {
    return marked(); // not a valid selector
  }
}

