/**
 * The reader-funding bar: a campaign's goal, ticks, total, supporters and days left, kept
 * live, with a Support button that opens the gift form (donate.js). `mount()` renders into
 * any element with data-talkback-campaign="current" or a campaign id, in a shadow root.
 *
 * The campaign's numbers come formatted by the server (babel) for the page's locale, so
 * the bar reads exactly like the publisher's other money figures; the widget only places.
 */

import { Api, pageUri, RETURN_PARAM } from './api.js';
import { attach } from './shadow.js';

/** A bare language names its usual country, as babel formats money per territory. */
const REGIONS = { de: 'DE', en: 'US' };

/**
 * How the reader came back from checkout, read once for every bar on the page; the
 * parameter then leaves the address bar so a reload does not thank the reader again.
 */
const returned = (() => {
  const url = new URL(location.href);
  const value = url.searchParams.get(RETURN_PARAM);
  if (value == null) return null;
  url.searchParams.delete(RETURN_PARAM);
  try {
    history.replaceState(history.state, '', url);
  } catch {
    // A sandboxed page may refuse; the notice still shows.
  }
  return value;
})();

/** @param {{base: string, site: string, container: HTMLElement}} options base: the server URL */
export async function mount({ base, site, container }) {
  if (container.shadowRoot) return; // mounted already (the snippet was included twice)
  const { shadow, styled } = attach(container, base);
  const api = new Api(base, site, pageUri(container));
  const ref = container.dataset.talkbackCampaign || 'current';
  const money = moneyLocale(container.dataset.locale || document.documentElement.lang);
  const fetchCampaign = () =>
    api.campaign(ref, money).catch((error) => {
      // A locale the server does not know: its own default beats no bar at all.
      if (error.status === 422 && money) return api.campaign(ref, null);
      throw error;
    });
  for (const deeper of ['./dom.js', './live.js']) import(deeper).catch(() => null);
  let first = fetchCampaign();
  first.catch(() => null); // handled below; this only marks it as awaited
  const [{ t, locale }, { h, showError }] = await Promise.all([
    import('./i18n/index.js').then(({ loadStrings }) => loadStrings(container)),
    import('./dom.js'),
  ]);
  await styled;
  const ctx = { api, t, locale, h, showError };
  const status = h('p', { class: 'tb-status', 'aria-live': 'polite' }, t('fundingLoading'));
  const holder = h('div', { class: 'tb' }, status);
  shadow.append(holder);

  let campaign;
  while (!campaign) {
    try {
      campaign = await first;
    } catch (error) {
      if (error.status === 404) {
        holder.remove(); // No campaign running: a news page simply shows no bar.
        return;
      }
      // The reason in words, and a Retry; nothing fails silently.
      await new Promise((retry) => showError(status, { describe: () => `${t('errFunding')} ${error.describe(t)}` }, t, retry));
      status.textContent = t('fundingLoading');
      first = fetchCampaign();
    }
  }
  const bar = await createBar(ctx, campaign);
  holder.replaceWith(bar.element);

  // Live: another reader's gift moves the bar in place; the reader's own form stays open.
  if (typeof EventSource !== 'function') return;
  const { openStream } = await import('./live.js');
  const source = openStream(api.streamUrl());
  let asked = 0;
  const refresh = async (announce) => {
    const mine = ++asked;
    try {
      const fresh = await fetchCampaign();
      if (mine !== asked) return; // a later event's answer is on its way, or here already
      bar.update(fresh);
      if (announce) bar.announce(t('raisedNow', { raised: fresh.formatted.raised, goal: fresh.formatted.goal }));
    } catch {
      // Keep the numbers on screen; the next event or reconnection catches up.
    }
  };
  source.addEventListener('campaign.updated', (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data?.id === bar.campaign.id) refresh(true);
  });
  // Events are best effort: after a reconnection, catch up with what was missed.
  let connected = source.readyState === EventSource.OPEN;
  source.addEventListener('open', () => {
    if (connected) refresh(false);
    connected = true;
  });
  bar.onClosed = () => refresh(false);
}

/**
 * The locale the server formats money in (babel's form, `de_DE`): `de-DE` as `de_DE`, a
 * bare `de` or `en` as its usual country; null (the site's default) without a language.
 */
export function moneyLocale(tag) {
  if (!tag) return null;
  try {
    const { language, script, region } = new Intl.Locale(tag);
    const country = region || REGIONS[language];
    return [language, script, country].filter(Boolean).join('_');
  } catch {
    return null; // not a language tag
  }
}

/**
 * The bar for `campaign`. `update()` rewrites its numbers in place (nodes kept, so focus,
 * an open form and what the reader typed all stay); `announce()` speaks through a polite
 * live region.
 */
