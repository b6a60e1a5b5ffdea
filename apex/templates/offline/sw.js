/* APEX service worker: every static file, and the race-day pack of the racer's open event.
 *
 * Served at /sw.js (scope "/") by apex/blueprints/offline.py, which fills APEX below: the
 * fingerprinted static files, Workbox's modules (vendored from npm), and a version made of
 * both and of this text. A deploy changes the bytes, the browser installs the new worker,
 * which takes over at once (skipWaiting + clientsClaim); pages are never reloaded for it.
 *
 * - Static files: precached at install (Workbox precaching), served from the cache.
 * - Pages of the pack (Race Support, event setup, setup sheet, Advisor, analysis, the
 *   offline page): network first; the answer is kept as the phone's copy. Without an
 *   answer (in TIMEOUT_MS on bad Wi-Fi), or with the server's outage page (5xx), the copy
 *   is shown with an "Offline copy from 10:42" line. Other pages, offline: the offline
 *   page, which links to the pack.
 * - Only GET pages with the pack's racer tag (X-Apex-Racer) are kept; POST answers never.
 *   A login, logout or sign-up, or a page that comes with another racer's tag or none,
 *   drops every kept page: one racer's pages are never shown to another.
 * - Race-day writes (POST) made while the server cannot be reached are kept on the phone
 *   and sent later by the outbox (static/outbox-sw.js, wired at the end); other writes are
 *   left to the browser.
 */
"use strict";
const APEX = {{ config | safe }};
importScripts(...APEX.imports); // Workbox's modules, then the outbox (static/outbox-sw.js)

const PAGES = "apex-pages"; // the race-day pack: per racer, never versioned with the assets
const META = "/offline/__pack"; // the pack's description, kept in PAGES beside the pages
const SAVED = "X-Apex-Saved"; // when a kept page was fetched (ISO time)
const TIMEOUT_MS = 6000; // a pack page slower than this is shown from the phone
const CHECK_MS = 5 * 60 * 1000; // ask the server what the pack is at most this often
const MAX_AGE_MS = 30 * 60 * 1000; // a kept page older than this is fetched again
// NOTE: no top-level `workbox` binding here: the imported modules read the global of that name.
const wb = self.workbox;

wb.core.setCacheNameDetails({ prefix: "apex", suffix: "", precache: "static" });
self.skipWaiting();
wb.core.clientsClaim();
wb.precaching.precacheAndRoute(APEX.precache.map((url) => ({ url, revision: null })));

// --- the pack's description ------------------------------------------------------------------
let meta = null;
const EMPTY = () => ({ racer: null, pages: [], checked: 0, stale: {} });

async function loadMeta() {
  if (meta) return meta;
  const hit = await (await caches.open(PAGES)).match(META);
  meta = hit ? await hit.json() : EMPTY();
  return meta;
}

async function saveMeta() {
  const body = JSON.stringify(meta);
  await (await caches.open(PAGES)).put(META, new Response(body, { headers: { "Content-Type": "application/json" } }));
}

async function clearPack() {
  meta = EMPTY();
  await caches.delete(PAGES);
}

function packUrls(m) {
  const urls = new Set();
  for (const p of m.pages) { urls.add(p.url); p.aliases.forEach((a) => urls.add(a)); }
  return urls;
}

function pageOf(m, url) {
  return m.pages.find((p) => p.url === url || p.aliases.includes(url)) || null;
}

// One pack job at a time (a refresh, a write's follow-up, a clear).
let queue = Promise.resolve();
function serial(job) {
  const run = queue.then(job, job);
  queue = run.catch(() => {});
  return run;
}

// --- keeping pages ---------------------------------------------------------------------------
async function keepable(response) {
  const m = await loadMeta();
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || response.type !== "basic" || !type.startsWith("text/html")) return null;
  if (!m.racer || response.headers.get(APEX.racerHeader) !== m.racer) return null;
  const headers = new Headers(response.headers);
  // The body is already decoded; Vary would only stop a boosted request matching it.
  ["Content-Encoding", "Content-Length", "Vary", "Set-Cookie"].forEach((h) => headers.delete(h));
  headers.set(SAVED, new Date().toISOString());
  return new Response(await response.blob(), { status: 200, statusText: "OK", headers });
}

