// A workshop's live board (frontend/workshops/board/views.py). The page is complete without
// this module: the server draws the board and every action is a plain form. With it:
// - the board is redrawn from each state pushed on `workshop:<id>:board` (live.js subscribes
//   the [data-live-topic] element, orders frames by seq, takes the snapshot on joining and
//   resyncs with `since` after a reconnect, then fires `kopa:live` with the whole state);
// - notes go to the JSON API with an id made here (crypto.randomUUID): a post lost on the
//   network is sent again with the same id, so it never lands twice; the note shows as
//   "sending…" until the board has it;
// - every other action ([data-board-action] forms) is sent with fetch and answered in JSON;
//   what happened is said in the live region ([data-board-announce]) and the focus stays on
//   the control used (or moves to what the action made: a moved note, an idea link);
// - the timer counts down every second.
// Moving a note is a <select> of clusters in a disclosure (<details>), never drag and drop.

import { csrfToken } from "./core.js";

const gettext = (text) => (window.gettext ? window.gettext(text) : text);
const ngettext = (one, many, n) =>
  window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many;
const fill = (text, values) =>
  window.interpolate
    ? window.interpolate(text, values, true)
    : text.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key]));

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];
const STAGES = ["ideation", "clustering", "voting", "closed"];

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // Older browsers: a version 4 UUID from getRandomValues.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// h("p", {class: "x"}, "text", child) -> element; attributes with false/null are left out.
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value === false || value === null || value === undefined) return;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  });
  children.flat().forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return element;
}

function dotsText(n) {
  return fill(ngettext("%(n)s dot", "%(n)s dots", n), { n });
}

