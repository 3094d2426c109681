/* Behaviour of every console page, kept out of the HTML so that the
   Content-Security-Policy can forbid inline script. */
(function () {
  "use strict";
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
})();