async function keep(page, response) {
  const copy = await keepable(response);
  if (!copy) return 0;
  const cache = await caches.open(PAGES);
  const body = await copy.clone().blob();
  await cache.put(page.url, copy.clone());
  for (const alias of page.aliases) await cache.put(alias, copy.clone());
  delete meta.stale[page.url];
  return body.size;
}

async function fetchPage(page) {
  const response = await fetch(page.url, { credentials: "same-origin", cache: "no-store" });
  return keep(page, response);
}

// Ask the server what the pack is, and fetch what is missing, stale or old.
async function refreshPack(force) {
  const m = await loadMeta();
  // Pages marked stale by writes wait for the next check too: the page written on is
  // fetched again at once (wrote), the others at most every CHECK_MS (bytes on track Wi-Fi).
  if (!force && Date.now() - m.checked < CHECK_MS) return summary(m, []);
  const answer = await fetch(APEX.pack, { credentials: "same-origin", cache: "no-store" });
  if (!answer.ok) throw new Error("the pack list answered " + answer.status);
  const body = await answer.json();
  if (body.racer !== m.racer) await clearPack(); // someone else, or nobody, is logged in
  meta.racer = body.racer;
  meta.outbox = body.outbox;
  meta.pages = body.pages;
  meta.checked = Date.now();
  const cache = await caches.open(PAGES);
  const urls = packUrls(meta);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== META && !urls.has(path)) await cache.delete(request); // left the pack
  }
  const failed = [];
  let bytes = 0;
  for (const page of meta.pages) {
    const have = await cache.match(page.url);
    const age = have ? Date.now() - Date.parse(have.headers.get(SAVED)) : Infinity;
    if (!force && !meta.stale[page.url] && age < MAX_AGE_MS) continue;
    try {
      const size = await fetchPage(page);
      if (size) bytes += size; else failed.push(page.name);
    } catch (err) {
      failed.push(page.name);
    }
  }
  await saveMeta();
  return summary(meta, failed, bytes);
}

function summary(m, failed, bytes) {
  return { ok: failed.length === 0, racer: !!m.racer, pages: m.pages.length, failed, bytes: bytes || 0,
           savedAt: new Date().toISOString() };
}

// A write succeeded on a page of the pack: every page of the pack may show it, so all are
// stale; the page it was made on is fetched again once the racer pauses (2 s). A write
// elsewhere may have started or closed an event: the pack list is asked for again.
let lastWrite = 0;
async function wrote(url) {
  const page = await serial(async () => {
    const m = await loadMeta();
    const found = pageOf(m, url);
    if (found) m.pages.forEach((p) => { m.stale[p.url] = true; }); else m.checked = 0;
    await saveMeta();
    return found;
  });
  const mine = ++lastWrite;
  if (!page) return { ok: true };
  await new Promise((resolve) => setTimeout(resolve, 2000));
  if (mine !== lastWrite) return { ok: true };
  return serial(async () => {
    if (pageOf(await loadMeta(), page.url)) { await fetchPage(page); await saveMeta(); }
    return { ok: true };
  });
}

// --- serving pages ---------------------------------------------------------------------------
function clock(iso) {
  const d = new Date(iso);
  const time = { hour: "2-digit", minute: "2-digit" };
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString([], time)
    : d.toLocaleString([], { day: "numeric", month: "short", ...time });
}

async function keptCopy(key) {
  const m = await loadMeta();
  const hit = await (await caches.open(PAGES)).match(key);
  if (!hit || !m.racer || hit.headers.get(APEX.racerHeader) !== m.racer) return null;
  const saved = hit.headers.get(SAVED);
  const line = '<p class="offline-copy" role="status">Offline copy from <time datetime="' + saved + '">' +
    clock(saved) + "</time> · APEX cannot be reached: race-day saves are kept on this phone</p>";
  const html = (await hit.text()).replace('<main id="main">', '<main id="main">' + line);
  return new Response(html, { status: 200, statusText: "OK", headers: hit.headers });
}

