// Submission and model-run pages: a small code editor, live progress and the report charts.
// Every page is complete without this file (forms post, results render on reload); it
// only adds tab indentation, line numbers, polling and charts.
(function () {
  "use strict";

  var INDENT = "    ";

  // ---- code editor: <textarea class="code-editor"> gains a line-number gutter and Tab keys ----
  function enhanceEditor(area) {
    var wrap = document.createElement("div");
    wrap.className = "editor";
    var gutter = document.createElement("pre");
    gutter.className = "editor-gutter";
    gutter.setAttribute("aria-hidden", "true");
    area.parentNode.insertBefore(wrap, area);
    wrap.appendChild(gutter);
    wrap.appendChild(area);

    function renumber() {
      var n = area.value.split("\n").length;
      if (gutter.dataset.lines === String(n)) return;
      var out = [];
      for (var i = 1; i <= n; i++) out.push(i);
      gutter.textContent = out.join("\n");
      gutter.dataset.lines = String(n);
    }

    function replaceSelection(text, selectStart, selectEnd) {
      // execCommand keeps the browser's undo stack; fall back to setRangeText where it is gone.
      area.focus();
      if (!document.execCommand || !document.execCommand("insertText", false, text)) {
        area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      }
      if (selectStart !== undefined) area.setSelectionRange(selectStart, selectEnd);
      renumber();
    }

    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Tab" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        var value = area.value;
        var start = area.selectionStart;
        var end = area.selectionEnd;
        var lineStart = value.lastIndexOf("\n", start - 1) + 1;
        var multiLine = value.slice(start, end).indexOf("\n") !== -1;
        if (!ev.shiftKey && !multiLine) {
          ev.preventDefault();
          replaceSelection(INDENT);
          return;
        }
        // Indent or dedent every selected line.
        ev.preventDefault();
        var block = value.slice(lineStart, end);
        var lines = block.split("\n");
        var changed = lines.map(function (line) {
          if (!ev.shiftKey) return INDENT + line;
          var strip = line.match(/^( {1,4}|\t)/);
          return strip ? line.slice(strip[0].length) : line;
        }).join("\n");
        area.setSelectionRange(lineStart, end);
        replaceSelection(changed, lineStart, lineStart + changed.length);
        return;
      }
      if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) {
        // Keep the current line's indentation, one level more after an opening brace.
        var pos = area.selectionStart;
        var before = area.value.slice(0, pos);
        var current = before.slice(before.lastIndexOf("\n") + 1);
        var indent = (current.match(/^[ \t]*/) || [""])[0];
        if (/\{\s*$/.test(current)) indent += INDENT;
        ev.preventDefault();
        replaceSelection("\n" + indent);
      }
    });
    area.addEventListener("input", renumber);
    area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
    renumber();
  }

  // ---- live progress: [data-progress-url] polls JSON and reloads once everything finished ----
  function pollProgress(box) {
    var url = box.getAttribute("data-progress-url");
    var delay = 1000;
    function paint(name, state) {
      var el = box.querySelector('[data-job="' + name + '"]');
      if (!el || !state) return;
      var bar = el.querySelector("progress");
      var label = el.querySelector(".state");
      if (bar) {
        bar.max = Math.max(state.progress_total || 0, 1);
        bar.value = state.progress_done || 0;
      }
      if (label) {
        var text = state.state;
        if (state.progress_total) text += " · " + state.progress_done + "/" + state.progress_total;
        if (state.status) text += " · " + state.status;
        label.textContent = text;
      }
    }
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (data.jobs) {
            Object.keys(data.jobs).forEach(function (name) { paint(name, data.jobs[name]); });
          } else {
            paint("run", data);
          }
          if (data.finished) {
            window.location.reload();
            return;
          }
          delay = Math.min(delay * 1.25, 5000);
          setTimeout(tick, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(tick, delay); });
    }
    setTimeout(tick, delay);
  }

  // ---- charts: best@k curves and the speedup histogram (Chart.js, served locally) ----
  function cssVar(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || fallback;
  }

  var charts = [];
  function drawCharts() {
    var holder = document.getElementById("run-chart-data");
    if (!holder || typeof window.Chart === "undefined") return;
    var data = JSON.parse(holder.textContent);
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var fg = cssVar("--fg", "#1d2330");
    var grid = cssVar("--border", "#dde2ea");
    var accent = cssVar("--accent", "#2563eb");
    window.Chart.defaults.color = fg;
    window.Chart.defaults.borderColor = grid;
    var curves = document.getElementById("chart-best-at");
    if (curves) {
      charts.push(new window.Chart(curves, {
        type: "line",
        data: {
          labels: data.best_at.k.map(function (k) { return "best@" + k; }),
          datasets: [
            { label: "%Opt", data: data.best_at.pct_opt, yAxisID: "pct", borderColor: accent, backgroundColor: accent },
            { label: "%Correct", data: data.best_at.pct_correct, yAxisID: "pct", borderColor: "#16a34a", backgroundColor: "#16a34a" },
            { label: "Speedup (×)", data: data.best_at.mean_speedup, yAxisID: "speedup", borderColor: "#d97706", backgroundColor: "#d97706", borderDash: [6, 3] }
          ]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            pct: { type: "linear", position: "left", min: 0, max: 100, title: { display: true, text: "% of rows" } },
            speedup: { type: "linear", position: "right", min: 1, grid: { drawOnChartArea: false }, title: { display: true, text: "mean speedup (×)" } }
          }
        }
      }));
    }
    var hist = document.getElementById("chart-histogram");
    if (hist) {
      charts.push(new window.Chart(hist, {
        type: "bar",
        data: {
          labels: data.histogram.labels,
          datasets: [{ label: "rows (speedup at best@K)", data: data.histogram.counts, backgroundColor: accent }]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "rows" } } }
        }
      }));
    }
  }

  // ---- compare page: tick runs to build ?runs=1,2 ----
  function wireComparePicker(form) {
    form.addEventListener("submit", function () {
      var ids = Array.prototype.map.call(form.querySelectorAll("input[name=pick]:checked"), function (c) { return c.value; });
      if (ids.length) form.querySelector("input[name=runs]").value = ids.join(",");
    });
  }

  // ---- compare page: picking a run from the list appends its id to ?runs= ----
  function wireAddRun(select) {
    select.addEventListener("change", function () {
      var input = select.form.querySelector("input[name=runs]");
      if (!select.value || !input) return;
      var ids = input.value.split(/[\s,]+/).filter(function (x) { return x; });
      if (ids.indexOf(select.value) === -1) ids.push(select.value);
      input.value = ids.join(",");
      select.value = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-add-run]").forEach(wireAddRun);
    document.querySelectorAll("textarea.code-editor").forEach(enhanceEditor);
    document.querySelectorAll("[data-progress-url]").forEach(pollProgress);
    document.querySelectorAll("form[data-compare-picker]").forEach(wireComparePicker);
    drawCharts();
  });
  document.addEventListener("pieweb:theme", drawCharts);
})();
