// Under the Content Security Policy (no inline script or style, no eval): htmx neither
// evaluates expressions nor inserts its own <style>; its indicator rules are in app.css. Set
// before htmx starts (on DOMContentLoaded, after every deferred script has run).
if (window.htmx) {
  htmx.config.allowEval = false;
  htmx.config.includeIndicatorStyles = false;
}

// htmx: a 422 carries a form error to show in place; other errors are not swapped.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.htmx) return;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];
});

// Behaviour declared by data attributes (no on* handlers in the pages):
// data-select-on-click selects a read-only field's text (a link to copy);
// data-check-all="<selector>" makes a checkbox tick or untick every box the selector finds.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement)) return;
  if (target.hasAttribute("data-select-on-click")) target.select();
  const selector = target.dataset.checkAll;
  if (selector) {
    for (const box of document.querySelectorAll(selector)) box.checked = target.checked;
  }
});
