// Live progress of benchmark jobs: every .job-results box of an unfinished job polls its JSON and,
// when the job's state or progress changes, swaps in the freshly rendered results fragment.
// Other scripts can listen for the "pieweb:job-updated" event (detail = the job JSON).
(function () {
  "use strict";
  if (window.piewebJobPoll) { window.piewebJobPoll.scan(); return; }

  function start(box) {
    if (box.getAttribute("data-polling") === "1" || box.getAttribute("data-finished") === "1") return;
    box.setAttribute("data-polling", "1");
    var seen = box.getAttribute("data-state") + ":" + box.getAttribute("data-progress");
    var delay = 1000;
    function again(ms) { delay = ms; setTimeout(tick, delay); }
    function swap(data) {
      return fetch(box.getAttribute("data-fragment-url"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.querySelector(".job-results");
          if (!fresh) throw new Error("no fragment");
          box.replaceWith(fresh);
          document.dispatchEvent(new CustomEvent("pieweb:job-updated", { detail: data }));
          scan();
        });
    }
    function tick() {
      fetch(box.getAttribute("data-json-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          var key = data.state + ":" + data.progress_done;
          if (key !== seen || data.finished) return swap(data);
          again(Math.min(delay * 1.25, 5000));
        })
        .catch(function () { again(Math.min(delay * 2, 15000)); });
    }
    again(delay);
  }

  function scan() {
    var boxes = document.querySelectorAll(".job-results[data-json-url]");
    for (var i = 0; i < boxes.length; i++) start(boxes[i]);
  }

  window.piewebJobPoll = { scan: scan };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
