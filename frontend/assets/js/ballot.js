// Ballot enhancements, activated by `data-ballot` on the ballot form (#ballot-form):
// knapsack → a live budget bar; k-approval and ranking → a counter; cumulative → points left
// and steppers; ranking → a list reordered with buttons (keyboard and touch, no dragging).
// The plain form fields stay the source of truth: every change is written back to them, so
// the same POST works with and without this script. Messages go to the polite live region
// `[data-ballot-status]`.

const gettext = (text) => (window.gettext ? window.gettext(text) : text);
const ngettext = (one, many, n) =>
  window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many;
const fill = (text, values) =>
  window.interpolate
    ? window.interpolate(text, values, true)
    : text.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key]));

function moneyFormatter(form) {
  const digits = Number(form.dataset.digits || 2);
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return (minor) => `${number.format(minor / 10 ** digits)} ${form.dataset.currency}`;
}

function announcer(region) {
  let timer = null;
  return (message, tone = "") => {
    if (!region) return;
    region.dataset.tone = tone;
    // Cleared first so the same sentence twice is announced twice.
    region.textContent = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      region.textContent = message;
    }, 50);
  };
}

function projectOf(element) {
  const item = element.closest("[data-ballot-project]");
  return {
    item,
    id: item.dataset.id,
    title: item.dataset.title,
    cost: Number(item.dataset.cost || 0),
  };
}

// A button whose accessible name starts with its visible label (WCAG 2.5.3) and goes on
// with words only screen readers need, such as the project's title.
function button(label, hiddenText, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button button--secondary button--small";
  element.dataset.action = action;
  setLabel(element, label, hiddenText);
  return element;
}

function setLabel(element, label, hiddenText) {
  element.textContent = label;
  if (hiddenText) {
    const extra = document.createElement("span");
    extra.className = "visually-hidden";
    extra.textContent = ` ${hiddenText}`;
    element.append(extra);
  }
}

// --- approval (knapsack, k of n) and choose-1 ---------------------------------------------

