// Live parts of a page (docs/realtime.md "Browser client", docs/frontend.md "Live parts").
//
// One websocket per tab to <body data-live-url>. Every element with data-live-topic is
// subscribed; on each snapshot or update its [data-live-key="a.b"] descendants get the
// value at a.b of the state as text (numbers formatted for the page language), and the
// element receives a `kopa:live` event, detail {topic, type, payload, seq}. After a lost
// connection the client reconnects with exponential backoff and jitter and resubscribes
// with the last seq it saw, so the server only sends a snapshot when something was missed.
// [data-live-status] elements show "live" / "reconnecting". Without JavaScript (or
// without a socket) the server-rendered numbers stay: the page is right, only not live.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const PING_EVERY_MS = 25000;

const containers = new Map(); // topic -> Set of elements
const lastSeq = new Map(); // topic -> highest seq applied
let socket = null;
let attempt = 0;
let reconnectTimer = null;
let pingTimer = null;
let frameId = 0;
let numberFormat = null;

function formatValue(value) {
  if (typeof value === "number") {
    if (!numberFormat) {
      try {
        numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
      } catch (error) {
        numberFormat = new Intl.NumberFormat();
      }
    }
    return numberFormat.format(value);
  }
  return value === null ? "" : String(value);
}

function valueAt(state, path) {
  let value = state;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function setStatus(state) {
  document.querySelectorAll("[data-live-status]").forEach((element) => {
    if (element.dataset.state === state) return;
    element.dataset.state = state;
    const label = state === "live" ? element.dataset.labelLive : element.dataset.labelReconnecting;
    element.textContent = label || "";
  });
}

function apply(topic, type, state, seq) {
  const elements = containers.get(topic);
  if (!elements) return;
  const previous = lastSeq.get(topic);
  // Every frame carries the whole state; an older one (a late push after a snapshot) is stale.
  if (previous !== undefined && seq < previous) return;
  lastSeq.set(topic, seq);
  elements.forEach((container) => {
    if (!container.isConnected) {
      elements.delete(container);
      return;
    }
    container.querySelectorAll("[data-live-key]").forEach((element) => {
      // A nested live part of another topic fills its own keys.
      if (element.closest("[data-live-topic]") !== container) return;
      const value = valueAt(state, element.dataset.liveKey);
      if (value === undefined || (value !== null && typeof value === "object")) return;
      const text = formatValue(value);
      if (element.textContent !== text) element.textContent = text;
    });
    container.dispatchEvent(
      new CustomEvent("kopa:live", { bubbles: true, detail: { topic, type, payload: state, seq } }),
    );
  });
}

function kindOf(topic) {
  return topic.split(":").pop();
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function subscribe(topic) {
  const frame = { type: "subscribe", id: `s${(frameId += 1)}`, topic };
  if (lastSeq.has(topic)) frame.since = lastSeq.get(topic);
  send(frame);
}

function onFrame(event) {
  let frame;
  try {
    frame = JSON.parse(event.data);
  } catch (error) {
    return;
  }
  if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
  const payload = frame.payload || {};
  const seq = typeof frame.seq === "number" ? frame.seq : 0;
  if (frame.type === "hello") {
    attempt = 0;
    setStatus("live");
    containers.forEach((_elements, topic) => subscribe(topic));
  } else if (frame.type === "status") {
    // The server lost (false) or regained (true) its update feed; our socket is fine.
    setStatus(payload.live === false ? "reconnecting" : "live");
  } else if (frame.type === "snapshot" && typeof payload.topic === "string") {
    lastSeq.delete(payload.topic); // a snapshot is the truth, even with a lower seq
    apply(payload.topic, kindOf(payload.topic), payload.state || {}, seq);
  } else if (typeof frame.topic === "string" && containers.has(frame.topic)) {
    apply(frame.topic, frame.type, payload, seq);
  }
  // Anything else (subscribed, pong, error, types this page does not know) needs no answer.
}

function scheduleReconnect() {
  if (reconnectTimer) return;
  setStatus("reconnecting");
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  attempt += 1;
  // Full jitter: thousands of tabs losing one server must not come back in one instant.
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  reconnectTimer = window.setTimeout(() => {
    reconnectTimer = null;
    connect();
  }, delay);
}

function liveUrl() {
  const path = document.body && document.body.dataset.liveUrl;
  if (!path) return null;
  // A path is on the page's own host; a ws:// or wss:// origin (KOPA_WEBSOCKET_ORIGIN) is kept.
  const url = new URL(path, window.location.href);
  if (url.protocol === "http:" || url.protocol === "https:") {
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  }
  return url.href;
}

function connect() {
  const url = liveUrl();
  if (!url || !containers.size || !("WebSocket" in window)) return;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    scheduleReconnect();
    return;
  }
  const current = socket;
  current.addEventListener("message", onFrame);
  current.addEventListener("close", () => {
    if (socket !== current) return;
    socket = null;
    window.clearInterval(pingTimer);
    scheduleReconnect();
  });
  window.clearInterval(pingTimer);
  pingTimer = window.setInterval(() => send({ type: "ping" }), PING_EVERY_MS);
}

function scan(root) {
  const found = [];
  if (root.matches && root.matches("[data-live-topic]")) found.push(root);
  root.querySelectorAll("[data-live-topic]").forEach((element) => found.push(element));
  let added = false;
  found.forEach((element) => {
    const topic = element.dataset.liveTopic;
    if (!topic) return;
    if (!containers.has(topic)) {
      containers.set(topic, new Set());
      if (socket && socket.readyState === WebSocket.OPEN) subscribe(topic);
      added = true;
    }
    containers.get(topic).add(element);
  });
  if (added && !socket && !reconnectTimer) connect();
}

function init() {
  scan(document);
  // Parts swapped in later by htmx subscribe as well.
  document.body.addEventListener("htmx:afterSettle", (event) => scan(event.target));
  // A tab coming back from the background after a long sleep reconnects at once.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && reconnectTimer) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempt = 0;
      connect();
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

export { valueAt, formatValue };
