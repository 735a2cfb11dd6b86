/**
 * The shadow root every Talkback widget lives in (comment section, funding bar), with the
 * widget stylesheet inside it: page styles cannot reach in, ours cannot leak out, and
 * publishers theme it with custom properties (embed.css).
 */

/** Replaced by the server with the package version, so the stylesheet is cached per release. */
const VERSION = '__TALKBACK_VERSION__';

/**
 * @param {HTMLElement} container
 * @param {string} base the Talkback server's URL
 * @returns {{shadow: ShadowRoot, styled: Promise<unknown>}} `styled` settles once the
 *   stylesheet loaded or failed: unstyled is better than nothing, so a failure does not stop us
 */
export function attach(container, base) {
  const shadow = container.attachShadow({ mode: 'open' });
  const styled = new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = `${base}/embed.css?v=${VERSION}`;
    link.onload = link.onerror = resolve;
    shadow.append(link);
  });
  return { shadow, styled };
}
