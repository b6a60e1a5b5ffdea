/* APEX outbox, the service worker's half (issue 16): race-day writes made offline.
 *
 * Imported by /sw.js (templates/offline/sw.js), which calls self.apexOutbox(options).
 * - A write the outbox keeps (options.routes: Race Support, the Advisor, the event setup's
 *   save) goes to the server; when no answer comes (network error, or none in
 *   WRITE_TIMEOUT_MS), or while earlier writes still wait (they keep their order), it is
 *   kept in IndexedDB and answered at once: 202, X-Apex-Outbox: queued, "Saved on this
 *   phone". outbox.js (in the page) shows that answer beside the form and the sync light.
 * - replay(racer): that racer's waiting writes (each write keeps the tag of the racer whose
 *   page made it: another racer on the same phone never sees or sends it), oldest first,
 *   one at a time. A network failure (or the server's own trouble: 5xx, 429) stops it,
 *   the write waits for the next try. A refusal (4xx) moves the write to "needs you" with
 *   the server's answer (its message, the form with what was typed, the "yours vs theirs"
 *   choice) until the racer fixes or discards it.
 *   Each write carries its one-time request_key, so one sent twice is stored once.
 * - Tries: Background Sync where the browser has it, and the page's asks (page load,
 *   online, visible again, every few seconds while writes wait).
 * The worker is the only one that touches the queue: every page asks it (messages), so
 * all pages show the same queue.
 */