function setupApproval(form, say) {
  const boxes = Array.from(form.querySelectorAll('input[name="projects"]'));
  const money = moneyFormatter(form);
  const budget = Number(form.dataset.budget);
  const knapsack = form.dataset.knapsack === "true";
  const maximum = Number(form.dataset.maxProjects) || null;
  const bar = form.querySelector("[data-ballot-budget]");
  const meter = form.querySelector("[data-ballot-meter]");
  const budgetText = form.querySelector("[data-ballot-budget-text]");
  const counter = form.querySelector("[data-ballot-counter]");
  const radio = form.dataset.ballot === "choose-1";
  const notes = new Map();
  if (knapsack) {
    boxes.forEach((box) => {
      const note = document.createElement("span");
      note.className = "ballot-item__fit";
      note.hidden = true;
      projectOf(box).item.querySelector(".ballot-item__main").append(note);
      notes.set(box, note);
    });
  }

  function state() {
    const chosen = boxes.filter((box) => box.checked);
    const used = chosen.reduce((sum, box) => sum + projectOf(box).cost, 0);
    return { chosen, used, left: budget - used };
  }

  function render() {
    const { chosen, used, left } = state();
    boxes.forEach((box) => projectOf(box).item.classList.toggle("is-chosen", box.checked));
    if (knapsack && bar) {
      meter.value = Math.min(used, budget);
      const over = used > budget;
      bar.classList.toggle("is-over", over);
      budgetText.textContent = over
        ? fill(gettext("%(used)s of %(budget)s used: %(over)s over the budget."), {
            used: money(used),
            budget: money(budget),
            over: money(used - budget),
          })
        : fill(gettext("%(used)s of %(budget)s used, %(left)s left."), {
            used: money(used),
            budget: money(budget),
            left: money(left),
          });
      notes.forEach((note, box) => {
        const doesNotFit = !box.checked && projectOf(box).cost > Math.max(left, 0);
        note.hidden = !doesNotFit;
        note.textContent = doesNotFit ? gettext("Does not fit in what is left") : "";
      });
    }
    if (maximum && counter) {
      counter.textContent = fill(gettext("%(count)s of %(maximum)s chosen"), {
        count: chosen.length,
        maximum,
      });
      counter.classList.toggle("is-over", chosen.length > maximum);
    }
  }

  function explain(box) {
    const project = projectOf(box);
    const { chosen, used, left } = state();
    if (radio) {
      say(fill(gettext("Chosen: %(title)s."), { title: project.title }));
      return;
    }
    const problems = [];
    if (box.checked && knapsack && used > budget) {
      problems.push(
        fill(
          gettext(
            "“%(title)s” costs %(cost)s and does not fit: only %(left)s of the budget was left. Your choices are now %(over)s over the budget; remove a project or choose a cheaper one.",
          ),
          {
            title: project.title,
            cost: money(project.cost),
            left: money(Math.max(left + project.cost, 0)),
            over: money(used - budget),
          },
        ),
      );
    }
    if (box.checked && maximum && chosen.length > maximum) {
      problems.push(
        fill(
          ngettext(
            "You can choose at most %(maximum)s project. Remove one before adding “%(title)s”.",
            "You can choose at most %(maximum)s projects. Remove one before adding “%(title)s”.",
            maximum,
          ),
          { maximum, title: project.title },
        ),
      );
    }
    if (problems.length) {
      say(problems.join(" "), "danger");
      return;
    }
    const parts = [
      fill(box.checked ? gettext("Added: %(title)s.") : gettext("Removed: %(title)s."), {
        title: project.title,
      }),
    ];
    if (knapsack) parts.push(budgetText.textContent);
    if (maximum) parts.push(counter.textContent);
    say(parts.join(" "), used > budget && knapsack ? "danger" : "");
  }

  form.addEventListener("change", (event) => {
    if (!boxes.includes(event.target)) return;
    render();
    explain(event.target);
  });
  if ((knapsack && bar) || (maximum && counter)) {
    form.querySelector("[data-ballot-tracker]").hidden = false;
  }
  render();
}

// --- cumulative ---------------------------------------------------------------------------

function setupCumulative(form, say) {
  const inputs = Array.from(form.querySelectorAll("[data-ballot-points-input]"));
  const budget = Number(form.dataset.pointsBudget) || null;
  const cap = Number(form.dataset.maxPoints) || null;
  const meter = form.querySelector("[data-ballot-meter]");
  const text = form.querySelector("[data-ballot-points]");
  const box = form.querySelector("[data-ballot-points-budget]");
  const valueOf = (input) => Math.max(0, parseInt(input.value, 10) || 0);
  const total = () => inputs.reduce((sum, input) => sum + valueOf(input), 0);

  function render() {
    const given = total();
    inputs.forEach((input) => projectOf(input).item.classList.toggle("is-chosen", valueOf(input) > 0));
    if (!budget) {
      text.textContent = fill(gettext("%(given)s points given."), { given });
      return;
    }
    meter.value = Math.min(given, budget);
    box.classList.toggle("is-over", given > budget);
    text.textContent =
      given > budget
        ? fill(gettext("%(given)s points given: %(over)s more than your %(budget)s."), {
            given,
            over: given - budget,
            budget,
          })
        : fill(gettext("%(given)s of %(budget)s points given, %(left)s left."), {
            given,
            budget,
            left: budget - given,
          });
  }

  function step(input, delta) {
    const project = projectOf(input);
    const current = valueOf(input);
    if (delta > 0 && cap && current + 1 > cap) {
      say(fill(gettext("“%(title)s” already has the most points a project can get (%(cap)s)."), { title: project.title, cap }), "danger");
      return;
    }
    if (delta > 0 && budget && total() + 1 > budget) {
      say(gettext("No points left. Take points from another project first."), "danger");
      return;
    }
    if (delta < 0 && current === 0) {
      say(fill(gettext("“%(title)s” has no points."), { title: project.title }));
      return;
    }
    input.value = String(current + delta);
    render();
    const points = current + delta;
    const given = fill(ngettext("%(title)s: %(points)s point.", "%(title)s: %(points)s points.", points), {
      title: project.title,
      points,
    });
    say(`${given} ${text.textContent}`);
  }

  inputs.forEach((input) => {
    const { title } = projectOf(input);
    const less = button("−", "", "less");
    less.setAttribute("aria-label", fill(gettext("Fewer points for %(title)s"), { title }));
    const more = button("+", "", "more");
    more.setAttribute("aria-label", fill(gettext("More points for %(title)s"), { title }));
    const group = document.createElement("span");
    group.className = "stepper";
    input.replaceWith(group);
    group.append(less, input, more);
    less.addEventListener("click", () => step(input, -1));
    more.addEventListener("click", () => step(input, 1));
    input.addEventListener("input", () => {
      render();
      const value = valueOf(input);
      if (cap && value > cap) {
        say(fill(gettext("A project can get at most %(cap)s points."), { cap }), "danger");
      } else if (budget && total() > budget) {
        say(text.textContent, "danger");
      }
    });
  });
  form.querySelector("[data-ballot-tracker]").hidden = false;
  render();
}

