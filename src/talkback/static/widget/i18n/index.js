/**
 * `t(key, vars)` in the container's `data-locale`, else the page's `<html lang>`, else
 * English. A language without a catalogue gets English throughout, dates included, so a
 * page never mixes two languages.
 */

import en from './en.js';

/** Catalogues other than English, loaded only when a page asks for them. */
const CATALOGUES = { de: () => import('./de.js') };

/** @returns {Promise<{t: (key: string, vars?: object) => string, locale: string}>} */
export async function loadStrings(container) {
  let locale = 'en';
  try {
    locale = Intl.getCanonicalLocales(container.dataset.locale || document.documentElement.lang || 'en')[0];
  } catch {
    // An invalid language tag: stay with English.
  }
  const language = locale.split('-')[0];
  let strings = en;
  if (CATALOGUES[language]) strings = { ...en, ...(await CATALOGUES[language]()).default };
  else if (language !== 'en') locale = 'en';
  const plurals = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const t = (key, vars = {}) => {
    let text = strings[key] ?? key;
    if (typeof text === 'object') text = text[plurals.select(Number(vars.n))] ?? text.other;
    return text.replace(/\{(\w+)\}/g, (_, name) =>
      typeof vars[name] === 'number' ? numbers.format(vars[name]) : String(vars[name] ?? ''),
    );
  };
  return { t, locale };
}