"use strict";
self.apexOutbox = function (options) {
  const DB = "apex-outbox";
  const STORE = "writes";
  const SYNC_TAG = "apex-outbox";
  const WRITE_TIMEOUT_MS = 10000; // a write unanswered this long is kept (htmx gives up at 20 s)
  const REPLAY_TIMEOUT_MS = 15000;
  const routes = options.routes.map((r) => new RegExp(r));

  // --- IndexedDB: one store, the key is the order the writes were made in ----------------------
  let opening = null;
  function db() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => { opening = null; reject(req.error); };
      });
    }
    return opening;
  }
  async function tx(mode, work) {
    const conn = await db();
    return new Promise((resolve, reject) => {
      const t = conn.transaction(STORE, mode);
      const result = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
    });
  }
  const all = () => tx("readonly", (s) => s.getAll());
  const put = (item) => tx("readwrite", (s) => s.put(item));
  const drop = (id) => tx("readwrite", (s) => s.delete(id));
  const get = (id) => tx("readonly", (s) => s.get(id));

  // What a page shows: every write but its body (the answer of a refused one is kept for Fix).
  async function list() {
    return (await all()).map(({ body, headers, ...rest }) => rest);
  }

  async function tellPages(extra) {
    const items = await list();
    const pages = await self.clients.matchAll({ type: "window" });
    pages.forEach((c) => c.postMessage({ type: "outbox", items, ...extra }));
    return items;
  }

  function timeout(promise, ms) {
    return Promise.race([promise, new Promise((resolve, reject) => setTimeout(reject, ms, new Error("timeout")))]);
  }

  // Each write belongs to the racer whose page made it (the page's opaque racer tag): only
  // that racer's pages list it, and it is sent only for them.
  const waiting = async (racer) => (await all()).some((i) => i.state === "waiting" && i.racer === racer);

  // --- keeping a write --------------------------------------------------------------------------
  async function keep(request) {
    const headers = {};
    request.headers.forEach((value, name) => { headers[name] = value; });
    const what = headers["x-apex-what"] ? decodeURIComponent(headers["x-apex-what"]) : "A change";
    const racer = headers["x-apex-outbox-racer"] || "";
    delete headers["x-apex-what"];
    delete headers["x-apex-outbox-racer"];
    const item = {
      state: "waiting", racer, url: request.url, headers, body: await request.arrayBuffer(),
      what, at: new Date().toISOString(), page: headers["hx-current-url"] || "",
      target: headers["hx-target"] || "",
    };
    item.id = await put(item);
    if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(() => {});
    return item;
  }

  function queuedAnswer(item) {
    const html = '<p class="notice queued" role="status">Saved on this phone — sends when connected</p>';
    return new Response(html, { status: 202, headers: {
      "Content-Type": "text/html; charset=utf-8", "X-Apex-Outbox": "queued", "X-Apex-Outbox-Id": String(item.id) } });
  }

  async function handleWrite({ request, event }) {
    const copy = request.clone();
    if (!(await waiting(request.headers.get("X-Apex-Outbox-Racer") || ""))) {
      try {
        return await timeout(fetch(request), WRITE_TIMEOUT_MS);
      } catch (err) { /* no answer: kept below */ }
    }
    const item = await keep(copy);
    event.waitUntil(tellPages({}));
    return queuedAnswer(item);
  }

  // --- sending the waiting writes -----------------------------------------------------------------
  async function sendAll(racer) {
    let sent = 0;
    for (;;) {
      const item = (await all()).find((i) => i.state === "waiting" && i.racer === racer);
      if (!item) break;
      let answer;
      try {
        answer = await timeout(fetch(item.url, { method: "POST", headers: item.headers, body: item.body,
          credentials: "same-origin", cache: "no-store" }), REPLAY_TIMEOUT_MS);
      } catch (err) {
        break; // still no connection: the rest keep waiting, in order
      }
      if (answer.status >= 500 || answer.status === 429) break; // the server's trouble: later
      // Logged out meanwhile (the session ended): APEX answers HTMX with HX-Redirect to log in.
      const sentTo = answer.headers.get("HX-Redirect") || answer.headers.get("HX-Location") || "";
      const loggedOut = sentTo.includes("/auth/") ||
        (answer.redirected && new URL(answer.url).pathname.startsWith("/auth/"));
      const html = loggedOut ? "" : await answer.text();
      // An answer that asks the racer first (a pasted table's preview, "change both now?")
      // stored nothing: marked data-outbox-needs="<why>" by its template.
      const asks = answer.ok && /data-outbox-needs="([^"]*)"/.exec(html);
      if (answer.ok && !loggedOut && !asks) {
        await drop(item.id);
        sent += 1;
        continue;
      }
      // Refused, or asking: kept with the server's answer until the racer fixes or discards it.
      await put({ ...item, state: "needs", status: loggedOut ? 401 : answer.status, answer: html,
        reason: asks ? asks[1].replace(/&#39;|&quot;|&amp;/g, (e) => ({ "&#39;": "'", "&quot;": '"', "&amp;": "&" })[e]) : "",
        tried: new Date().toISOString() });
    }
    return sent;
  }

  let running = null;
  function replay(racer) {
    if (!running) {
      running = sendAll(racer).then(async (sent) => {
        const items = await tellPages({ sent });
        // NOTE: after the pages are told (they fetch what they show themselves).
        if (sent && options.afterSent) await options.afterSent(sent).catch(() => {});
        return items;
      }).finally(() => { running = null; });
    }
    return running;
  }

  const matches = ({ url, request, sameOrigin }) =>
    sameOrigin && request.headers.get("HX-Request") === "true" && routes.some((r) => r.test(url.pathname));
  options.workbox.routing.registerRoute(matches, handleWrite, "POST");

  self.addEventListener("sync", (event) => {
    if (event.tag === SYNC_TAG) {
      // Rejecting asks the browser to try again later (with its own back-off).
      // In the background: the writes of the racer whose pack the phone holds.
      event.waitUntil(options.racer().then(async (racer) => {
        await replay(racer);
        if (await waiting(racer)) throw new Error("still offline");
      }));
    }
  });

  // Messages from pages: {type: "outbox", op: "list" | "send" | "discard" | "fix", id}.
  // "fix" hands the page the refused write's answer and leaves the list.
  async function onMessage(data) {
    if (data.op === "send") return { items: await replay(String(data.racer || "")) };
    if (data.op === "discard" || data.op === "fix") {
      const item = await get(Number(data.id));
      if (item && item.racer !== data.racer) return { items: await list(), item: null }; // not theirs
      if (item && (data.op === "discard" || item.state === "needs")) await drop(item.id);
      const items = await tellPages({});
      return { items, item: item ? { ...item, body: undefined, headers: undefined } : null };
    }
    return { items: await list() };
  }
  return { onMessage, replay };
};
