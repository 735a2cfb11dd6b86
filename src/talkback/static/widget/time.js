/**
 * "3 hours ago", exact on hover, worded by the browser's Intl for each locale: no date
 * library shipped.
 */

import { h } from './dom.js';

/** Largest unit first; months and years are approximate, as "2 months ago" is anyway. */
const UNITS = [
  ['year', 31536000],
  ['month', 2592000],
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** Formatters for one locale. */
export function clock(locale) {
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const exact = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' });

  const ago = (date) => {
    const seconds = (date.getTime() - Date.now()) / 1000;
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
    }
    return relative.format(0, 'second');
  };

  return {
    /** A `<time>` showing `iso` relative to now, exact in its tooltip. */
    element(iso) {
      const date = new Date(iso);
      return h('time', { datetime: iso, title: exact.format(date) }, ago(date));
    },
    /** Bring every relative time under `root` up to date (called once a minute). */
    refresh(root) {
      for (const time of root.querySelectorAll('time[datetime]')) time.textContent = ago(new Date(time.dateTime));
    },
  };
}
