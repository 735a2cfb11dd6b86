/**
 * The reader's line under the header: "Notify of", sign in by email link, and signed in,
 * the account (name, subscriptions, own data, sign out). Panels open one at a time below
 * it; every answer is said in its status line.
 *
 * Loaded only when needed: for a signed-in reader or a sign-in link (main.js), when a
 * guest presses one of the line's buttons (thread.js draws those two until then), or
 * when a comment is posted with "Notify me of replies" ticked (form.js).
 */

import { h, showError } from './dom.js';
import { GUEST_KEY, local } from './storage.js';

const KINDS = ['thread', 'replies'];

/** `text` in `box` as good news, or `error` as what went wrong. */
export function say(box, t, text, error) {
  box.className = error ? 'tb-error' : 'tb-notice';
  if (error) showError(box, error, t);
  else box.replaceChildren(text);
  box.hidden = false;
}

/** Ask for mail (`{kind, email?, comment_id?}`); `box` says what the server answered. */
export async function subscribe(ctx, body, box) {
  try {
    const { status, subscription } = await ctx.api.subscribe(body);
    if (ctx.account) ctx.subscriptions = [...ctx.subscriptions.filter(({ id }) => id !== subscription.id), subscription];
    say(box, ctx.t, ctx.t(status === 'subscribed' ? 'subscribed' : 'checkInbox'));
  } catch (error) {
    say(box, ctx.t, '', error);
  }
}

