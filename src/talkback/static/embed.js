/*
 * Talkback embed loader, the one script a publisher adds to an article:
 *   <div id="talkback"></div>
 *   <script src="https://COMMENTS-HOST/embed.js" data-site="SITE" async></script>
 * Tiny and short-cached; it imports the widget's modules (versioned, cached for a year)
 * from its own server into #talkback, or every element with data-talkback, and the
 * funding bar into every element with data-talkback-campaign (either may be alone).
 */
(() => {
  'use strict';

  // With `async` the script may run before or after the container is parsed; both work.
  const script = document.currentScript || document.querySelector('script[src*="embed.js"][data-site]');
  if (!script) return;
  const source = new URL(script.src, location.href);
  const base = source.origin + source.pathname.replace(/\/embed\.js$/, '');
  const site = script.dataset.site;

  /** Say so in the page rather than fail silently (the widget's own strings never loaded). */
  const fail = (container, what) => {
    (container.shadowRoot || container).textContent = `${what} could not be loaded. Please reload the page to try again.`;
  };

  const load = (selector, module, what) => {
    const containers = document.querySelectorAll(selector);
    if (!containers.length) return;
    import(`${base}/widget/__TALKBACK_VERSION__/${module}`).then(
      ({ mount }) => containers.forEach((container) => mount({ base, site, container }).catch(() => fail(container, what))),
      () => containers.forEach((container) => fail(container, what)),
    );
  };

  const start = () => {
    load('[data-talkback-campaign]', 'funding.js', 'The funding campaign');
    load('#talkback, [data-talkback]', 'main.js', 'Comments');
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
