/* APEX outbox, the page's half (issue 16): the sync light and what a kept write does here.
 *
 * The service worker keeps a race-day write made offline (static/outbox-sw.js) and answers
 * 202 + X-Apex-Outbox: queued. Here that answer is shown beside the form ("Saved on this
 * phone — sends when connected"), the form is ready for the next entry (a fresh one-time
 * key; a run started offline takes the lap and confidence forms), and the light in the
 * header says "3 waiting" / "1 needs you"; a tap lists them, with Fix and Discard.
 * The worker sends the waiting writes when asked: page load, online, visible again, and
 * every TRY_MS while some wait. When some were sent, the page shows the stored data.
 * Without a service worker nothing here runs: the drafts and the Retry banner (app.js) stay.
 */
(function () {
  "use strict";
  var workers = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  if (!workers || !document.querySelector('meta[name="apex-sw"]')) return;
  var TRY_MS = 4000;
  var FIX = "apex-outbox-fix"; // sessionStorage: a refused write's answer, shown on its page
  var items = [];

  // Whose writes this page shows and sends: a phone passed to another racer keeps the
  // first one's waiting writes (never lost), but neither lists nor sends them.
  var RACER = document.querySelector('meta[name="apex-sw"]').getAttribute("data-racer") || "";
  function mine(list) {
    return (list || []).filter(function (i) { return i.racer === RACER; });
  }

  function ask(message) {
    message.racer = RACER;
    return workers.ready.then(function (reg) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (e) { resolve(e.data || {}); };
        message.type = "outbox";
        reg.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  // --- the light and its list --------------------------------------------------------------
  function reason(item) {
    if (item.state === "waiting") return "waiting to send";
    if (item.reason) return item.reason;
    if (item.status === 404) return "Gone: it was deleted, or the event is closed.";
    if (item.status === 401) return "Logged out: log in, then discard or do it again.";
    var doc = new DOMParser().parseFromString(item.answer || "", "text/html");
    var msg = doc.querySelector(".error-message, .err, .choice h2, [role=alert], .notice.warn");
    var text = msg ? msg.textContent.replace(/\s+/g, " ").trim() : "";
    if (item.status === 409) return text || "Changed on another phone meanwhile: yours vs theirs.";
    return text || "Refused by APEX (" + item.status + ").";
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function button(text, op, id) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn small";
    b.textContent = text;
    b.setAttribute("data-outbox-op", op);
    b.setAttribute("data-outbox-id", id);
    return b;
  }

  function render() {
    var light = document.getElementById("sync-light"), panel = document.getElementById("outbox-list");
    if (!light || !panel) return;
    var waiting = items.filter(function (i) { return i.state === "waiting"; }).length;
    var needs = items.length - waiting;
    var parts = [];
    if (needs) parts.push(needs + " needs you");
    if (waiting) parts.push(waiting + " waiting");
    light.textContent = parts.join(" · ");
    light.hidden = !items.length;
    light.classList.toggle("needs", needs > 0);
    if (!items.length) panel.hidden = true;
    light.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    var list = panel.querySelector("ol");
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = item.state;
      var what = document.createElement("strong");
      what.textContent = item.what;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = clock(item.at) + " · " + reason(item);
      var actions = document.createElement("div");
      actions.className = "actions";
      if (item.state === "needs" && item.answer) actions.appendChild(button("Fix", "fix", item.id));
      actions.appendChild(button("Discard", "discard", item.id));
      li.append(what, meta, actions);
      list.appendChild(li);
    });
  }

  // Redrawn only when the queue changed: a button being tapped stays the same button.
  var shown = "";
  function show(all) {
    if (!all) return;
    var list = mine(all);
    if (JSON.stringify(list) === shown) return;
    shown = JSON.stringify(list);
    items = list;
    render();
  }

  function send() { return ask({ op: "send" }).then(function (a) { show(a.items); }); }

  // --- the answer "Saved on this phone" ----------------------------------------------------
  function nextName(name) {
    var m = /^(.*?)(\d+)$/.exec(name);
    return m ? m[1] + (Number(m[2]) + 1) : "";
  }

  // A run started offline: the run's own forms (laps, confidence) and the note and symptom
  // markers now name it (its id is the form's run_id, taken by the server as the run's id).
  function runStarted(form, runId, name) {
    var runs = form.closest("#runs");
    if (!runs) return;
    // The event's first run: its forms come from the page's template (race/show.html).
    var first = runs.querySelector("template#offline-run");
    if (first && !runs.querySelector(".run-head")) {
      var made = first.content.cloneNode(true);
      made.querySelectorAll("input[name=request_key]").forEach(function (k) { k.value = uuid(); });
      runs.insertBefore(made, form);
      first.remove();
      var next = form.querySelector("label[for=f-run-name]");
      if (next) next.textContent = "Next run";
    }
    runs.querySelectorAll("form[action*='/runs/']").forEach(function (f) {
      if (f === form) return;
      ["action", "hx-post"].forEach(function (attr) {
        var v = f.getAttribute(attr);
        if (v) f.setAttribute(attr, v.replace(/\/runs\/[^/]+\//, "/runs/" + runId + "/"));
      });
      if (window.htmx) htmx.process(f);
    });
    // The old run's figures and laps are not this run's.
    runs.querySelectorAll(".run-sum, .tops, .laps-fold, .flags-note, p.empty, .notice:not(.queued)").forEach(function (el) {
      el.remove();
    });
    var head = runs.querySelector(".run-head h3");
    if (head) head.textContent = name;
    var meta = runs.querySelector(".run-head .meta");
    if (meta) meta.textContent = "started on this phone";
    var label = runs.querySelector("label[for=f-laps]");
    if (label && label.firstChild) label.firstChild.nodeValue = "Add laps to " + name + " ";
    runs.querySelectorAll(".conf button").forEach(function (b) {
      b.classList.remove("primary");
      b.setAttribute("aria-pressed", "false");
    });
    ["note-run", "symptom-run"].forEach(function (id) {
      var marker = document.getElementById(id);
      if (!marker) return;
      marker.textContent = "For ";
      var strong = document.createElement("strong");
      strong.textContent = name;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "run_id";
      input.value = runId;
      marker.append(strong, input);
    });
  }

  function queued(form, html) {
    var tmp = document.createElement("div");
    tmp.innerHTML = html;
    var note = tmp.firstElementChild;
    var status = form.querySelector(".save-bar .status");
    if (status) { // the event setup: its values stay as typed, the save bar says where they are
      status.textContent = note.textContent;
      status.classList.remove("unsaved", "err");
    } else {
      var old = form.previousElementSibling;
      if (old && old.classList.contains("queued")) old.remove();
      form.parentNode.insertBefore(note, form);
    }
    var runId = form.querySelector("input[name=run_id]");
    if (form.classList.contains("start-run")) {
      var name = form.querySelector("input[name=name]");
      if (runId) runStarted(form, runId.value, name.value);
      name.value = nextName(name.value);
    } else if (!status) {
      form.querySelectorAll("textarea, input[type=text]").forEach(function (box) {
        box.value = "";
        box.dispatchEvent(new Event("input", { bubbles: true })); // the note's draft goes too
      });
    }
    // The next entry is another write: a fresh one-time key (and id for a new run).
    form.querySelectorAll("input[name=request_key]").forEach(function (k) { k.value = uuid(); });
    if (runId && form.classList.contains("start-run")) runId.value = uuid();
  }

  // The phone's copy of a page ("Offline copy from 10:42") holds the one-time keys it was
  // rendered with, the same at every opening: each opening gets its own, or a second note
  // would be taken for the first one sent again.
  function freshKeys(root) {
    if (!document.querySelector(".offline-copy")) return;
    root.querySelectorAll("input[name=request_key], form.start-run input[name=run_id]").forEach(function (k) {
      k.value = uuid();
    });
  }
  document.addEventListener("htmx:load", function (e) { freshKeys(e.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { freshKeys(document); });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.getResponseHeader("X-Apex-Outbox") !== "queued") return;
    e.detail.shouldSwap = false;
    var elt = e.detail.requestConfig ? e.detail.requestConfig.elt : e.detail.elt;
    var form = elt.tagName === "FORM" ? elt : elt.form || elt.closest("form");
    if (form) queued(form, xhr.responseText);
    ask({ op: "list" }).then(function (a) { show(a.items); });
  });

  // What a write is, for the list: "Symptom: Push entry", "Save note: Loose on exit…".
  function describe(elt, submitter) {
    var form = elt.tagName === "FORM" ? elt : elt.form || elt.closest("form");
    var sub = submitter || (elt.tagName === "BUTTON" ? elt : form && form.querySelector("button[type=submit]"));
    var said = sub ? (sub.getAttribute("aria-label") || sub.textContent).replace(/\s+/g, " ").trim() : "Save";
    if (sub && sub.name && sub.value) return sub.name.charAt(0).toUpperCase() + sub.name.slice(1) + ": " + said;
    var typed = form && Array.prototype.filter.call(form.querySelectorAll("textarea, input[type=text]"),
      function (b) { return b.value.trim(); })[0];
    if (typed && !form.hasAttribute("data-unsaved")) {
      var text = typed.value.replace(/\s+/g, " ").trim();
      return said + ": " + (text.length > 40 ? text.slice(0, 39) + "…" : text);
    }
    var item = elt.closest("li, section");
    var head = item && item.querySelector("strong, h2");
    return head ? said + ": " + head.textContent.replace(/\s+/g, " ").trim() : said;
  }

  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "post" || !workers.controller) return;
    var trigger = e.detail.triggeringEvent;
    e.detail.headers["X-Apex-Outbox-Racer"] = RACER;
    e.detail.headers["X-Apex-What"] = encodeURIComponent(
      describe(e.detail.elt, trigger && trigger.submitter));
  });

  // --- Fix and Discard ---------------------------------------------------------------------
  // Fix: the refused write's answer (the form with what was typed and the server's message,
  // or the "yours vs theirs" choice) where the write was made.
  function applyFix() {
    var fix;
    try { fix = JSON.parse(sessionStorage.getItem(FIX) || "null"); } catch (err) { fix = null; }
    if (!fix || fix.path !== location.pathname) return;
    sessionStorage.removeItem(FIX);
    var target = fix.target && document.getElementById(fix.target);
    if (!target || !window.htmx) return;
    htmx.swap(target, fix.html, { swapStyle: "outerHTML" });
    var shown = document.getElementById(fix.target);
    if (shown) shown.scrollIntoView({ block: "start" });
  }

  document.addEventListener("click", function (e) {
    var light = e.target.closest && e.target.closest("#sync-light");
    var panel = document.getElementById("outbox-list");
    if (light && panel) {
      panel.hidden = !panel.hidden;
      render();
      return;
    }
    var b = e.target.closest && e.target.closest("[data-outbox-op]");
    if (!b) return;
    var op = b.getAttribute("data-outbox-op"), id = b.getAttribute("data-outbox-id");
    if (op === "discard" && !window.confirm("Discard this? It is not sent, ever.")) return;
    ask({ op: op, id: id }).then(function (answer) {
      show(answer.items);
      var item = answer.item;
      if (op !== "fix" || !item) return;
      if (panel) panel.hidden = true; // the racer now looks at the form
      render();
      var page = item.page ? new URL(item.page) : new URL(location.href);
      sessionStorage.setItem(FIX, JSON.stringify({ path: page.pathname, target: item.target, html: item.answer }));
      if (page.pathname === location.pathname) applyFix();
      else location.assign(page.pathname + page.search);
    });
  });

  // --- when to send ------------------------------------------------------------------------
  // After writes were sent, the page shows what is stored (unless the racer is typing).
  function refresh() {
    var active = document.activeElement;
    var typing = active && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName) && active.value;
    if (typing || document.querySelector("form[data-unsaved] .status.unsaved")) return;
    if (!window.htmx) { location.reload(); return; }
    htmx.ajax("GET", location.pathname + location.search, { target: "#main", select: "#main", swap: "outerHTML" });
  }

  workers.addEventListener("message", function (e) {
    var data = e.data || {};
    if (data.type !== "outbox") return;
    show(data.items);
    if (data.sent) refresh();
  });
  window.addEventListener("online", send);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") send();
  });
  window.addEventListener("load", function () { send(); applyFix(); });
  setInterval(function () {
    if (items.some(function (i) { return i.state === "waiting"; })) send();
  }, TRY_MS);
})();
