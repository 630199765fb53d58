// Results page: a page left open when the results are published refreshes its results
// region by itself. live.js subscribes the region (data-live-topic="round:<slug>:results")
// and fires `kopa:live` with the payload; when it says the results are out (or were
// republished) we fetch this page again and swap the region in. Without JavaScript the
// page is complete as served; a reload shows the new state.

function publishedAt(payload) {
  const districts = (payload && payload.districts) || [];
  return districts
    .map((d) => d.published_at || "")
    .sort()
    .pop() || "";
}

async function refresh(region) {
  const response = await fetch(window.location.href, {
    headers: { "X-Requested-With": "fetch" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.getElementById(region.id);
  if (!fresh) return;
  // Keep the subscribed container (live.js holds it); swap only its contents and state.
  region.innerHTML = fresh.innerHTML;
  region.dataset.published = fresh.dataset.published || "false";
  region.dataset.publishedAt = fresh.dataset.publishedAt || "";
  const announce = document.querySelector("[data-results-announce]");
  if (announce) {
    announce.textContent = window.gettext
      ? window.gettext("The results have been published.")
      : "The results have been published.";
  }
}

function bind(region) {
  if (region.dataset.resultsBound) return;
  region.dataset.resultsBound = "1";
  region.addEventListener("kopa:live", (event) => {
    const payload = event.detail && event.detail.payload;
    if (!payload || !payload.published) return;
    const seen = region.dataset.publishedAt || "";
    const wasPublished = region.dataset.published === "true";
    const now = publishedAt(payload);
    // Compare instants, not strings: the page renders local time, the payload UTC.
    const changed = !wasPublished || (now && seen && Date.parse(now) !== Date.parse(seen));
    if (changed) refresh(region);
  });
}

function init() {
  document.querySelectorAll("[data-results-region]").forEach(bind);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
