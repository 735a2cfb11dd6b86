/*
 * Talkback comment counts for lists of articles (a front page, "More from…"):
 *   <a data-talkback-count href="/2026/11/story#comments">Comments</a>
 *   <script src="https://COMMENTS-HOST/count.js" data-site="SITE" async></script>
 * Every marked element's text becomes "12 comments", all of them from one request to
 * /counts (one per hundred articles). The article is the element's data-talkback-count
 * value, else its href (the server drops the host, #fragment and tracking parameters).
 * The words follow the script's data-locale, else the page's <html lang>, as the widget's
 * do; a language without words here gets English. Standalone and tiny: a front page
 * loads nothing else of Talkback.
 */
(() => {
  const WORDS = {
    en: { one: '{n} comment', other: '{n} comments' },
    de: { one: '{n} Kommentar', other: '{n} Kommentare' },
  };
  const script = document.currentScript || document.querySelector('script[src*="count.js"]');
  const api = script.src.replace(/count\.js.*/, `api/v1/${script.dataset.site}/counts?`);
  // The language alone: its plural rules do not vary by region.
  let locale = (script.dataset.locale || document.documentElement.lang).split('-')[0];
  if (!WORDS[locale]) locale = 'en';
  const words = WORDS[locale];
  const plurals = new Intl.PluralRules(locale);

  const start = () => {
    const links = {}; // uri → the elements that show its count
    for (const element of document.querySelectorAll('[data-talkback-count]')) {
      const uri = element.dataset.talkbackCount || element.href;
      (links[uri] ||= []).push(element);
    }
    const uris = Object.keys(links);
    // /counts takes a hundred articles at once: one request for any reasonable page.
    for (let at = 0; at < uris.length; at += 100) {
      fetch(api + new URLSearchParams(uris.slice(at, at + 100).map((uri) => ['uri', uri])))
        .then((response) => response.json())
        .then(({ counts }) => {
          for (const uri in counts) {
            const n = counts[uri];
            const text = words[plurals.select(n)].replace('{n}', n.toLocaleString(locale));
            for (const element of links[uri]) element.textContent = text;
          }
        })
        .catch(() => null); // the links keep the publisher's own words
    }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
