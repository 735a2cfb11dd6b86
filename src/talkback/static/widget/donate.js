/**
 * The gift form under the funding bar: preset amounts or one of the reader's own, an
 * optional name and public message, then on to the payment page the server names.
 *
 * The amount is checked here against the campaign's limits before anything is sent, and
 * every refusal is put into words. Nothing typed is lost: a failure leaves the form as it
 * was, and the gift is kept for this tab, so a reader back from a cancelled payment finds
 * it again.
 */

import { ApiError, RETURN_PARAM } from './api.js';
import { h, showError } from './dom.js';
import { session } from './storage.js';

/** The API's limits on a public message and a donor's name. */
const MAX_MESSAGE = 500;
const MAX_NAME = 80;

const draftKey = (api, campaign) => `talkback:gift:${api.site}:${campaign.id}`;

/** The gift went through: its draft has served its purpose. */
export function forgetDraft(api, campaign) {
  session.remove(draftKey(api, campaign));
}

/**
 * @param {object} ctx `{api, t, locale}`
 * @param {object} campaign the campaign JSON (docs/funding.md)
 * @param {{onClosed: () => void}} hooks `onClosed`: the server said the campaign closed
 * @returns {{element: HTMLFormElement, update: (campaign: object) => void}}
 */
export function createDonation(ctx, campaign, { onClosed }) {
  const { api, t, locale } = ctx;
  const key = draftKey(api, campaign);
  const draft = session.get(key) || {};
  let chosen = draft.preset ?? null;

  const presets = h('div', { class: 'tb-presets' });
  const custom = h('input', { class: 'tb-input tb-amount', name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'transaction-amount' });
  const name = h('input', { class: 'tb-input', name: 'donor_name', type: 'text', autocomplete: 'name', maxlength: MAX_NAME });
  const message = h('textarea', { class: 'tb-input tb-text', name: 'message', rows: 2, maxlength: MAX_MESSAGE, 'aria-describedby': 'tb-gift-hint' });
  const left = h('span', { class: 'tb-count-left' });
  const customLabel = h('span', { class: 'tb-label' });
  const error = h('p', { class: 'tb-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'tb-notice', role: 'status', hidden: true }, t('redirecting'));
  const submitButton = h('button', { type: 'submit', class: 'tb-button tb-primary' }, t('continuePayment'));
  custom.value = draft.amount || '';
  name.value = draft.name || '';
  message.value = draft.message || '';

  const element = h(
    'form',
    { class: 'tb-form tb-donate', novalidate: true, onsubmit: submit },
    h('fieldset', { class: 'tb-amounts' }, h('legend', { class: 'tb-label' }, t('chooseAmount')), presets, h('label', { class: 'tb-field' }, customLabel, custom)),
    h('label', { class: 'tb-field' }, h('span', { class: 'tb-label' }, t('giftName')), name),
    h(
      'label',
      { class: 'tb-field' },
      h('span', { class: 'tb-label' }, t('optional', { label: t('giftMessage') })),
      message,
      h('span', { class: 'tb-hint', id: 'tb-gift-hint' }, t(campaign.message_review === 'before' ? 'giftMessageReviewed' : 'giftMessageScreened'), ' · ', left),
    ),
    error,
    status,
    h('div', { class: 'tb-buttons' }, submitButton),
  );
  custom.addEventListener('input', () => {
    chosen = null; // typing an amount replaces the preset
    showPresets();
    keep();
  });
  name.addEventListener('input', keep);
  message.addEventListener('input', () => {
    countLeft();
    keep();
  });
  addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    element.removeAttribute('aria-busy');
    status.hidden = true;
  });
  update(campaign);
  countLeft();
  return { element, update };

  /** Follow the campaign as it changes (presets, limits) without touching what was typed. */
  function update(fresh) {
    campaign = fresh;
    customLabel.textContent = t('otherAmount', { currency: fresh.currency });
    if (!presets.childElementCount || presets.dataset.for !== fresh.presets.join()) {
      presets.dataset.for = fresh.presets.join();
      presets.replaceChildren(
        ...fresh.presets.map((amount, index) =>
          h('button', { type: 'button', class: 'tb-button tb-preset', 'data-amount': amount, onclick: () => choose(amount) }, fresh.formatted.presets[index]),
        ),
      );
    }
    showPresets();
  }

  function choose(amount) {
    chosen = amount;
    custom.value = '';
    custom.removeAttribute('aria-invalid');
    error.hidden = true;
    showPresets();
    keep();
  }

  function showPresets() {
    for (const button of presets.children) button.setAttribute('aria-pressed', String(Number(button.dataset.amount) === chosen));
  }

  function countLeft() {
    left.textContent = t('charactersLeft', { n: MAX_MESSAGE - message.value.length });
  }

  function keep() {
    session.set(key, { preset: chosen, amount: custom.value, name: name.value, message: message.value });
  }

  /** The amount in major units, or the reason it cannot be taken (a catalogue key and its variables). */
  function amount() {
    if (chosen != null && !custom.value.trim()) return { value: chosen };
    if (!custom.value.trim()) return { problem: ['errAmountMissing'] };
    const range = ['errAmountRange', { min: campaign.formatted.min_amount, max: campaign.formatted.max_amount }];
    const parsed = parseAmount(custom.value, locale);
    if (!parsed) return { problem: range };
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency: campaign.currency }).resolvedOptions().maximumFractionDigits;
    if (parsed.decimals > digits) return { problem: digits ? ['errAmountDecimals', { n: digits }] : ['errAmountWhole'] };
    if (parsed.value < campaign.min_amount || parsed.value > campaign.max_amount) return { problem: range };
    return { value: parsed.value };
  }

  function fail(text, field = null, retry = null) {
    showError(error, { describe: () => text }, t, retry);
    field?.setAttribute('aria-invalid', 'true');
    field?.focus();
  }

  async function submit(event) {
    event.preventDefault();
    if (element.getAttribute('aria-busy')) return;
    error.hidden = true;
    for (const field of element.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
    const { value, problem } = amount();
    if (problem) return fail(t(...problem), custom);
    if (message.value.length > MAX_MESSAGE) return fail(t('errGiftMessage', { max: MAX_MESSAGE }), message);
    const gift = { amount: value, currency: campaign.currency, return_url: returnUrl() };
    if (name.value.trim()) gift.donor_name = name.value.trim();
    if (message.value.trim()) gift.message = message.value.trim();
    keep();
    // aria-busy rather than disabling the button: a disabled button would drop keyboard focus.
    element.setAttribute('aria-busy', 'true');
    try {
      const { url } = await api.checkout(campaign.id, gift);
      if (!/^https?:\/\//i.test(url)) throw new ApiError(502); // only ever a web page
      status.hidden = false;
      location.href = url;
    } catch (failure) {
      element.removeAttribute('aria-busy');
      explain(failure instanceof ApiError ? failure : new ApiError(0));
    }
  }

  /** A refused checkout in the reader's words, pointing at the field concerned. */
  function explain(failure) {
    if (failure.status === 0) return fail(t('errPayOffline'), null, () => element.requestSubmit());
    if (failure.code === 'campaign_closed') onClosed();
    if (failure.status !== 422) return fail(failure.describe(t));
    const field = failure.fieldNames[0] || failure.code;
    if (/amount|currency/.test(field)) return fail(t('errAmountRange', { min: campaign.formatted.min_amount, max: campaign.formatted.max_amount }), custom);
    if (/return_url/.test(field)) return fail(t('errGiftOrigin'));
    if (/message/.test(field)) return fail(t('errGiftMessage', { max: MAX_MESSAGE }), message);
    if (/name/.test(field)) return fail(t('errName'), name);
    return fail(t('errGiftInvalid'));
  }
}

/** Where checkout sends the reader back: this page, without a previous return's marker or a fragment. */
function returnUrl() {
  const url = new URL(location.href);
  url.searchParams.delete(RETURN_PARAM);
  url.hash = '';
  return url.href;
}

/**
 * An amount as a reader types it, in their locale or not: "25", "25.50", "25,50",
 * "1,000", "1.000,50", "$ 25". The last separator is the decimal sign unless it repeats or
 * is followed by exactly three digits without being the locale's decimal sign ("1,000" in
 * English, "1.000" in German). Null when it is no positive amount at all.
 * @returns {{value: number, decimals: number} | null}
 */
export function parseAmount(text, locale) {
  const decimalSign = new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === 'decimal')?.value;
  const cleaned = text.replace(/[^\d.,]/g, '');
  const last = Math.max(cleaned.lastIndexOf('.'), cleaned.lastIndexOf(','));
  let whole = cleaned;
  let fraction = '';
  if (last >= 0) {
    const sign = cleaned[last];
    const before = cleaned.slice(0, last);
    const tail = cleaned.slice(last + 1);
    const mixed = /[.,]/.test(before) && !before.includes(sign); // "1.000,50"
    if (!before.includes(sign) && (mixed || tail.length !== 3 || sign === decimalSign)) {
      whole = before;
      fraction = tail;
    }
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/\d/.test(whole + fraction)) return null;
  const value = Number(`${whole || 0}.${fraction || 0}`);
  return value > 0 ? { value, decimals: fraction.replace(/0+$/, '').length } : null;
}
