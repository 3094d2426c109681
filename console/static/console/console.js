/* Behaviour of every console page, kept out of the HTML so that the
   Content-Security-Policy can forbid inline script. */
(function () {
  "use strict";
  // On a narrow screen the menu folds behind a button (CSS hides it only once this
  // has run, so without script the menu simply wraps).
  var top = document.getElementById("top");
  var toggle = document.getElementById("menu-toggle");
  if (top && toggle) {
    top.classList.add("collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = top.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The language switch submits itself when a language is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The queue's "select all" box ticks every delivery on the page.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function (e) {
      document.querySelectorAll("input[name=ids]").forEach(function (box) {
        box.checked = e.target.checked;
      });
    });
  }
  // A form that takes a while (publishing a plan) shows that it is working, and
  // cannot be sent twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-busy");
      });
      form.setAttribute("aria-busy", "true");
    });
  });
  // Cancelling deliveries in bulk asks first.
  var bulk = document.getElementById("bulk");
  if (bulk && bulk.hasAttribute("data-confirm-cancel")) {
    bulk.addEventListener("submit", function (e) {
      var action = bulk.querySelector("select[name=action]");
      if (action && action.value === "cancel" &&
          !window.confirm(bulk.getAttribute("data-confirm-cancel"))) {
        e.preventDefault();
      }
    });
  }
})();
