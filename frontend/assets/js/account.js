// Account pages. Everything works without this module; with it:
// - the header's unread badge follows the notifications marked read with htmx
//   (the server sends an HX-Trigger "kopa:unread" event with the new count);
// - buttons with data-confirm ask before submitting (removing an e-mail address).

function updateUnreadBadge(count) {
  const link = document.querySelector('.site-nav a[href$="/account/notifications/"]');
  if (!link) return;
  const badge = link.querySelector(".nav-badge");
  if (count > 0 && badge) {
    const hidden = badge.querySelector(".visually-hidden");
    badge.textContent = String(count);
    if (hidden) badge.appendChild(hidden);
  } else if (badge) {
    badge.remove();
  }
}

document.addEventListener("kopa:unread", (event) => {
  const detail = event.detail || {};
  updateUnreadBadge(Number(detail.count || 0));
  // The inbox's status line is a live region: screen readers hear the new count.
  const status = document.querySelector("[data-unread-status]");
  if (status && detail.label) status.textContent = detail.label;
  if (!Number(detail.count || 0)) {
    const markAll = document.querySelector("[data-mark-all]");
    if (markAll) markAll.remove();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// After htmx replaced a notification (or the whole list), keep keyboard focus there instead
// of losing it with the button that was removed.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  const id = target && target.id;
  if (!id || !id.startsWith("notification")) return;
  const swapped = document.getElementById(id);
  if (!swapped) return;
  const focusTarget = swapped.querySelector("a, [data-unread-status]") || swapped;
  if (focusTarget.tagName !== "A" && !focusTarget.hasAttribute("tabindex")) {
    focusTarget.setAttribute("tabindex", "-1");
  }
  focusTarget.focus();
});
