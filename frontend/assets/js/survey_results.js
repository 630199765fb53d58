// Survey results page: live.js subscribes the region (data-live-topic="survey:<slug>:results")
// and fires `kopa:live` on every snapshot or update; the server draws the charts, so we
// fetch this page again (at most once a second) and swap the region in. Without JavaScript
// the page is complete as served; a reload shows the new answers.

const WAIT_MS = 1000;

async function refresh(region) {
  const response = await fetch(window.location.href, {
    headers: { "X-Requested-With": "fetch" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.getElementById(region.id);
  if (!fresh) return;
  // Keep the subscribed container (live.js holds it); swap only its contents.
  region.innerHTML = fresh.innerHTML;
  const count = document.querySelector("[data-results-count]");
  const freshCount = doc.querySelector("[data-results-count]");
  if (count && freshCount) count.textContent = freshCount.textContent;
}

function bind(region) {
  if (region.dataset.surveyResultsBound) return;
  region.dataset.surveyResultsBound = "1";
  let timer = null;
  let seen = null;
  region.addEventListener("kopa:live", (event) => {
    const payload = event.detail && event.detail.payload;
    if (!payload || typeof payload.responses !== "number") return;
    const key = JSON.stringify(payload);
    if (seen === null) {
      seen = key; // the snapshot on subscribing: the page already shows it
      return;
    }
    if (key === seen) return;
    seen = key;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh(region);
    }, WAIT_MS);
  });
}

function init() {
  document.querySelectorAll("[data-survey-results-region]").forEach(bind);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
