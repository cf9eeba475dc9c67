// Intake form: add a blank party row from the formset's empty form.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-party]");
  if (!button) return;
  const total = document.getElementById("id_party-TOTAL_FORMS");
  const template = document.getElementById("party-template");
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  document.getElementById("party-rows").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});

// Category suggestion: a click on a suggested category selects it in the category field.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-pick-category]");
  if (!button) return;
  const select = document.getElementById("id_category");
  select.value = button.dataset.pickCategory;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  for (const other of button.parentElement.querySelectorAll("[data-pick-category]")) {
    other.classList.toggle("primary", other === button);
  }
});