// --- ranking ------------------------------------------------------------------------------

function setupOrdinal(form, say) {
  const selects = Array.from(form.querySelectorAll("[data-ballot-rank-input]"));
  const maximum = Number(form.dataset.maxRank) || selects.length;
  const section = form.querySelector("[data-ballot-ranking]");
  const list = form.querySelector("[data-ballot-ranking-list]");
  const empty = form.querySelector("[data-ballot-ranking-empty]");
  const counter = form.querySelector("[data-ballot-counter]");
  const projects = new Map(selects.map((select) => [projectOf(select).id, { select, ...projectOf(select) }]));
  let order = selects
    .filter((select) => select.value)
    .sort((a, b) => Number(a.value) - Number(b.value))
    .map((select) => projectOf(select).id);

  function sync() {
    projects.forEach(({ select, id }) => {
      const position = order.indexOf(id);
      select.value = position >= 0 ? String(position + 1) : "";
    });
  }

  function positionText(id) {
    return fill(gettext("position %(position)s of %(count)s"), {
      position: order.indexOf(id) + 1,
      count: order.length,
    });
  }

  function render() {
    sync();
    list.replaceChildren();
    order.forEach((id, index) => {
      const { title } = projects.get(id);
      const item = document.createElement("li");
      item.className = "ranking-item";
      item.dataset.id = id;
      const label = document.createElement("span");
      label.className = "ranking-item__title";
      label.textContent = title;
      const actions = document.createElement("span");
      actions.className = "ranking-item__actions";
      const up = button(gettext("Move up"), title, "up");
      const down = button(gettext("Move down"), title, "down");
      const remove = button(gettext("Remove"), fill(gettext("%(title)s from my ranking"), { title }), "remove");
      if (index === 0) up.setAttribute("aria-disabled", "true");
      if (index === order.length - 1) down.setAttribute("aria-disabled", "true");
      actions.append(up, down, remove);
      item.append(label, actions);
      list.append(item);
    });
    empty.hidden = order.length > 0;
    counter.textContent = fill(gettext("%(count)s of %(maximum)s ranked"), { count: order.length, maximum });
    projects.forEach(({ id, item, title }) => {
      const ranked = order.includes(id);
      item.classList.toggle("is-chosen", ranked);
      const toggle = item.querySelector("[data-ballot-rank-toggle]");
      if (ranked) {
        setLabel(
          toggle,
          fill(gettext("Ranked %(position)s · Remove"), { position: order.indexOf(id) + 1 }),
          fill(gettext("%(title)s from my ranking"), { title }),
        );
      } else {
        setLabel(toggle, gettext("Add to my ranking"), title);
      }
    });
  }

  function focusInList(id, action) {
    const target = list.querySelector(`li[data-id="${CSS.escape(id)}"] [data-action="${action}"]`);
    if (target) target.focus();
  }

  function add(id) {
    const { title } = projects.get(id);
    if (order.length >= maximum) {
      say(
        fill(
          ngettext(
            "You can rank at most %(maximum)s project. Remove one from your ranking before adding “%(title)s”.",
            "You can rank at most %(maximum)s projects. Remove one from your ranking before adding “%(title)s”.",
            maximum,
          ),
          { maximum, title },
        ),
        "danger",
      );
      return;
    }
    order.push(id);
    render();
    say(fill(gettext("%(title)s added to your ranking at %(position)s."), { title, position: positionText(id) }));
  }

  function remove(id, focusAfter) {
    const index = order.indexOf(id);
    const { title, item } = projects.get(id);
    order.splice(index, 1);
    render();
    say(fill(gettext("%(title)s removed from your ranking."), { title }));
    if (!focusAfter) return;
    const next = order[index] || order[index - 1];
    if (next) focusInList(next, "remove");
    else item.querySelector("[data-ballot-rank-toggle]").focus();
  }

  function move(id, delta, action) {
    const index = order.indexOf(id);
    const target = index + delta;
    const { title } = projects.get(id);
    if (target < 0 || target >= order.length) {
      say(
        fill(delta < 0 ? gettext("%(title)s is already first.") : gettext("%(title)s is already last."), { title }),
      );
      return;
    }
    [order[index], order[target]] = [order[target], order[index]];
    render();
    focusInList(id, action);
    say(fill(gettext("%(title)s moved to %(position)s."), { title, position: positionText(id) }));
  }

  list.addEventListener("click", (event) => {
    const control = event.target.closest("button[data-action]");
    if (!control) return;
    const { id } = control.closest("li").dataset;
    if (control.dataset.action === "up") move(id, -1, "up");
    if (control.dataset.action === "down") move(id, 1, "down");
    if (control.dataset.action === "remove") remove(id, true);
  });

  projects.forEach(({ id, item, select }) => {
    const toggle = button(gettext("Add to my ranking"), "", "toggle");
    toggle.dataset.ballotRankToggle = "";
    toggle.addEventListener("click", () => (order.includes(id) ? remove(id, false) : add(id)));
    select.closest("[data-ballot-rank-field]").hidden = true;
    const row = document.createElement("p");
    row.className = "ballot-item__rank";
    row.append(toggle);
    item.append(row);
  });
  section.hidden = false;
  form.querySelector("[data-ballot-tracker]").hidden = false;
  render();
}

// --- receipt page ---------------------------------------------------------------------------

function setupReceipt() {
  const status = document.querySelector("[data-ballot-status]");
  const say = announcer(status);
  document.querySelectorAll("[data-copy-receipt]").forEach((control) => {
    const code = document.getElementById(control.dataset.copyReceipt);
    if (!code) return;
    control.hidden = false;
    control.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.textContent.trim());
        say(gettext("Receipt code copied."));
      } catch (_error) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        say(gettext("The code is selected: copy it with your device's copy command."));
      }
    });
  });
  document.querySelectorAll("[data-print-page]").forEach((control) => {
    control.hidden = false;
    control.addEventListener("click", () => window.print());
  });
}

function setup() {
  const form = document.querySelector("form[data-ballot]");
  if (form) {
    const say = announcer(form.querySelector("[data-ballot-status]"));
    const format = form.dataset.ballot;
    if (format === "approval" || format === "choose-1") setupApproval(form, say);
    if (format === "cumulative") setupCumulative(form, say);
    if (format === "ordinal") setupOrdinal(form, say);
    form.classList.add("is-enhanced");
  }
  setupReceipt();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setup);
} else {
  setup();
}