async function createBar(ctx, campaign) {
  const { t, locale, h, showError } = ctx;
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const title = h('h2', { class: 'tb-fund-title', id: 'tb-fund-title' });
  const description = h('p', { class: 'tb-fund-about' });
  const raised = h('strong', { class: 'tb-fund-raised' });
  const goal = h('span', { class: 'tb-fund-goal' });
  const percent = h('span', { class: 'tb-fund-percent' });
  const fill = h('div', { class: 'tb-fill' });
  const meter = h('div', { class: 'tb-meter', role: 'progressbar', 'aria-valuemin': 0, 'aria-label': t('raisedLabel') }, fill);
  const ticks = h('ol', { class: 'tb-ticks', 'aria-label': t('milestones') });
  const donors = h('span', { class: 'tb-fund-donors' });
  const days = h('span', { class: 'tb-fund-days' });
  const support = h('button', { type: 'button', class: 'tb-button tb-primary tb-support', 'aria-expanded': 'false', onclick: toggle });
  const closedNote = h('p', { class: 'tb-fund-note', hidden: true });
  const slot = h('div', { class: 'tb-fund-form' });
  const wallList = h('ul', { class: 'tb-wall' });
  // Folded by default: above a story the bar should stay compact; the wall is one click away.
  const wall = h('details', { class: 'tb-wall-box', hidden: true }, h('summary', {}, t('supporters')), wallList);
  const announcer = h('p', { class: 'tb-sr', 'aria-live': 'polite' });
  const notice =
    (returned === 'thanks' || returned === 'cancelled') &&
    h('p', { class: returned === 'thanks' ? 'tb-notice tb-thanks' : 'tb-notice tb-cancelled', role: 'status' }, t(returned));
  const element = h(
    'section',
    { class: 'tb tb-fund', 'aria-labelledby': 'tb-fund-title' },
    notice,
    title,
    description,
    h('p', { class: 'tb-fund-sum' }, raised, ' ', goal, percent),
    meter,
    ticks,
    h('div', { class: 'tb-fund-foot' }, h('p', { class: 'tb-fund-facts' }, donors, days), support),
    closedNote,
    slot,
    wall,
    announcer,
  );
  let form = null;
  const bar = { element, campaign, update, announce: (text) => (announcer.textContent = text), onClosed: null };
  if (returned === 'thanks') (await import('./donate.js')).forgetDraft(ctx.api, campaign);
  update(campaign);
  return bar;

  function update(fresh) {
    bar.campaign = fresh;
    const { formatted } = fresh;
    title.textContent = fresh.title;
    description.textContent = fresh.description || '';
    description.hidden = !fresh.description;
    raised.textContent = formatted.raised;
    goal.textContent = t('raisedOf', { goal: formatted.goal });
    percent.textContent = percentFormat.format(fresh.percent / 100);
    // A campaign past its goal fills the bar; the words still say how far past.
    fill.style.width = `${Math.min(100, Math.max(0, fresh.percent))}%`;
    meter.setAttribute('aria-valuemax', String(fresh.goal));
    meter.setAttribute('aria-valuenow', String(Math.min(fresh.raised, fresh.goal)));
    meter.setAttribute('aria-valuetext', t('raisedText', { raised: formatted.raised, goal: formatted.goal, percent: percent.textContent }));
    ticks.replaceChildren(
      ...fresh.ticks.map((tick, index) => {
        const at = fresh.goal > 0 ? Math.min(100, (tick / fresh.goal) * 100) : 0;
        const item = h('li', { class: `tb-tick${at <= 0 ? ' tb-tick-start' : at >= 100 ? ' tb-tick-end' : ''}` }, formatted.ticks[index]);
        item.style.left = `${at}%`;
        return item;
      }),
    );
    donors.textContent = t('donors', { n: fresh.donors });
    days.textContent = daysText(fresh);
    days.hidden = !days.textContent;
    support.textContent = t('support', { name: fresh.site_name });
    support.hidden = !fresh.accepting;
    closedNote.hidden = fresh.accepting;
    closedNote.textContent = fresh.status === 'closed' || hasEnded(fresh) ? t('fundingClosed') : t('fundingPaused');
    form?.update(fresh);
    wall.hidden = !fresh.wall?.length;
    wallList.replaceChildren(...(fresh.wall || []).map(gift));
  }

  function daysText(fresh) {
    if (fresh.status === 'closed' || hasEnded(fresh)) return t('ended');
    if (fresh.days_left == null) return '';
    return fresh.days_left > 0 ? t('daysLeft', { n: fresh.days_left }) : t('lastDay');
  }

  function gift({ name, amount, message }) {
    return h(
      'li',
      { class: 'tb-gift' },
      h('span', { class: name ? 'tb-author' : 'tb-author tb-anonymous' }, name || t('anonymous')),
      h('span', { class: 'tb-gift-amount' }, amount),
      message && h('p', { class: 'tb-gift-message' }, message),
    );
  }

  /**
   * Open or close the gift form; closing keeps what was typed for the next opening. Its
   * code (donate.js) is fetched at the first press: most readers of the bar never give.
   */
  async function toggle() {
    if (form) {
      form.element.remove();
      form = null;
      support.setAttribute('aria-expanded', 'false');
      return;
    }
    if (support.getAttribute('aria-busy')) return; // pressed again while it loads
    support.setAttribute('aria-busy', 'true');
    try {
      const { createDonation } = await import('./donate.js');
      form = createDonation(ctx, bar.campaign, { onClosed: () => bar.onClosed?.() });
      slot.replaceChildren(form.element);
      support.setAttribute('aria-expanded', 'true');
    } catch (error) {
      const box = h('p', { class: 'tb-error', role: 'alert' });
      slot.replaceChildren(box);
      showError(box, error, t);
    } finally {
      support.removeAttribute('aria-busy');
    }
  }
}

function hasEnded(campaign) {
  return campaign.ends_at != null && Date.parse(campaign.ends_at) <= Date.now();
}
