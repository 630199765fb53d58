// Ideas pages. Everything works without this module (plain GET/POST forms); with it,
// htmx swaps the idea list's results, the support/follow buttons and the discussion in
// place. Forms re-rendered with their errors come back as HTTP 400: inside an ideas region
// ([data-ideas]) those are swapped like a success, so the field messages appear in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  const source = detail.requestConfig && detail.requestConfig.elt;
  if (detail.xhr.status === 400 && source && source.closest("[data-ideas]")) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

// After a comment is posted, take keyboard and screen-reader focus to it.
document.addEventListener("htmx:afterSwap", () => {
  const posted = document.querySelector("[data-ideas] [data-posted]");
  if (posted) {
    posted.removeAttribute("data-posted");
    posted.focus();
  }
});
