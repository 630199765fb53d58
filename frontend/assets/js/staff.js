// Staff pages: show only the round settings that apply to the chosen ballot format and
// tie-break, and redraw the dashboard's turnout chart from live updates. Without this
// module every field is shown (with a note saying when it applies) and the chart is the
// server-rendered one.

const SVG_NS = "http://www.w3.org/2000/svg";

function checkedValue(form, name) {
  const checked = form.querySelector(`input[name="${name}"]:checked`);
  if (checked) return checked.value;
  const select = form.querySelector(`select[name="${name}"]`);
  return select ? select.value : "";
}

function toggleDependents(form) {
  const format = checkedValue(form, "ballot_format");
  const tieBreak = checkedValue(form, "tie_break");
  form.querySelectorAll("[data-show-for-format]").forEach((block) => {
    const formats = block.getAttribute("data-show-for-format").split(" ");
    block.hidden = !formats.includes(format);
  });
  form.querySelectorAll("[data-show-for-tie]").forEach((block) => {
    block.hidden = block.getAttribute("data-show-for-tie") !== tieBreak;
  });
}

function initRoundForm(form) {
  toggleDependents(form);
  form.addEventListener("change", (event) => {
    const name = event.target && event.target.name;
    if (name === "ballot_format" || name === "tie_break") toggleDependents(form);
  });
  // Hidden fields never block saving: the server ignores what does not apply.
  form.addEventListener("submit", () => {
    form.querySelectorAll("[hidden] input, [hidden] select").forEach((input) => {
      input.required = false;
    });
  });
}

function formatMoment(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const lang = document.documentElement.lang || undefined;
  return date.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}

function formatNumber(value) {
  const lang = document.documentElement.lang || undefined;
  return Number(value).toLocaleString(lang);
}

function drawChart(svg, timeline) {
  const box = (svg.getAttribute("viewBox") || "0 0 600 160").split(" ").map(Number);
  const width = box[2];
  const height = box[3];
  const peak = Math.max(1, ...timeline.map((point) => point.ballots || 0));
  const slot = width / Math.max(timeline.length, 24); // as the server draws it
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  timeline.forEach((point, index) => {
    const barHeight = (height * (point.ballots || 0)) / peak;
    const rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("class", "staff-chart__bar");
    rect.setAttribute("x", String(index * slot + slot * 0.1));
    rect.setAttribute("y", String(height - barHeight));
    rect.setAttribute("width", String(slot * 0.8));
    rect.setAttribute("height", String(barHeight));
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = `${formatMoment(point.at)}: ${formatNumber(point.ballots || 0)}`;
    rect.appendChild(title);
    svg.appendChild(rect);
  });
}

function drawTable(table, timeline) {
  const body = table.tBodies[0];
  if (!body || !timeline.length) return;
  body.replaceChildren(
    ...timeline.map((point) => {
      const row = document.createElement("tr");
      const when = document.createElement("td");
      const time = document.createElement("time");
      time.dateTime = point.at;
      time.textContent = formatMoment(point.at);
      when.appendChild(time);
      const count = document.createElement("td");
      count.className = "num";
      count.textContent = formatNumber(point.ballots || 0);
      row.append(when, count);
      return row;
    }),
  );
}

function initDashboard(container) {
  container.addEventListener("kopa:live", (event) => {
    const payload = event.detail && event.detail.payload;
    if (!payload || !Array.isArray(payload.timeline)) return;
    const svg = container.querySelector("[data-turnout-chart]");
    const table = container.querySelector("[data-turnout-table]");
    if (svg) drawChart(svg, payload.timeline);
    if (table) drawTable(table, payload.timeline);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-round-form]").forEach(initRoundForm);
  document.querySelectorAll("[data-staff-dashboard]").forEach(initDashboard);
});
