// Staff work queues: review, moderation, paper ballots, implementation updates.
// Every page works without this module (plain POST, redirect back with a message). With it:
// - moderation decisions are sent with htmx and the row is swapped in place; a row coming
//   back with its errors (HTTP 400) is swapped too, so the message shows under the field;
// - focus follows the swapped row, so keyboard and screen-reader users stay in the queue;
// - on the paper-ballot form, Enter saves the sheet from any field (checkboxes included),
//   so officers can work through a pile without the mouse.

document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  const source = detail.requestConfig && detail.requestConfig.elt;
  if (detail.xhr.status === 400 && source && source.closest("[data-staff-queue]")) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

document.addEventListener("htmx:afterSwap", () => {
  // The server marks what should take focus: the outcome, or the first invalid field.
  const target = document.querySelector("[data-staff-queue] [data-swapped]");
  if (!target) return;
  target.removeAttribute("data-swapped");
  target.focus();
});

function initPaperForm(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    const field = event.target;
    if (!(field instanceof HTMLInputElement)) return;
    if (field.type === "checkbox" || field.type === "radio") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

// Review form: the district budget and the confirmation only matter when accepting, and a
// rejection needs its public reason. Without this module every field shows, with help text.
function initReviewForm(form) {
  const reason = form.querySelector('textarea[name="public_reason"]');
  const update = () => {
    const checked = form.querySelector('input[name="decision"]:checked');
    const decision = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for-decision]").forEach((block) => {
      block.hidden = block.getAttribute("data-show-for-decision") !== decision;
    });
    if (reason) {
      if (decision === "rejected") reason.setAttribute("aria-required", "true");
      else reason.removeAttribute("aria-required");
    }
  };
  form.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-paper-form]").forEach(initPaperForm);
  document.querySelectorAll("[data-review-form]").forEach(initReviewForm);
});
