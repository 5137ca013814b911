// Dataset pages: overview charts, diff layout toggle, j/k pair navigation, benchmark polling.
// Every feature degrades to plain links and forms without this file.
(function () {
  "use strict";

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  // ---- overview charts (Chart.js served from static/vendor/chartjs) --------------------------
  var PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
  var charts = [];

  function barChart(id, labels, datasets, opts) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    charts.push(new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }, opts || {})
    }));
  }

  function themeCharts() {
    if (!window.Chart) return;
    window.Chart.defaults.color = cssVar("--muted") || "#666";
    window.Chart.defaults.borderColor = cssVar("--border") || "#ddd";
    charts.forEach(function (c) { c.update(); });
  }

  function drawOverview() {
    var node = document.getElementById("overview-charts");
    if (!node || !window.Chart) return;
    var data = JSON.parse(node.textContent);
    themeCharts();
    var sp = data.speedup_by_split;
    barChart("chart-speedup", sp.labels, sp.series.map(function (s, i) {
      return { label: s.name, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] };
    }), { scales: { x: { title: { display: true, text: "speedup (×)" } }, y: { beginAtZero: true, ticks: { precision: 0 } } } });
    barChart("chart-tags", data.tags.labels, [{ label: "pairs", data: data.tags.counts, backgroundColor: PALETTE[3] }],
      { scales: { x: { title: { display: true, text: "target_reward_updated_pct_bin" } }, y: { beginAtZero: true } } });
    barChart("chart-pairs-per-problem", data.pairs_per_problem.labels,
      [{ label: "problems", data: data.pairs_per_problem.counts, backgroundColor: PALETTE[1] }],
      { scales: { x: { title: { display: true, text: "pairs" } }, y: { beginAtZero: true } } });
    barChart("chart-code-length", data.code_length.labels, [
      { label: "slow (src)", data: data.code_length.src, backgroundColor: PALETTE[2] },
      { label: "fast (tgt)", data: data.code_length.tgt, backgroundColor: PALETTE[1] }
    ]);
  }
  document.addEventListener("pieweb:theme", themeCharts);

  // ---- pair page: diff layout toggle ------------------------------------------------------------
  function setLayout(layout) {
    var view = document.querySelector(".diff-view");
    if (!view) return;
    view.setAttribute("data-layout", layout);
    view.querySelectorAll(".diff-pane").forEach(function (pane) {
      pane.hidden = pane.getAttribute("data-pane") !== layout;
    });
    document.querySelectorAll(".diff-toolbar [data-layout]").forEach(function (a) {
      var on = a.getAttribute("data-layout") === layout;
      a.classList.toggle("active", on);
      a.setAttribute("aria-pressed", on ? "true" : "false");
    });
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("layout", layout);
      window.history.replaceState(null, "", url.toString());
      localStorage.setItem("pieweb-diff-layout", layout);
    } catch (e) { /* old browser or private mode: the toggle still works for this page */ }
    // Prev/next links carry the layout so j/k keep it.
    document.querySelectorAll("#prev-pair, #next-pair, link[rel=prev], link[rel=next]").forEach(function (a) {
      try {
        var u = new URL(a.href);
        u.searchParams.set("layout", layout);
        a.href = u.toString();
      } catch (e) { /* ignore */ }
    });
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest(".diff-toolbar [data-layout]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    setLayout(a.getAttribute("data-layout"));
  });

  // ---- pair page: j / k -------------------------------------------------------------------------
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var target = null;
    if (ev.key === "j") target = document.getElementById("next-pair");
    else if (ev.key === "k") target = document.getElementById("prev-pair");
    if (target && target.href) { ev.preventDefault(); window.location.href = target.href; }
  });

  // ---- pair page: benchmark button and polling --------------------------------------------------
  function fmtSeconds(s) {
    if (s === null || s === undefined) return "—";
    if (s >= 1) return s.toPrecision(3) + " s";
    if (s >= 1e-3) return (s * 1e3).toPrecision(3) + " ms";
    return (s * 1e6).toPrecision(3) + " µs";
  }

  function renderJob(card, job) {
    var body = card.querySelector(".bench-body");
    if (!job) { body.innerHTML = '<p class="muted small">Not benchmarked yet.</p>'; return; }
    body.textContent = "";
    var p = document.createElement("p");
    var link = document.createElement("a");
    link.href = job.url; link.textContent = "job " + job.id;
    var badge = document.createElement("span");
    badge.className = "badge state-" + job.state + " status-" + (job.status || "");
    badge.textContent = job.status || job.state;
    p.append(link, " · ", badge, " · " + job.backend);
    var prog = document.createElement("progress");
    prog.max = job.progress_total || 1; prog.value = job.progress_done;
    var info = document.createElement("p");
    info.className = "small";
    info.textContent = job.progress_done + "/" + job.progress_total + " tests" +
      (job.agg_cost_s !== null ? " · cost " + fmtSeconds(job.agg_cost_s) : "") + (job.error ? " · " + job.error : "");
    body.append(p, prog, info);
  }

  function renderBench(panel, data) {
    renderJob(panel.querySelector('[data-side="src"]'), data.src);
    renderJob(panel.querySelector('[data-side="tgt"]'), data.tgt);
    var sp = panel.querySelector("#bench-speedup");
    if (sp) sp.textContent = data.speedup ? (data.speedup < 100 ? data.speedup.toFixed(2) : data.speedup.toFixed(0)) + "×" : "—";
    panel.setAttribute("data-running", data.started && !data.finished ? "1" : "0");
  }

  function poll(panel) {
    var delay = 1000;
    function tick() {
      fetch(panel.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          renderBench(panel, data);
          if (data.started && !data.finished) { delay = Math.min(delay * 1.3, 5000); setTimeout(tick, delay); }
          else { var b = panel.querySelector("#benchmark-button"); if (b) { b.disabled = false; b.textContent = "Benchmark again"; } }
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    tick();
  }

  function initBench() {
    var panel = document.querySelector(".bench-panel");
    if (!panel) return;
    var form = panel.querySelector(".bench-form");
    if (panel.getAttribute("data-running") === "1") poll(panel);
    if (!form) return;  // anonymous readers: a log-in link instead of the button
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true; button.textContent = "Running…";
      fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        body: new FormData(form)
      }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
        .then(function (res) {
          if (!res.ok) { button.disabled = false; button.textContent = "Benchmark this pair"; alert(res.data.error || "Could not start the benchmark."); return; }
          renderBench(panel, res.data);
          poll(panel);
        })
        .catch(function () { form.submit(); });
    });
  }

  function init() {
    drawOverview();
    var view = document.querySelector(".diff-view");
    if (view && !new URLSearchParams(window.location.search).get("layout")) {
      var saved = null;
      try { saved = localStorage.getItem("pieweb-diff-layout"); } catch (e) { /* ignore */ }
      if ((saved === "inline" || saved === "side-by-side") && saved !== view.getAttribute("data-layout")) setLayout(saved);
    }
    initBench();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