export function createAccount(ctx) {
  const { t, api } = ctx;
  const bar = h('div', { class: 'tb-me' });
  const slot = h('div', { class: 'tb-slot' });
  const status = h('p', { role: 'status', hidden: true });
  // Signed in, the forms after this line hide their name and email fields (embed.css).
  const element = h('div', { class: 'tb-account' }, bar, slot, status);
  render();
  if (ctx.signin === true) say(status, t, t('signedInAs', { name: nameOf(ctx.account) }));
  else if (ctx.signin) say(status, t, '', ctx.signin);
  return element;

  function render() {
    slot.replaceChildren();
    element.classList.toggle('tb-signed', !!ctx.account);
    const who = ctx.account;
    bar.replaceChildren(
      toggle('notifyOf', notifyPanel),
      ...(who
        ? [h('span', { class: 'tb-who' }, t('signedInAs', { name: nameOf(who) })), toggle('account', accountPanel), button('signOut', () => run(signOut))]
        : [toggle('signIn', signinPanel)]),
    );
  }

  /** Opens its panel in the slot (closing any other), or closes it. */
  function toggle(key, panel) {
    const control = button(key, () => {
      const open = control.getAttribute('aria-expanded') === 'true';
      for (const other of bar.querySelectorAll('[aria-expanded]')) other.setAttribute('aria-expanded', 'false');
      slot.replaceChildren();
      if (open) return;
      control.setAttribute('aria-expanded', 'true');
      slot.append(panel());
      slot.querySelector('select, input')?.focus();
    });
    control.setAttribute('aria-expanded', 'false');
    control.dataset.key = key; // thread.js presses the one a guest pressed before this loaded
    return control;
  }

  function button(key, onclick, extra = 'tb-link') {
    return h('button', { type: 'button', class: extra, onclick }, t(key));
  }

  async function run(action) {
    status.hidden = true;
    try {
      await action();
    } catch (error) {
      say(status, t, '', error);
    }
  }

  function form(action, submit, ...fields) {
    const element = h(
      'form',
      {
        class: 'tb-panel',
        async onsubmit(event) {
          event.preventDefault();
          if (element.getAttribute('aria-busy')) return;
          element.setAttribute('aria-busy', 'true');
          await run(action);
          element.removeAttribute('aria-busy');
        },
      },
      ...fields.filter(Boolean).map(([input, key]) => h('label', { class: 'tb-field' }, h('span', { class: 'tb-label' }, t(key)), input)),
      h('button', { type: 'submit', class: 'tb-button tb-primary' }, t(submit)),
    );
    return element;
  }

  function emailInput() {
    const input = h('input', { class: 'tb-input', type: 'email', name: 'email', autocomplete: 'email', required: true });
    input.value = local.get(GUEST_KEY)?.email || '';
    return input;
  }

  function notifyPanel() {
    const kind = h('select', { class: 'tb-input', name: 'kind' }, ...KINDS.map((value) => h('option', { value }, t(`notify_${value}`))));
    const email = !ctx.account && emailInput();
    const panel = form(
      () => subscribe(ctx, { kind: kind.value, email: email ? email.value.trim() : undefined }, status),
      'notifyMe',
      [kind, 'notifyOf'],
      email && [email, 'email'],
    );
    // The reader's own replies feed, for a feed reader instead of the mailbox: its URL carries
    // a key of this reader, never the reader token (feeds/keys.py). None without a token.
    const feed = h('a', { rel: 'alternate', type: 'application/atom+xml' }, t('repliesFeed'));
    const line = h('p', { class: 'tb-feed', hidden: true }, feed);
    api.request('GET', '/feeds/replies').then(({ url }) => {
      feed.href = url;
      line.hidden = false;
    }, () => null);
    panel.append(line);
    return panel;
  }

  function signinPanel() {
    const email = emailInput();
    return form(async () => {
      await api.signin(email.value.trim());
      say(status, t, t('linkSent'));
    }, 'sendLink', [email, 'email']);
  }

  function accountPanel() {
    const name = h('input', { class: 'tb-input', name: 'display_name', autocomplete: 'nickname', maxlength: 100 });
    name.value = ctx.account.display_name || '';
    const rename = form(async () => {
      ctx.account = (await api.rename(name.value.trim())).account;
      render();
      say(status, t, t('saved'));
    }, 'save', [name, 'displayName']);
    const list = h('ul', { class: 'tb-subs' });
    for (const subscription of ctx.subscriptions) {
      const { id, kind, uri, comment_id: comment, confirmed } = subscription;
      const item = h(
        'li',
        {},
        t(`sub_${kind}`, { uri, id: comment }),
        !confirmed && ` (${t('unconfirmed')})`,
        button('remove', () =>
          run(async () => {
            await api.unsubscribe(id);
            ctx.subscriptions = ctx.subscriptions.filter((other) => other !== subscription);
            item.remove();
            say(status, t, t('removed'));
          }),
        ),
      );
      list.append(item);
    }
    const erase = button('deleteData', () => {
      const cancel = button('cancel', () => confirmBox.replaceWith(erase), 'tb-button');
      const confirmBox = h(
        'div',
        { class: 'tb-panel', role: 'group', 'aria-label': t('confirmDeleteData') },
        h('span', {}, t('confirmDeleteData')),
        h('div', { class: 'tb-buttons' }, cancel, button('deleteData', () => run(deleteData), 'tb-button tb-danger')),
      );
      erase.replaceWith(confirmBox);
      cancel.focus();
    }, 'tb-button');
    return h(
      'div',
      { class: 'tb-panel tb-mine' },
      rename,
      h('h3', {}, t('mySubscriptions')),
      list.children.length ? list : h('p', {}, t('noSubscriptions')),
      h('div', { class: 'tb-buttons' }, button('downloadData', () => run(download), 'tb-button'), erase),
    );
  }

  async function download() {
    const data = await api.myData('GET');
    const href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    h('a', { href, download: `${api.site}-my-data.json` }).click();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
  }

  async function deleteData() {
    await api.myData('DELETE');
    await signOut();
    say(status, t, t('dataDeleted'));
  }

  /** A new guest: the votes and edit rights shown were the account's, so redraw the thread. */
  async function signOut() {
    local.remove(api.readerKey);
    ctx.account = null;
    ctx.subscriptions = [];
    ctx.votes.clear();
    ctx.own.clear();
    for (const [id, kept] of Object.entries(api.edits())) ctx.own.set(Number(id), kept.until);
    render();
    await api.me();
    await ctx.thread.load(ctx.thread.sort);
  }
}

const nameOf = (account) => account.display_name || account.email;