class Board {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.viewer = config;
    this.projector = Boolean(config.projector);
    this.state = null;
    this.pending = new Map(); // client_id -> {text, prompt, display_name}
    this.stateRequest = 0;
    this.pendingFocus = null;
    this.timeUpSaid = false;
    this.announcer = document.querySelector("[data-board-announce]");
    this.actionBase = null;
    const anyAction = document.querySelector("form[data-board-action]");
    if (anyAction) this.actionBase = anyAction.getAttribute("action").replace(/[^/]+\/$/, "");
    root.addEventListener("kopa:live", (event) => this.onLive(event.detail));
    document.addEventListener("submit", (event) => this.onSubmit(event));
    this.setUpNoteForm();
    window.setInterval(() => this.tick(), 1000);
    this.tick();
  }

  // --- saying what happened ---------------------------------------------------------------

  say(message) {
    if (!this.announcer) return;
    // Emptied first, so the same words said twice are heard twice.
    this.announcer.textContent = "";
    window.setTimeout(() => {
      this.announcer.textContent = message;
    }, 50);
  }

  dotsLeftText() {
    const total = (this.state && this.state.dots_per_participant) || this.config.dots_per_participant || 0;
    const left = this.viewer.dots_left === null || this.viewer.dots_left === undefined ? total : this.viewer.dots_left;
    return fill(gettext("%(left)s of %(total)s dots left"), { left, total });
  }

  // --- state ------------------------------------------------------------------------------

  onLive(detail) {
    if (!detail || !detail.payload || !Array.isArray(detail.payload.notes)) return;
    if (this.viewer.moderator) {
      // The public state leaves hidden notes out: moderators read their own view.
      this.refreshOwnState();
      return;
    }
    this.render(detail.payload);
  }

  async refreshOwnState() {
    this.stateRequest += 1;
    const mine = this.stateRequest;
    try {
      const response = await fetch(this.config.state, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || mine !== this.stateRequest) return;
      const data = await response.json();
      if (mine !== this.stateRequest) return; // a newer request answers for a newer state
      this.viewer = Object.assign({}, this.viewer, data.viewer);
      this.render(data.state);
    } catch (error) {
      // The next push tries again.
    }
  }

  // --- drawing ----------------------------------------------------------------------------

  focusKey(element) {
    if (!element || element === document.body) return null;
    if (element.tagName === "SUMMARY" && element.parentElement.dataset.keep) {
      return `summary:${element.parentElement.dataset.keep}`;
    }
    if (element.id) return `#${element.id}`;
    const form = element.closest("form");
    if (form) {
      const hidden = [...form.querySelectorAll("input[type=hidden]:not([name=csrfmiddlewaretoken])")]
        .map((input) => `${input.name}=${input.value}`)
        .join("&");
      return `form:${form.getAttribute("action")}?${hidden}|${element.tagName}`;
    }
    return null;
  }

  findByKey(key) {
    if (!key) return null;
    if (key.startsWith("summary:")) {
      const details = this.root.querySelector(`details[data-keep="${key.slice(8)}"]`);
      return details ? details.querySelector("summary") : null;
    }
    if (key.startsWith("#")) return document.getElementById(key.slice(1));
    return [...this.root.querySelectorAll("button, select, input, textarea")].find(
      (element) => this.focusKey(element) === key,
    );
  }

  render(state) {
    this.state = state;
    this.updateStatus(state);
    // What the person is in the middle of survives the redraw: open disclosures, what they
    // typed in them, and the focus.
    const open = new Set(
      [...this.root.querySelectorAll("details[open][data-keep]")].map((d) => d.dataset.keep),
    );
    const typed = new Map();
    this.root.querySelectorAll("details[data-keep] input:not([type=hidden]), details[data-keep] select").forEach((field) => {
      if (field.id) typed.set(field.id, field.value);
    });
    const active = this.root.contains(document.activeElement) ? this.focusKey(document.activeElement) : null;

    const fresh = this.projector ? this.drawProjector(state) : this.drawBoard(state);
    this.root.replaceChildren(...fresh);

    this.root.querySelectorAll("details[data-keep]").forEach((details) => {
      if (open.has(details.dataset.keep)) details.open = true;
    });
    typed.forEach((value, id) => {
      const field = document.getElementById(id);
      if (!field || !field.closest("details[open]")) return;
      if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) field.value = value;
    });
    const target = this.pendingFocus ? document.getElementById(this.pendingFocus) : null;
    if (target) {
      this.pendingFocus = null;
      target.focus();
    } else if (active) {
      const again = this.findByKey(active);
      if (again) again.focus();
    }
  }

  updateStatus(state) {
    const stage = document.querySelector("[data-board-stage]");
    const option = document.querySelector(`#board-stage option[value="${state.stage}"]`);
    if (stage && option) stage.textContent = option.textContent;
    else if (stage && this.config.stages && this.config.stages[state.stage]) stage.textContent = this.config.stages[state.stage];
    const presence = document.querySelector("[data-board-presence]");
    if (presence) {
      presence.textContent = fill(
        ngettext("%(n)s person on the board now", "%(n)s people on the board now", state.presence),
        { n: state.presence },
      );
    }
    document.querySelectorAll("[data-board-when]").forEach((element) => {
      element.hidden = !element.dataset.boardWhen.split(" ").includes(state.stage);
    });
    const stageSelect = document.getElementById("board-stage");
    if (stageSelect && document.activeElement !== stageSelect && STAGES.includes(state.stage)) {
      stageSelect.value = state.stage;
    }
    const dotsLeft = document.querySelector("[data-board-dots-left]");
    if (dotsLeft) dotsLeft.textContent = this.dotsLeftText();
    const timer = document.querySelector("[data-board-timer]");
    if (timer) {
      const countdown = timer.querySelector("[data-board-countdown]");
      const label = timer.querySelector("[data-board-timer-label]");
      const time = timer.querySelector("time");
      const endsAt = state.timer && state.timer.ends_at;
      if (countdown && countdown.dataset.endsAt !== (endsAt || "")) {
        this.timeUpSaid = false;
        if (endsAt) this.say(gettext("The timer started."));
        else if (countdown.dataset.endsAt) this.say(gettext("The timer stopped."));
      }
      if (countdown) countdown.dataset.endsAt = endsAt || "";
      if (label) label.textContent = state.timer && state.timer.label ? `${state.timer.label}: ` : `${gettext("Timer:")} `;
      if (time) time.remove();
      timer.hidden = !endsAt;
      this.tick();
    }
  }

  tick() {
    const countdown = document.querySelector("[data-board-countdown]");
    if (!countdown || !countdown.dataset.endsAt) return;
    const left = Math.max(0, Math.round((Date.parse(countdown.dataset.endsAt) - Date.now()) / 1000));
    if (Number.isNaN(left)) return;
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    countdown.textContent = left
      ? fill(gettext("%(minutes)s:%(seconds)s left"), { minutes, seconds })
      : gettext("time is up");
    if (!left && !this.timeUpSaid) {
      this.timeUpSaid = true;
      this.say(gettext("Time is up."));
    }
  }

  layout(state) {
    const clusters = new Map(state.clusters.map((c) => [c.id, Object.assign({}, c, { notes: [] })]));
    const columns = new Map(
      state.prompts.map((p) => [p.id, Object.assign({}, p, { clusters: [], notes: [] })]),
    );
    state.notes.forEach((note) => {
      if (clusters.has(note.cluster)) clusters.get(note.cluster).notes.push(note);
      else if (columns.has(note.prompt)) columns.get(note.prompt).notes.push(note);
    });
    const known = new Set(state.notes.map((note) => note.client_id));
    this.pending.forEach((note, clientId) => {
      if (known.has(clientId)) this.pending.delete(clientId);
      else if (columns.has(note.prompt)) columns.get(note.prompt).notes.push(note);
    });
    const loose = [];
    clusters.forEach((cluster) => {
      if (columns.has(cluster.prompt)) columns.get(cluster.prompt).clusters.push(cluster);
      else loose.push(cluster);
    });
    return { columns: [...columns.values()], loose, clusters: [...clusters.values()] };
  }

  drawBoard(state) {
    const board = this.layout(state);
    const columns = h("div", { class: "board__columns" });
    board.columns.forEach((column) => {
      const section = h(
        "section",
        { class: "board-column", "aria-labelledby": `prompt-${column.id}`, "data-prompt": column.id },
        h("h2", { id: `prompt-${column.id}`, class: "board-column__title", text: column.text }),
      );
      column.clusters.forEach((cluster) => section.append(this.drawCluster(cluster, state, board)));
      section.append(
        this.noteList(
          column.notes,
          fill(gettext("Notes not in a cluster: %(prompt)s"), { prompt: column.text }),
          gettext("No notes here yet."),
          state,
          board,
        ),
      );
      columns.append(section);
    });
    if (!board.columns.length) {
      columns.append(h("p", { class: "muted", text: gettext("The facilitators have not set any prompts yet.") }));
    }
    const parts = [columns];
    if (board.loose.length) {
      const section = h(
        "section",
        { class: "board-column board-column--wide", "aria-labelledby": "loose-clusters" },
        h("h2", { id: "loose-clusters", class: "board-column__title", text: gettext("Clusters across prompts") }),
      );
      board.loose.forEach((cluster) => section.append(this.drawCluster(cluster, state, board)));
      parts.push(section);
    }
    return parts;
  }

  noteList(notes, label, empty, state, board) {
    const list = h("ul", { class: "board-notes", "aria-label": label });
    notes.forEach((note) => list.append(this.drawNote(note, state, board)));
    if (!notes.length) list.append(h("li", { class: "muted board-notes__empty", text: empty }));
    return list;
  }

  form(action, fields, ...children) {
    const form = h(
      "form",
      { method: "post", action: `${this.actionBase}${action}/`, "data-board-action": true },
      h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }),
      Object.entries(fields).map(([name, value]) => h("input", { type: "hidden", name, value })),
      ...children,
    );
    return form;
  }

  button(text, { secondary = false, disabled = false } = {}) {
    return h("button", {
      type: "submit",
      class: `button button--small${secondary ? " button--secondary" : ""}`,
      disabled,
      text,
    });
  }

  canVote(state) {
    return this.viewer.may_take_part && state.stage === "voting";
  }

  voteButtons(kind, item, label) {
    const mine = ((this.viewer.my_dots || {})[kind === "note" ? "notes" : "clusters"] || {})[String(item.id)] || 0;
    const short = truncate(label, 40);
    const wrap = h(
      "div",
      { class: "board-vote" },
      this.form(
        "dot-add",
        { [kind]: item.id },
        this.button(fill(gettext("Add a dot to “%(text)s”"), { text: short }), {
          disabled: this.viewer.dots_left === 0,
        }),
      ),
    );
    if (mine) {
      wrap.append(
        this.form(
          "dot-remove",
          { [kind]: item.id },
          this.button(fill(gettext("Remove a dot from “%(text)s”"), { text: short }), { secondary: true }),
        ),
      );
    }
    return wrap;
  }

  drawNote(note, state, board) {
    if (note.sending) {
      return h(
        "li",
        { class: "board-note is-sending", "data-client-id": note.client_id },
        h("p", { class: "board-note__text", text: note.text }),
        h("p", { class: "board-note__meta" }, h("span", { text: gettext("sending…") })),
      );
    }
    const item = h(
      "li",
      { class: `board-note${note.hidden ? " is-hidden" : ""}`, id: `note-${note.id}`, tabindex: "-1", "data-note": note.id },
      h("p", { class: "board-note__text", text: note.text }),
      h(
        "p",
        { class: "board-note__meta" },
        h("span", { text: note.display_name || gettext("Anonymous") }),
        " ",
        h("span", { class: "board-dots", text: dotsText(note.dots) }),
        note.hidden ? [" ", h("span", { class: "badge board-note__hidden", text: gettext("Hidden from participants") })] : null,
        note.idea ? [" ", h("a", { href: this.ideaUrl(note.idea), text: gettext("Idea draft") })] : null,
      ),
    );
    if (this.canVote(state) && !note.hidden) item.append(this.voteButtons("note", note, note.text));
    if (this.viewer.facilitator || this.viewer.moderator) {
      const tools = h(
        "details",
        { class: "board-tools", "data-keep": `note-${note.id}` },
        h("summary", { text: fill(gettext("Actions for “%(text)s”"), { text: truncate(note.text, 30) }) }),
      );
      if (this.viewer.facilitator && state.stage === "clustering") {
        const select = h(
          "select",
          { id: `move-${note.id}`, name: "cluster" },
          h("option", { value: "", text: gettext("No cluster (back to its column)") }),
          board.clusters.map((cluster) =>
            h("option", { value: cluster.id, selected: cluster.id === note.cluster, text: cluster.title }),
          ),
        );
        const move = this.form(
          "note-move",
          { note: note.id },
          h("label", { for: `move-${note.id}`, text: gettext("Move to cluster") }),
          select,
          this.button(gettext("Move")),
        );
        move.classList.add("board-tools__row");
        const cluster = this.form(
          "cluster-create",
          { note: note.id, prompt: note.prompt },
          h("label", { for: `new-cluster-${note.id}`, text: gettext("New cluster with this note") }),
          h("input", { type: "text", id: `new-cluster-${note.id}`, name: "title", maxlength: "200", required: true }),
          this.button(gettext("Make cluster"), { secondary: true }),
        );
        cluster.classList.add("board-tools__row");
        tools.append(move, cluster);
      }
      const row = h("div", { class: "button-row" });
      row.append(
        this.form(
          note.hidden ? "note-show" : "note-hide",
          { note: note.id },
          this.button(note.hidden ? gettext("Show the note again") : gettext("Hide the note"), { secondary: true }),
        ),
      );
      if (this.viewer.facilitator && !note.idea) {
        row.append(this.form("note-idea", { note: note.id }, this.button(gettext("Turn into an idea draft"), { secondary: true })));
      }
      tools.append(row);
      item.append(tools);
    }
    return item;
  }

  drawCluster(cluster, state, board) {
    const section = h(
      "section",
      { class: "board-cluster", id: `cluster-${cluster.id}`, tabindex: "-1", "aria-labelledby": `cluster-${cluster.id}-title`, "data-cluster": cluster.id },
      h("h3", { id: `cluster-${cluster.id}-title`, class: "board-cluster__title", text: cluster.title }),
      h(
        "p",
        { class: "board-cluster__meta" },
        h("span", { class: "board-dots", text: dotsText(cluster.dots) }),
        cluster.idea ? [" ", h("a", { href: this.ideaUrl(cluster.idea), text: gettext("Idea draft") })] : null,
      ),
    );
    if (this.canVote(state)) section.append(this.voteButtons("cluster", cluster, cluster.title));
    if (this.viewer.facilitator) {
      const tools = h(
        "details",
        { class: "board-tools", "data-keep": `cluster-${cluster.id}` },
        h("summary", { text: fill(gettext("Actions for cluster “%(text)s”"), { text: truncate(cluster.title, 30) }) }),
      );
      if (state.stage === "clustering") {
        const rename = this.form(
          "cluster-rename",
          { cluster: cluster.id },
          h("label", { for: `rename-${cluster.id}`, text: gettext("New title") }),
          h("input", { type: "text", id: `rename-${cluster.id}`, name: "title", value: cluster.title, maxlength: "200", required: true }),
          this.button(gettext("Rename")),
        );
        rename.classList.add("board-tools__row");
        tools.append(rename);
        const others = board.clusters.filter((other) => other.id !== cluster.id);
        if (others.length) {
          const merge = this.form(
            "cluster-merge",
            { cluster: cluster.id },
            h("label", { for: `merge-${cluster.id}`, text: gettext("Merge into") }),
            h("select", { id: `merge-${cluster.id}`, name: "target" }, others.map((o) => h("option", { value: o.id, text: o.title }))),
            this.button(gettext("Merge"), { secondary: true }),
          );
          merge.classList.add("board-tools__row");
          tools.append(merge);
        }
      }
      const row = h("div", { class: "button-row" });
      if (!cluster.idea) {
        row.append(this.form("cluster-idea", { cluster: cluster.id }, this.button(gettext("Turn into an idea draft"), { secondary: true })));
      }
      if (state.stage === "clustering") {
        row.append(this.form("cluster-delete", { cluster: cluster.id }, this.button(gettext("Remove the cluster"), { secondary: true })));
      }
      tools.append(row);
      section.append(tools);
    }
    section.append(
      this.noteList(
        cluster.notes,
        fill(gettext("Notes in “%(title)s”"), { title: cluster.title }),
        gettext("No notes in this cluster yet."),
        state,
        board,
      ),
    );
    return section;
  }

  drawProjector(state) {
    const board = this.layout(state);
    const noteItem = (note) =>
      h(
        "li",
        { class: "board-note" },
        h("p", { class: "board-note__text", text: note.text }),
        note.dots ? h("p", { class: "board-note__meta" }, h("span", { class: "board-dots", text: dotsText(note.dots) })) : null,
      );
    const clusterSection = (cluster) =>
      h(
        "section",
        { class: "board-cluster", "aria-labelledby": `cluster-${cluster.id}-title` },
        h(
          "h3",
          { id: `cluster-${cluster.id}-title`, class: "board-cluster__title" },
          `${cluster.title} `,
          h("span", { class: "board-dots", text: dotsText(cluster.dots) }),
        ),
        h("ul", { class: "board-notes" }, cluster.notes.map(noteItem)),
      );
    const columns = h(
      "div",
      { class: "board__columns" },
      board.columns.map((column) =>
        h(
          "section",
          { class: "board-column", "aria-labelledby": `prompt-${column.id}` },
          h("h2", { id: `prompt-${column.id}`, class: "board-column__title", text: column.text }),
          column.clusters.map(clusterSection),
          h("ul", { class: "board-notes" }, column.notes.filter((n) => !n.sending).map(noteItem)),
        ),
      ),
    );
    const parts = [columns];
    if (board.loose.length) {
      parts.push(
        h(
          "section",
          { class: "board-column board-column--wide", "aria-labelledby": "loose-clusters" },
          h("h2", { id: "loose-clusters", class: "board-column__title", text: gettext("Clusters across prompts") }),
          board.loose.map(clusterSection),
        ),
      );
    }
    return parts;
  }

  ideaUrl(id) {
    return `/ideas/${id}/`;
  }

  // --- actions ----------------------------------------------------------------------------

  onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("[data-board-note-form]")) {
      event.preventDefault();
      this.postNote(form);
    } else if (form.matches("[data-board-action]")) {
      event.preventDefault();
      this.act(form, event.submitter);
    }
  }

  async act(form, submitter) {
    const button = submitter || form.querySelector("button[type=submit]");
    if (button) button.setAttribute("aria-disabled", "true");
    let data = null;
    try {
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      data = await response.json();
    } catch (error) {
      this.say(gettext("That did not reach the server. Check the connection and try again."));
      return;
    } finally {
      if (button) button.removeAttribute("aria-disabled");
    }
    if (!data.ok) {
      this.say(data.message || gettext("That did not work."));
      return;
    }
    if (data.viewer) this.viewer = Object.assign({}, this.viewer, data.viewer);
    let message = data.message;
    const action = form.getAttribute("action");
    if (/dot-(add|remove)\/$/.test(action)) message = `${message} ${this.dotsLeftText()}`;
    this.say(message);
    if (data.idea_url) this.showIdeaLink(data.idea_url);
    else if (/note-move\/$/.test(action) && data.note) this.pendingFocus = `note-${data.note}`;
    else if (/cluster-(create|merge)\/$/.test(action) && data.cluster) this.pendingFocus = `cluster-${data.cluster}`;
    // Redraw now with what we know (dots, viewer); the push brings the board's new state.
    // Moderators read their own view (hidden notes); so does a page without a live socket.
    if (this.viewer.moderator || !this.state) this.refreshOwnState();
    else this.render(this.state);
  }

  showIdeaLink(url) {
    let box = document.querySelector("[data-board-idea-link]");
    if (!box) {
      box = h("p", { class: "notice notice--ok", "data-board-idea-link": true });
      this.root.before(box);
    }
    const link = h("a", { href: url, text: gettext("Open the idea draft") });
    box.replaceChildren(gettext("Idea draft made."), " ", link);
    link.focus();
  }

  // --- posting notes ----------------------------------------------------------------------

  setUpNoteForm() {
    const form = document.querySelector("[data-board-note-form]");
    if (!form) return;
    const name = form.querySelector("[name=display_name]");
    const consent = form.querySelector("[data-board-consent]");
    const sync = () => {
      if (consent) consent.hidden = !(name && name.value.trim());
    };
    if (name) name.addEventListener("input", sync);
    sync();
  }

  fieldError(form, name, message) {
    const field = form.querySelector(`[name=${name}]`);
    const box = field ? field.closest(".field") : null;
    if (!field || !box) return false;
    let error = box.querySelector(".field__error");
    if (!error) {
      error = h("span", { class: "field__error", id: `${field.id}-error` });
      field.before(error);
    }
    error.textContent = message;
    field.setAttribute("aria-invalid", "true");
    const described = new Set((field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(error.id);
    field.setAttribute("aria-describedby", [...described].join(" "));
    return true;
  }

  clearErrors(form) {
    form.querySelectorAll(".field__error").forEach((error) => error.remove());
    form.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
  }

  async postNote(form) {
    const status = form.querySelector("[data-board-sending]");
    const idInput = form.querySelector("[name=client_id]");
    const text = form.querySelector("[name=text]");
    const name = form.querySelector("[name=display_name]");
    const consent = form.querySelector("[name=idea_consent]");
    const prompt = form.querySelector("[name=prompt]");
    this.clearErrors(form);
    if (!text.value.trim()) {
      this.fieldError(form, "text", gettext("Write your note first."));
      text.focus();
      return;
    }
    const clientId = idInput.value || newClientId();
    const body = {
      client_id: clientId,
      prompt: Number(prompt.value),
      text: text.value,
      display_name: name ? name.value.trim() : "",
      idea_consent: Boolean(consent && consent.checked && name && name.value.trim()),
    };
    // Shown at once as "sending…"; replaced by the note when the board has it.
    this.pending.set(clientId, {
      client_id: clientId,
      prompt: body.prompt,
      text: body.text,
      sending: true,
    });
    this.showPending(clientId);
    // The next note gets a new id; this one keeps its id through every retry.
    idInput.value = newClientId();
    text.value = "";
    status.textContent = gettext("Sending…");
    const result = await this.sendNote(body, status);
    if (result.ok) {
      status.textContent = "";
      this.say(gettext("Your note is on the board."));
      text.focus();
      // Normally the push shows it within a second; without a live connection, ask.
      window.setTimeout(() => {
        if (this.pending.has(clientId)) this.refreshOwnState();
      }, 2500);
      return;
    }
    // Refused: nothing was posted; give the text back with what was wrong.
    this.pending.delete(clientId);
    if (this.state) this.render(this.state);
    else this.root.querySelectorAll(`[data-client-id="${clientId}"]`).forEach((item) => item.remove());
    idInput.value = clientId;
    text.value = body.text;
    status.textContent = "";
    const errors = result.errors || {};
    let placed = false;
    Object.entries(errors).forEach(([field, messages]) => {
      const message = [].concat(messages).map((m) => (typeof m === "string" ? m : m.message)).join(" ");
      const target = field === "prompt_id" ? "prompt" : field;
      if (this.fieldError(form, target, message)) placed = true;
    });
    const message = result.detail || (placed ? gettext("Please correct the note.") : gettext("The note could not be posted."));
    this.say(message);
    if (!placed) status.textContent = message;
    const invalid = form.querySelector("[aria-invalid=true]");
    (invalid || text).focus();
  }

  showPending(clientId) {
    if (this.state) {
      this.render(this.state);
      return;
    }
    // No state from the socket yet: add it to the column as the server drew it.
    const note = this.pending.get(clientId);
    const column = this.root.querySelector(`[data-prompt="${note.prompt}"]`);
    const list = column ? column.querySelector(":scope > ul.board-notes") : null;
    if (!list) return;
    const empty = list.querySelector(".board-notes__empty");
    if (empty) empty.remove();
    list.append(this.drawNote(note, {}, {}));
  }

  async sendNote(body, status) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await fetch(`${this.config.api}notes/`, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrfToken(),
          },
          body: JSON.stringify(body),
        });
        if (response.ok) return { ok: true };
        if (response.status >= 500 || response.status === 429) throw new Error(String(response.status));
        let data = {};
        try {
          data = await response.json();
        } catch (error) {
          data = {};
        }
        if (data && data.detail) return { ok: false, detail: data.detail };
        return { ok: false, errors: data };
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length) {
          return { ok: false, detail: gettext("The note could not be sent: check the connection and post it again.") };
        }
        status.textContent = gettext("Sending… (the connection is slow, trying again)");
        await new Promise((resolve) => {
          window.setTimeout(resolve, RETRY_DELAYS_MS[attempt]);
        });
      }
    }
  }
}

function init() {
  const root = document.querySelector("[data-board]");
  const script = document.getElementById("board-config");
  if (!root || !script || root.dataset.boardBound) return;
  root.dataset.boardBound = "1";
  let config = {};
  try {
    config = JSON.parse(script.textContent);
  } catch (error) {
    return;
  }
  // eslint-disable-next-line no-new
  new Board(root, config);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
