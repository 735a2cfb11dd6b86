/**
 * Web storage that never throws. Browsers may refuse storage (privacy modes, sandboxed
 * frames, quota); the widget then keeps things in memory for the life of the page.
 */

/** @param {'localStorage' | 'sessionStorage'} name */
function wrap(name) {
  const memory = new Map();
  let store = null;
  try {
    store = window[name];
  } catch {
    // Accessing the property itself throws when storage is blocked.
  }
  return {
    /** @returns {any} the stored JSON value, or null */
    get(key) {
      try {
        const raw = memory.get(key) ?? store?.getItem(key);
        return raw == null ? null : JSON.parse(raw);
      } catch {
        return null;
      }
    },
    set(key, value) {
      const raw = JSON.stringify(value);
      try {
        store.setItem(key, raw);
        memory.delete(key);
      } catch {
        memory.set(key, raw);
      }
    },
    remove(key) {
      memory.delete(key);
      try {
        store?.removeItem(key);
      } catch {
        // Nothing stored means nothing to remove.
      }
    },
  };
}

/** Survives reloads: reader token, edit tokens, the guest's name and email. */
export const local = wrap('localStorage');
/** Survives reloads of this tab only: drafts, which should not outlive the session. */
export const session = wrap('sessionStorage');

/** Where a guest's name and email are remembered between visits (this site only). */
export const GUEST_KEY = 'talkback:guest';
