// Ideas pages. Everything works without this module (plain GET/POST forms); with it,
// htmx swaps the idea list's results, the support/follow buttons and the discussion in
// place. Forms re-rendered with their errors come back as HTTP 400 (429 when over the rate
// limit): inside an ideas region ([data-ideas]) those are swapped like a success, so the
// messages appear in place.
const SWAPPED_ERRORS = new Set([400, 429]);

document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  const source = detail.requestConfig && detail.requestConfig.elt;
  if (SWAPPED_ERRORS.has(detail.xhr.status) && source && source.closest("[data-ideas]")) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

// After a comment is posted, take keyboard and screen-reader focus to it; after a refused
// one, to the discussion's error summary (its links lead to the text box concerned).
document.addEventListener("htmx:afterSwap", () => {
  const posted = document.querySelector("[data-ideas] [data-posted]");
  const summary = document.querySelector("#comments [data-error-summary]");
  if (posted) {
    posted.removeAttribute("data-posted");
    posted.focus();
  } else if (summary) {
    summary.focus();
  }
});

// The idea list's filters apply as soon as a choice changes (the search box on Enter or
// "Show ideas"); empty filters are left out of the request, so the address stays short.
document.addEventListener("change", (event) => {
  const control = event.target;
  const form = control.closest && control.closest("form[data-idea-filters]");
  if (form && control.matches("select, input[type=checkbox]")) form.requestSubmit();
});

document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.matches || !event.detail.elt.matches("form[data-idea-filters]")) return;
  const params = event.detail.parameters;
  const names = params instanceof FormData ? [...params.keys()] : Object.keys(params);
  for (const name of names) {
    const value = params instanceof FormData ? params.get(name) : params[name];
    if (value === "" || value === null) {
      if (params instanceof FormData) params.delete(name);
      else delete params[name];
    }
  }
});

// "Use my current location" on the idea form fills latitude and longitude (6 decimals, as
// stored). Shown only with JavaScript and a browser that can locate; typing works anyway.
function setUpLocate(box) {
  const button = box.querySelector("[data-locate-button]");
  const status = box.querySelector("[data-locate-status]");
  const form = box.closest("form");
  if (!button || !form || !("geolocation" in navigator)) return;
  box.classList.add("is-available");
  button.addEventListener("click", () => {
    status.textContent = box.dataset.labelBusy;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        status.textContent = box.dataset.labelDone;
      },
      () => {
        status.textContent = box.dataset.labelFailed;
      },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-locate]").forEach(setUpLocate);
});
