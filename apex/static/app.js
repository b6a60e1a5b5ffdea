/* APEX: the little JavaScript htmx does not do. Pages work without it. */
(function () {
  "use strict";
  var banner = document.getElementById("banner");
  var lastFailed = null;

  function showBanner(text, retryable) {
    banner = document.getElementById("banner");
    if (!banner) return;
    document.getElementById("banner-text").textContent = text;
    document.getElementById("banner-retry").hidden = !retryable;
    banner.hidden = false;
  }

  function hideBanner() {
    banner = document.getElementById("banner");
    if (banner) banner.hidden = true;
    lastFailed = null;
  }

  // A request that never reached the server: keep the form as typed, offer a retry.
  document.addEventListener("htmx:sendError", function (e) {
    lastFailed = e.detail.elt;
    showBanner("Not saved — no connection. What you typed is kept.", true);
  });
  document.addEventListener("htmx:timeout", function (e) {
    lastFailed = e.detail.elt;
    showBanner("Not saved — the connection timed out. What you typed is kept.", true);
  });

  // The server answered with an error (422 swaps the form instead, see htmx-config).
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var text = "Not saved (error " + xhr.status + ").";
    var tmp = document.createElement("div");
    tmp.innerHTML = xhr.responseText || "";
    var msg = tmp.querySelector(".error-message");
    if (msg) text = msg.textContent.trim();
    lastFailed = xhr.status >= 500 ? e.detail.elt : null;
    showBanner(text, xhr.status >= 500);
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful) hideBanner();
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest("#banner-close")) hideBanner();
    if (t.closest("#banner-retry") && lastFailed) {
      var elt = lastFailed;
      if (elt.tagName === "FORM" && elt.requestSubmit) elt.requestSubmit();
      else htmx.trigger(elt, elt.tagName === "FORM" ? "submit" : "click");
    }
    if (t.closest("[data-print]")) window.print();
  });

  // A staging form: mark the rows whose proposed value differs from now, and count them.
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("form[data-stage]");
    if (!form) return;
    var rows = form.querySelectorAll(".stage[data-now]"), changing = 0;
    rows.forEach(function (row) {
      var input = row.querySelector("input");
      var differs = input && input.value.trim() !== row.getAttribute("data-now");
      row.classList.toggle("changes", !!differs);
      if (differs) changing += 1;
    });
    var count = document.getElementById("change-count");
    if (count) count.textContent = changing + " of " + rows.length + " will change";
  });

  // Searches put only the fields in use in the URL they push (shareable, short).
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get" || !e.detail.elt.matches("form[data-drop-empty]")) return;
    var params = e.detail.parameters;
    Object.keys(params).forEach(function (k) { if (params[k] === "") delete params[k]; });
  });

  // Times are rendered in UTC by the server; show them on the racer's own clock.
  function localTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) t.textContent = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    });
  }
  document.addEventListener("htmx:load", function (e) { localTimes(e.detail.elt); });

  // htmx applies a global timeout so a dead Wi-Fi link fails visibly instead of hanging.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) htmx.config.timeout = 20000;
  });
})();
