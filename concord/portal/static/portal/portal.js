/* 群众服务: small helps on top of pages that work without scripts.
   - the village list keeps only the chosen town's villages (data-village-picker="<town id>");
   - the description shows how many characters are left;
   - a form marked data-once cannot be sent twice by a double tap;
   - data-copy buttons copy the tracking code;
   - the note under 申请在线调解 shows when that kind is chosen. */
(function () {
  "use strict";

  function villagePicker(select) {
    var town = document.getElementById(select.dataset.villagePicker);
    if (!town) return;
    var blank = select.options[0].cloneNode(true);
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (g) {
      return g.cloneNode(true);
    });
    function townName() {
      var option = town.options[town.selectedIndex];
      return option && option.value ? option.textContent : "";
    }
    function refill() {
      var keep = select.value;
      var name = townName();
      select.textContent = "";
      select.appendChild(blank.cloneNode(true));
      groups.forEach(function (group) {
        if (name && group.label !== name) return;
        if (name) {
          Array.prototype.forEach.call(group.children, function (o) {
            select.appendChild(o.cloneNode(true));
          });
        } else {
          select.appendChild(group.cloneNode(true));
        }
      });
      select.value = keep;
      if (select.value !== keep) select.value = "";
    }
    town.addEventListener("change", refill);
    refill();
  }

  function counter(out) {
    var field = document.getElementById(out.dataset.counterFor);
    if (!field) return;
    var max = parseInt(field.getAttribute("maxlength"), 10);
    function show() {
      var used = field.value.length;
      out.textContent = used + " / " + max;
      out.classList.toggle("over", used > max);
    }
    field.addEventListener("input", show);
    show();
  }

  function once(form) {
    form.addEventListener("submit", function () {
      // After the browser has taken the click: disable, so a second tap sends nothing.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  }

  function copy(button) {
    button.addEventListener("click", function () {
      if (!navigator.clipboard) return;
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  }

  function kindHelp(form) {
    var notes = form.querySelectorAll("[data-kind-help]");
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        notes.forEach(function (note) {
          note.hidden = note.dataset.kindHelp !== radio.value;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-village-picker]").forEach(villagePicker);
    document.querySelectorAll("[data-counter-for]").forEach(counter);
    document.querySelectorAll("form[data-once]").forEach(once);
    document.querySelectorAll("[data-copy]").forEach(copy);
    document.querySelectorAll("#submit-form").forEach(kindHelp);
  });
})();