async function offlinePage() {
  const m = await loadMeta();
  const hit = m.racer ? await (await caches.open(PAGES)).match(APEX.offline) : null;
  if (hit && hit.headers.get(APEX.racerHeader) === m.racer) return hit;
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · APEX</title>' +
    '<link rel="stylesheet" href="' + APEX.css + '"></head><body><main id="main"><section class="card narrow">' +
    "<h1>Offline</h1><p>No connection to APEX, and this phone keeps no race-day pack yet: " +
    "open an event's page on good Wi-Fi (or tap Ready for the track) to keep it.</p>" +
    "</section></main></body></html>";
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// What a page answer says about who is logged in: another racer, or nobody, drops the pack.
async function checkRacer(response) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || response.type !== "basic" || !type.startsWith("text/html")) return;
  const m = await loadMeta();
  if (m.racer && response.headers.get(APEX.racerHeader) !== m.racer) await clearPack();
}

function isPageRequest(request) {
  if (request.method !== "GET") return false;
  const h = request.headers;
  return request.mode === "navigate" || h.get("HX-Boosted") === "true" ||
    h.get("HX-History-Restore-Request") === "true";
}

async function handlePage({ request, event }) {
  const url = new URL(request.url);
  const key = url.pathname + url.search;
  const page = pageOf(await loadMeta(), key);
  const net = fetch(request);
  event.waitUntil(net.then((response) => {
    const copy = response.clone();
    return checkRacer(response.clone()).then(() => (page && page.url === key ? keep(page, copy) : 0));
  }).catch(() => {}));
  if (!page) {
    try { return await net; } catch (err) { return offlinePage(); }
  }
  const late = new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS, null));
  const first = await Promise.race([net.catch(() => null), late]);
  // An answer, unless it is the server's own trouble (its outage page): the copy is better.
  if (first && first.status < 500) return first;
  return (await keptCopy(key)) || first || net.catch(() => offlinePage());
}

wb.routing.registerRoute(({ request, sameOrigin }) => sameOrigin && isPageRequest(request), handlePage);

// A static file of an older deploy (a kept page names it) offline: today's file of that name.
wb.routing.registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith("/static/"),
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch (err) {
      const plain = (u) => u.replace(/\.[0-9a-f]{10}(\.[a-z0-9]+)$/, "$1");
      const want = plain(new URL(request.url).pathname);
      const now = APEX.precache.find((u) => plain(u) === want);
      const hit = now && await wb.precaching.matchPrecache(now);
      if (hit) return hit;
      throw err;
    }
  });

// Logging in, out or signing up: whoever comes next must not see these pages. Dropped
// before the answer (even if none comes), and without waiting for a refresh under way: a
// page it fetches after this is no longer the pack racer's (keepable), so it is not kept.
wb.routing.registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith("/auth/"),
  async ({ request }) => { await clearPack(); return fetch(request); }, "POST");

// A new worker (a deploy): the kept pages name the old static files, so fetch them again.
self.addEventListener("activate", (event) => {
  event.waitUntil(loadMeta().then((m) => {
    if (!m.racer) return null;
    m.pages.forEach((p) => { m.stale[p.url] = true; });
    m.checked = 0; // at the next page load
    return saveMeta();
  }));
});

// The outbox: once writes kept offline are sent, every page of the pack may show them.
const outbox = self.apexOutbox({
  workbox: wb, routes: APEX.outbox,
  racer: async () => (await loadMeta()).outbox || "", // whose writes a background sync sends
  afterSent: () => serial(async () => {
    const m = await loadMeta();
    m.pages.forEach((p) => { m.stale[p.url] = true; });
    m.checked = 0;
    await saveMeta();
    return refreshPack(false);
  }),
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (answer) => { if (event.ports[0]) event.ports[0].postMessage(answer); };
  let job;
  if (data.type === "pack") job = serial(() => refreshPack(!!data.force));
  else if (data.type === "outbox") job = outbox.onMessage(data);
  else if (data.type === "wrote") job = wrote(String(data.url || ""));
  else if (data.type === "clear") job = serial(clearPack).then(() => ({ ok: true }));
  else return;
  event.waitUntil(job.then(reply, (err) => reply({ ok: false, error: String(err) })));
});
