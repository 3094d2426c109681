/* Plan page: poll the planning task's progress, then draw the plan; day page: poll. */
(function () {
  "use strict";
  var POLL_MS = 500;
  var LIVE_MS = 30000;

  function pollProgress(card) {
    var bar = document.getElementById("plan-progress");
    var text = document.getElementById("plan-progress-text");
    var best = document.getElementById("plan-best");
    var status = document.getElementById("plan-status");
    var labels = JSON.parse(document.getElementById("plan-status-labels").textContent);
    function tick() {
      fetch(card.getAttribute("data-api"), {credentials: "same-origin",
        headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (plan) {
          bar.value = plan.progress;
          // The heading follows the plan: "waiting" no longer once a planner has it.
          status.textContent = labels[plan.status] || status.textContent;
          text.textContent = Math.round(plan.progress * 100) + " %";
          card.setAttribute("data-progress", plan.progress);
          if (plan.best_cost !== null) { best.textContent = plan.best_cost; }
          if (plan.status === "pending" || plan.status === "solving") {
            window.setTimeout(tick, POLL_MS);
          } else {
            window.setTimeout(function () { window.location.reload(); }, POLL_MS);
          }
        })
        .catch(function () { window.setTimeout(tick, POLL_MS * 4); });
    }
    tick();
  }

  function pollLive(box) {
    window.setInterval(function () {
      fetch(box.getAttribute("data-url"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { /* keep the last view; try again next time */ });
    }, LIVE_MS);
  }

  var card = document.getElementById("progress-card");
  if (card) { pollProgress(card); }
  var data = document.getElementById("plan-data");
  if (data && document.getElementById("map")) {
    window.AntarMap.drawPlan("map", JSON.parse(data.textContent));
  }
  var live = document.getElementById("live");
  if (live) { pollLive(live); }
}());
