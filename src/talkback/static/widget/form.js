/**
 * The comment form: new comment, reply, or edit in place. Nothing typed is lost: every
 * keystroke is kept as a draft in sessionStorage (a reload brings it back), the form is
 * cleared only once the server accepted it, and a failure leaves it as typed.
 */

import { h, showError } from './dom.js';
import { GUEST_KEY, local, session } from './storage.js';
/** The API's limit on `title`; a long page title must not make a post fail. */
const MAX_TITLE = 300;

/**
 * @param {object} options `parent` (record replied to) and `parentName`, or `comment`
 *   (edited) and its `initial` text, or `anchor` (feedback on a passage of the article,
 *   posted with it: inline.js); `onDone(answer)`; `onCancel` adds Cancel and Escape
 * @returns {HTMLFormElement}
 */
export function createForm(ctx, { parent, parentName, comment, anchor, initial = '', onDone, onCancel }) {
  const { t, api } = ctx;
  const scope = comment ? `edit-${comment.id}` : parent ? `reply-${parent.comment.id}` : anchor ? `on-${anchor.start}-${anchor.end}` : 'new';
  const draftKey = `talkback:draft:${api.site}:${api.uri}:${scope}`;
  const label = comment ? t('editComment') : parent ? t('yourReply', { name: parentName }) : anchor ? t(anchor.question ? 'yourAnswer' : 'yourFeedback') : t('yourComment');
  const text = h('textarea', {
    class: 'tb-input tb-text',
    rows: 3,
    'aria-label': label,
    placeholder: comment ? null : parent ? label : anchor ? anchor.question || t('feedbackPlaceholder') : t('placeholder'),
  });
  text.value = session.get(draftKey) ?? initial;

  const guest = local.get(GUEST_KEY) || {};
  const identity = ctx.config.guest_identity || 'optional';
  const name = comment ? null : input('author_name', 'text', 'name', identity !== 'optional', guest.name);
  const email = comment ? null : input('email', 'email', 'email', identity === 'name_email', guest.email);
  // The reader's first question about the email field: who sees it?
  email?.setAttribute('placeholder', t('emailHint'));

  // Signals for the server's spam checks: bots fill every field, people never see this
  // one; and bots post the moment a form appears, people take a while.
  const trap = h('input', { name: 'url', tabindex: -1, autocomplete: 'off' });
  const notify = !comment && h('input', { type: 'checkbox', name: 'notify' });
  const note = h('p', { role: 'status', hidden: true });
  const opened = Date.now();
  const error = h('p', { class: 'tb-error', role: 'alert', hidden: true });
  const submitButton = h('button', { type: 'submit', class: 'tb-button tb-primary' }, t(comment ? 'save' : parent ? 'postReply' : anchor ? 'postFeedback' : 'post'));
  const form = h(
    'form',
    { class: `tb-form${comment || parent || anchor || text.value ? ' tb-open' : ''}`, novalidate: true, onsubmit: submit },
    text,
    !comment && h('div', { class: 'tb-trap', 'aria-hidden': 'true' }, trap),
    h(
      'div',
      { class: 'tb-extra' },
      name && field(name, 'name'),
      email && field(email, 'email'),
      notify && h('label', { class: 'tb-check' }, notify, t('notifyReplies')),
      h(
        'div',
        { class: 'tb-buttons' },
        onCancel && h('button', { type: 'button', class: 'tb-button', onclick: onCancel }, t('cancel')),
        submitButton,
      ),
    ),
    error,
    note,
  );
  // The guest fields stay folded away until the reader starts, so the section opens calm.
  form.addEventListener('focusin', () => form.classList.add('tb-open'));
  text.addEventListener('input', () => session.set(draftKey, text.value));
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key === 'Escape' && onCancel) onCancel();
  });
  return form;

  function input(key, type, autocomplete, required, value) {
    const element = h('input', { class: 'tb-input', name: key, type, autocomplete, required });
    element.value = value || '';
    element.addEventListener('input', () => local.set(GUEST_KEY, { name: name?.value, email: email?.value }));
    return element;
  }

  function field(element, key) {
    const caption = element.required ? t(key) : t('optional', { label: t(key) });
    return h('label', { class: 'tb-field tb-guest' }, h('span', { class: 'tb-label' }, caption), element);
  }

  function invalid(element, key) {
    element.setAttribute('aria-invalid', 'true');
    error.textContent = t(key);
    error.hidden = false;
    element.focus();
  }

  async function submit(event) {
    event.preventDefault();
    if (form.getAttribute('aria-busy')) return;
    error.hidden = true;
    for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
    note.hidden = true;
    // Signed in, the account gives name and email: the guest fields are hidden and not sent.
    const asGuest = !ctx.account;
    if (!text.value.trim()) return invalid(text, 'errEmpty');
    if (asGuest && name?.required && !name.value.trim()) return invalid(name, 'errNameRequired');
    if (asGuest && (email?.required || notify?.checked) && !email.value.trim()) return invalid(email, 'errEmailRequired');
    if (asGuest && email && !email.checkValidity()) return invalid(email, 'errEmail');
    // aria-busy rather than disabling the button: a disabled button would drop keyboard focus.
    form.setAttribute('aria-busy', 'true');
    try {
      // Asking for replies is account.js's part, loaded only for it (most comments are
      // posted without) and before posting, so a failure to load leaves the form as typed.
      const account = notify?.checked && (await import('./account.js'));
      const result = comment
        ? await api.edit(comment.id, text.value)
        : await api.post({
            text: text.value,
            parent_id: parent?.comment.id,
            anchor,
            author_name: (asGuest && name.value.trim()) || null,
            email: (asGuest && email.value.trim()) || null,
            title: document.title.slice(0, MAX_TITLE) || null,
            honeypot: trap.value || null,
            form_ms: Date.now() - opened,
          });
      session.remove(draftKey);
      if (!comment && !parent) text.value = '';
      if (account) {
        // Replies to a comment can be asked for once it is shown; a held one is not yet.
        if (result.held) account.say(note, t, t('notifyHeld'));
        else await account.subscribe(ctx, { kind: 'comment', comment_id: result.comment.id, email: asGuest ? email.value.trim() : undefined }, note);
        result.notified = note;
      }
      onDone(result);
    } catch (failure) {
      showError(error, failure, t, failure.status === 0 ? () => form.requestSubmit() : null);
      const fields = { text, author_name: name, email, name_required: name, email_required: email, duplicate: text, toxicity: text };
      fields[failure.fieldNames?.[0] || failure.code]?.setAttribute('aria-invalid', 'true');
    } finally {
      form.removeAttribute('aria-busy');
    }
  }
}
