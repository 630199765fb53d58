// Workshop times: the page shows each workshop in the organisation's time zone with its
// abbreviation ("10:00–12:30 EEST"). When the reader's own zone differs, this adds the same
// span in their zone: "(11:00–13:30 your time, EET)". Without JavaScript the organisation's
// time stands alone, which is always right.
//
// Markup: <time datetime="<start ISO>" data-local-zone="<organisation zone>"
//               data-ends="<end ISO>">…</time>, followed by this script's <span>.

// A literal gettext call, so that makemessages finds the text for the jsi18n catalog.
function yourTimeFormat() {
  return window.gettext
    ? window.gettext("(%(span)s your time, %(zone)s)")
    : "(%(span)s your time, %(zone)s)";
}

function interpolate(format, values) {
  if (window.interpolate) return window.interpolate(format, values, true);
  return format.replace(/%\((\w+)\)s/g, (_match, name) => values[name]);
}

function offsetAt(date, zone) {
  // The zone's UTC offset in minutes at ``date`` (from its wall-clock reading).
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((wall - date.getTime()) / 60000);
}

function abbreviation(date, zone) {
  const part = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: zone,
    timeZoneName: "short",
  })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part ? part.value : zone;
}

function addViewerZone(element) {
  if (element.dataset.viewerZoneAdded) return;
  const organisationZone = element.dataset.localZone;
  const start = new Date(element.getAttribute("datetime"));
  const end = element.dataset.ends ? new Date(element.dataset.ends) : null;
  if (!organisationZone || Number.isNaN(start.getTime())) return;
  let viewerZone;
  try {
    viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!viewerZone || offsetAt(start, viewerZone) === offsetAt(start, organisationZone)) return;
  } catch (_error) {
    return; // an unknown zone: the organisation's time stays alone
  }
  const lang = document.documentElement.lang || undefined;
  const clock = new Intl.DateTimeFormat(lang, {
    timeZone: viewerZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const day = new Intl.DateTimeFormat(lang, { timeZone: viewerZone, weekday: "short" });
  const organisationDay = new Intl.DateTimeFormat(lang, {
    timeZone: organisationZone,
    weekday: "short",
  });
  let span = clock.format(start);
  if (day.format(start) !== organisationDay.format(start)) span = `${day.format(start)} ${span}`;
  if (end && !Number.isNaN(end.getTime())) span = `${span}–${clock.format(end)}`;
  const note = document.createElement("span");
  note.className = "workshop-time__viewer";
  note.textContent = ` ${interpolate(yourTimeFormat(), {
    span,
    zone: abbreviation(start, viewerZone),
  })}`;
  element.after(note);
  element.dataset.viewerZoneAdded = "true";
}

function run(root) {
  root.querySelectorAll("time[data-local-zone]").forEach(addViewerZone);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => run(document));
} else {
  run(document);
}
document.addEventListener("htmx:afterSwap", (event) => run(event.target));
