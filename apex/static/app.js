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

  // A 429 that answers with the very form it came from (the login limit's "try again in
  // N s") swaps like a 422: the wait is said in the form. Any other 429 shows the banner.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr, target = e.detail.target;
    if (xhr.status !== 429 || !target || !target.id) return;
    var tmp = document.createElement("div");
    tmp.innerHTML = xhr.responseText || "";
    if (tmp.querySelector("#" + CSS.escape(target.id))) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
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
      // The button that sent it goes again, so its name=value (a symptom, a lap) is resent.
      var sent = elt._apexSubmitter;
      if (elt.tagName === "FORM" && sent && sent.form === elt && !sent.disabled) sent.click();
      else if (elt.tagName === "FORM" && elt.requestSubmit) elt.requestSubmit();
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

  // A form with a save bar (form[data-unsaved]): once a value is typed, the bar says it is
  // not saved yet (the server's answer replaces the form, and the bar, with the result).
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("form[data-unsaved]");
    var status = form && form.querySelector(".save-bar .status");
    if (!status || status.classList.contains("unsaved")) return;
    status.textContent = form.getAttribute("data-unsaved");
    status.classList.add("unsaved");
  });
  // A value to fix inside a closed fold: open the fold so the browser can show it.
  document.addEventListener("invalid", function (e) {
    var fold = e.target.closest && e.target.closest("details:not([open])");
    if (fold) fold.open = true;
  }, true);

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
      if (isNaN(d)) return;
      // data-local="date": a list that spans days (All notes) keeps the day too.
      t.textContent = t.getAttribute("data-local") === "date"
        ? d.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
        : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    });
  }
  document.addEventListener("htmx:load", function (e) { localTimes(e.detail.elt); });

  // htmx applies a global timeout so a dead Wi-Fi link fails visibly instead of hanging.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) htmx.config.timeout = 20000;
  });

  // Which button submitted a form (htmx forgets it once focus moves to the Retry button).
  document.addEventListener("submit", function (e) {
    if (e.submitter) e.target._apexSubmitter = e.submitter;
  }, true);

  // --- Race Support ----------------------------------------------------------------------
  function within(root, selector) {
    if (!root || !root.querySelectorAll) return [];
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function stored(op, key, value) {
    try {
      if (op === "get") return window.localStorage.getItem(key);
      if (op === "set" && value) window.localStorage.setItem(key, value);
      else window.localStorage.removeItem(key);
    } catch (err) { /* private mode or full: the box itself still holds the text */ }
    return null;
  }

  // Note drafts: textarea[data-draft="<key>"] is kept in localStorage while it is typed, and
  // survives a failed save or a reload. Only an answer marked data-draft-saved="<key>" (the
  // server has the note) drops it; text typed while the save was on its way is kept.
  var draftSent = {};
  function syncDrafts(root) {
    within(root, "[data-draft-saved]").forEach(function (el) {
      var key = el.getAttribute("data-draft-saved"), sent = draftSent[key], now = stored("get", key);
      el.removeAttribute("data-draft-saved");
      delete draftSent[key];
      if (sent === undefined || now === null || now === sent) stored("remove", key);
      else if (sent && now.indexOf(sent) === 0) stored("set", key, now.slice(sent.length).trim());
    });
    within(root, "textarea[data-draft]").forEach(function (box) {
      var draft = box.value ? null : stored("get", box.getAttribute("data-draft"));
      if (draft) box.value = draft;
    });
  }
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (box.matches && box.matches("textarea[data-draft]")) stored("set", box.getAttribute("data-draft"), box.value);
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var box = within(e.detail.elt, "textarea[data-draft]")[0];
    if (!box) return;
    draftSent[box.getAttribute("data-draft")] = box.value;
    stored("set", box.getAttribute("data-draft"), box.value);
  });

  // Dictation: [data-dictate="<textarea id>"] stays hidden where the browser cannot listen.
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  var listening = null;
  function showDictation(root) {
    if (Recognition) within(root, "[data-dictate]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-dictate]");
    if (!button || !Recognition) return;
    if (listening) { listening.stop(); return; }
    var box = document.getElementById(button.getAttribute("data-dictate"));
    if (!box) return;
    var rec = new Recognition();
    rec.lang = navigator.language || "en";
    rec.interimResults = false;
    rec.onresult = function (ev) {
      var text = "";
      for (var i = ev.resultIndex; i < ev.results.length; i++) {
        if (ev.results[i].isFinal) text += ev.results[i][0].transcript;
      }
      text = text.trim();
      if (!text) return;
      box.value = box.value && !/\s$/.test(box.value) ? box.value + " " + text : box.value + text;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    };
    rec.onerror = function (ev) {
      if (ev.error === "not-allowed" || ev.error === "service-not-allowed") {
        showBanner("The microphone is blocked: allow it for this site to dictate.", false);
      }
    };
    rec.onend = function () {
      button.setAttribute("aria-pressed", "false");
      listening = null;
    };
    try { rec.start(); } catch (err) { return; }
    listening = rec;
    button.setAttribute("aria-pressed", "true");
  });

  // --- Offline layer: the service worker keeps the race-day pack (templates/offline/sw.js) ------
  // Registered for a logged-in racer (meta apex-sw); without it the drafts and Retry stay.
  var swMeta = document.querySelector('meta[name="apex-sw"]');
  var workers = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  function toWorker(message) {
    if (!workers || !swMeta) return Promise.resolve(null);
    return workers.ready.then(function (reg) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (e) { resolve(e.data); };
        reg.active.postMessage(message, [channel.port2]);
      });
    });
  }
  if (workers && swMeta) {
    window.addEventListener("load", function () {
      workers.register(swMeta.content, { scope: "/" })
        .then(function () { return toWorker({ type: "pack" }); }).catch(function () {});
    });
    // Another page (boosted), or leaving the app: a good time to bring the pack up to date
    // (the worker asks the server at most every few minutes, or after a write).
    document.addEventListener("htmx:pushedIntoHistory", function () { toWorker({ type: "pack" }); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") toWorker({ type: "pack" });
    });
    // A write the server took (an HX-Location answer, as after starting an event, leaves
    // htmx's "successful" unset: the status tells).
    document.addEventListener("htmx:afterRequest", function (e) {
      var config = e.detail.requestConfig, status = e.detail.xhr ? e.detail.xhr.status : 0;
      // A write kept by the outbox (202, X-Apex-Outbox) reached nothing yet: outbox.js.
      var kept = e.detail.xhr && e.detail.xhr.getResponseHeader("X-Apex-Outbox");
      if (config && config.verb === "post" && status >= 200 && status < 300 && !kept) {
        toWorker({ type: "wrote", url: location.pathname });
      }
    });
  }
  // Logging in or out: htmx's copies of earlier pages (back button) go with the racer.
  document.addEventListener("submit", function (e) {
    var action = e.target.getAttribute && e.target.getAttribute("action") || "";
    if (action.indexOf("/auth/") === 0) stored("remove", "htmx-history-cache");
  }, true);
  function showPackButtons(root) {
    if (workers && swMeta) within(root, "[data-pack-ready]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-pack-ready]");
    if (!button) return;
    var status = document.querySelector("[data-pack-status]");
    function say(text) { if (status) { status.textContent = text; status.hidden = false; } }
    button.disabled = true;
    say("Keeping the race-day pack on this phone…");
    toWorker({ type: "pack", force: true }).then(function (answer) {
      button.disabled = false;
      if (answer && answer.ok) {
        var at = new Date(answer.savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        say("Ready: " + answer.pages + " pages and every static file kept on this phone at " + at + ".");
      } else {
        say("Not ready: " + (answer && answer.failed && answer.failed.length
          ? answer.failed.join(", ") + " could not be kept" : "no connection") + ". Try again on good Wi-Fi.");
      }
    });
  });

  // The advisor's note box: typed words that match a symptom (its buttons' data-words:
  // groups by "|", words by ",", one word of each group needed) suggest it. Nothing is
  // sent: the racer still taps the symptom.
  function symptomFor(text, form) {
    var buttons = form.querySelectorAll("button[data-words]");
    for (var i = 0; i < buttons.length; i++) {
      var groups = buttons[i].getAttribute("data-words").split("|");
      var all = groups.length > 0 && groups[0] !== "";
      for (var g = 0; all && g < groups.length; g++) {
        var words = groups[g].split(","), any = false;
        for (var w = 0; w < words.length && !any; w++) any = text.indexOf(words[w]) >= 0;
        all = any;
      }
      if (all) return buttons[i];
    }
    return null;
  }
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("input[data-suggest]") || !box.form) return;
    var out = document.querySelector(box.getAttribute("data-suggest"));
    var olds = box.form.querySelectorAll("button.suggested");
    for (var i = 0; i < olds.length; i++) olds[i].classList.remove("suggested");
    var found = symptomFor(box.value.toLowerCase(), box.form);
    if (!out) return;
    out.hidden = !found;
    out.textContent = found ? "Sounds like: " + found.textContent.trim() + "? Tap it below." : "";
    if (found) found.classList.add("suggested");
  });

  function raceSupport(root) { syncDrafts(root); showDictation(root); showPackButtons(root); }
  document.addEventListener("htmx:load", function (e) { raceSupport(e.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { raceSupport(document.body); });
})();
