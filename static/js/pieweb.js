// Site-wide progressive enhancement: theme toggle, phone menu, auto-submitting filter forms.
// Every page works without this file; it only saves clicks.
(function () {
  "use strict";

  function setTheme(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    try { localStorage.setItem("pieweb-theme", theme); } catch (e) { /* private mode: keep for this page only */ }
    document.dispatchEvent(new CustomEvent("pieweb:theme", { detail: { theme: theme } }));
  }

  document.addEventListener("click", function (ev) {
    var toggle = ev.target.closest("[data-theme-toggle]");
    if (toggle) {
      var now = document.documentElement.getAttribute("data-theme") === "dark" ? "light" : "dark";
      setTheme(now);
      return;
    }
    var menu = ev.target.closest(".nav-toggle");
    if (menu) {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // <select data-autosubmit> submits its form on change (the Apply button stays for no-JS use).
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-autosubmit]") && ev.target.form) {
      ev.target.form.requestSubmit ? ev.target.form.requestSubmit() : ev.target.form.submit();
    }
  });

  // "/" focuses the search box, as on most code sites.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var box = document.querySelector(".site-search input[type=search]");
    if (box) { ev.preventDefault(); box.focus(); }
  });

  window.pieweb = window.pieweb || {};
  window.pieweb.setTheme = setTheme;
})();
