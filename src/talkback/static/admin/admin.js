// Talkback admin: keyboard shortcuts and in-place actions through the admin JSON API.
// Every page works without this file (forms post and redirect back); with it, actions
// happen without a reload. No inline handlers anywhere, so the pages' CSP can stay 'self'.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const site = document.body.dataset.site;
const DONE = { approve: 'Approved', reject: 'Rejected', spam: 'Marked as spam', delete: 'Deleted' };
// The status a comment has after each action, for bulk answers (which carry only ids).
const STATUS_AFTER = { approve: 'approved', reject: 'rejected', spam: 'spam', delete: 'deleted' };
const KEYS = { a: 'approve', r: 'reject', s: 'spam', d: 'delete' };

document.documentElement.classList.add('js');

const switcher = document.getElementById('site-switch');
if (switcher) switcher.addEventListener('change', () => switcher.form.requestSubmit());

const list = document.querySelector('[data-list]');
const bulkForm = document.getElementById('bulk');
const help = document.getElementById('shortcuts');
let current = -1;

function items() {
  return list ? [...list.querySelectorAll('.item')] : [];
}

function checkbox(item) {
  return item.querySelector('input[name="ids"]');
}

function selected() {
  return items().filter((item) => checkbox(item).checked);
}

function refreshSelection() {
  for (const item of items()) item.classList.toggle('selected', checkbox(item).checked);
  const count = selected().length;
  const label = document.querySelector('.selected-count');
  if (label) label.textContent = count ? `${count} selected` : '';
}

function focusItem(index) {
  const all = items();
  if (!all.length) return;
  current = Math.max(0, Math.min(index, all.length - 1));
  all.forEach((item, i) => item.classList.toggle('current', i === current));
  all[current].focus({ preventScroll: true });
  all[current].scrollIntoView({ block: 'nearest' });
}

function nextOpen() {
  const all = items();
  const later = all.findIndex((item, i) => i > current && !item.classList.contains('done'));
  focusItem(later === -1 ? current : later);
}

async function request(path, body) {
  const response = await fetch(`/api/v1/admin/${encodeURIComponent(site)}${path}`, {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) {
    window.location.assign(`/admin/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    throw new Error('Signed out');
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => null);
    throw new Error(answer?.error?.message ?? `Failed (${response.status})`);
  }
  return response.status === 204 ? null : response.json();
}

// The card as the server would now render it: its new status on the badge and the border,
// and no report badge (any decision answers the reports). Approving a published comment is
// "Keep", and says so.
function markDone(item, action, status = STATUS_AFTER[action]) {
  const kept = action === 'approve' && item.dataset.status === 'approved';
  item.classList.add('done');
  item.classList.remove(`status-${item.dataset.status}`);
  item.classList.add(`status-${status}`);
  item.dataset.status = status;
  item.querySelector('.status-badge').textContent = status;
  item.querySelector('.badge.reported')?.remove();
  checkbox(item).checked = false;
  item.querySelector('.outcome').textContent = kept ? 'Kept' : DONE[action];
  for (const button of item.querySelectorAll('.actions button')) button.disabled = true;
}

function showError(item, error) {
  item.querySelector('.outcome').textContent = error.message;
}

function confirmDelete(count) {
  return window.confirm(count === 1 ? 'Delete this comment? This cannot be undone.'
    : `Delete ${count} comments? This cannot be undone.`);
}

async function actOn(targets, action) {
  if (!targets.length) return;
  if (action === 'delete' && !confirmDelete(targets.length)) return;
  if (targets.length === 1) {
    const [item] = targets;
    try {
      const answer = await request(`/comments/${item.dataset.commentId}/${action}`);
      markDone(item, action, answer?.comment?.status);
    } catch (error) {
      showError(item, error);
    }
  } else {
    const byId = new Map(targets.map((item) => [Number(item.dataset.commentId), item]));
    try {
      const outcome = await request('/comments/bulk', { ids: [...byId.keys()], action });
      for (const id of outcome.done) markDone(byId.get(id), action);
      for (const failure of outcome.failed) showError(byId.get(failure.id), failure.error);
    } catch (error) {
      for (const item of targets) showError(item, error);
    }
  }
  refreshSelection();
  nextOpen();
}

if (list && bulkForm) {
  bulkForm.addEventListener('submit', (event) => {
    const button = event.submitter;
    const action = button?.dataset.action ?? button?.value;
    if (!DONE[action]) return;
    event.preventDefault();
    const item = button.closest('.item');
    actOn(item ? [item] : selected(), action);
  });
  list.addEventListener('change', refreshSelection);
  list.addEventListener('click', (event) => {
    const item = event.target.closest('.item');
    if (item) focusItem(items().indexOf(item));
  });
  document.querySelector('[data-select-all]')?.addEventListener('change', (event) => {
    for (const item of items()) {
      if (!item.classList.contains('done')) checkbox(item).checked = event.target.checked;
    }
    refreshSelection();
  });
}

// Pin and feature toggle in place: the card stays where it is, readers see the change live.
const MARKS = {
  pin: { label: ['Pin', 'Unpin'], done: ['Unpinned', 'Pinned'], badge: '.pinned-badge' },
  feature: { label: ['Feature', 'Unfeature'], done: ['No longer featured', 'Featured'], badge: '.featured-badge' },
};

bulkForm?.addEventListener('submit', async (event) => {
  const button = event.submitter;
  const mark = MARKS[button?.dataset.mark];
  if (!mark) return;
  event.preventDefault();
  const item = button.closest('.item');
  const on = button.getAttribute('aria-pressed') !== 'true';
  const action = `${on ? '' : 'un'}${button.dataset.mark}`;
  try {
    await request(`/comments/${item.dataset.commentId}/${action}`);
    button.setAttribute('aria-pressed', String(on));
    button.textContent = mark.label[Number(on)];
    button.formAction = button.formAction.replace(/[a-z]+$/, on ? `un${button.dataset.mark}` : button.dataset.mark);
    item.querySelector(mark.badge).hidden = !on;
    item.querySelector('.outcome').textContent = mark.done[Number(on)];
  } catch (error) {
    showError(item, error);
  }
});

function typing(target) {
  return target.closest('input, textarea, select, [contenteditable="true"]') !== null;
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (event.key === '?') {
    if (help) help.open = !help.open;
    event.preventDefault();
    return;
  }
  if (event.key === 'Escape' && help?.open) {
    help.open = false;
    return;
  }
  if (!list || !items().length) return;
  const item = items()[current];
  if (event.key === 'j') focusItem(current + 1);
  else if (event.key === 'k') focusItem(current - 1);
  else if (event.key === 'x' && item) {
    checkbox(item).checked = !checkbox(item).checked;
    refreshSelection();
  } else if (event.key === 'e' && item) {
    window.location.assign(item.querySelector('[data-action="edit"]').href);
  } else if (KEYS[event.key]) {
    const chosen = selected();
    actOn(chosen.length ? chosen : (item && !item.classList.contains('done') ? [item] : []), KEYS[event.key]);
  } else {
    return;
  }
  event.preventDefault();
});
