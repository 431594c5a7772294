#!/usr/bin/env node
// Bytes a browser loads to search, measured in Chromium (playwright-core).
//
// usage: node bench/search-bytes.js SITE_DIR PAGE_PATH QUERY...
//
// Serves SITE_DIR on 127.0.0.1 (a free port), opens PAGE_PATH, and for each
// QUERY, in a fresh browser context (empty cache):
//   clinicgen: types the query into the header search box (#site-search-q)
//     one character at a time, and after each keystroke waits until the
//     suggestions list is drawn for it;
//   pagefind (when SITE_DIR/pagefind exists): imports /pagefind/pagefind.js
//     and, for each prefix of the query as typed, awaits search(prefix) and
//     the data() of its first 5 results (what Pagefind's Default UI shows).
// Every request made from the first keystroke on is counted by its
// Content-Length (the bytes as served; the server compresses nothing).
// The first query is every keystroke up to the first with results; each
// later keystroke counts alone.
//
// Prints one line per query and tool to stderr, and a summary as
// shell-readable KEY=VALUE lines to stdout (see bench/search.sh).
// Needs NODE_PATH with playwright-core and CHROMIUM (default /usr/bin/chromium).
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { chromium } = require("playwright-core");

const [site, pagePath, ...queries] = process.argv.slice(2);
if (!site || !pagePath || !queries.length) {
  console.error("usage: node bench/search-bytes.js SITE_DIR PAGE_PATH QUERY...");
  process.exit(2);
}
const root = fs.realpathSync(site);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml",
  ".xml": "application/xml" };

// A static file server: DIR/index.html for DIR/, Content-Length always.
function serve() {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root)) file = root + "/nonexistent";
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
      const body = fs.readFileSync(file);
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
        "Content-Length": body.length });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Length": 0 });
      res.end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

// gzip -9 size of a served file (for our index files, stored uncompressed).
const gzCache = new Map();
function gzipSize(urlPath) {
  if (!gzCache.has(urlPath)) {
    const body = fs.readFileSync(path.join(root, decodeURIComponent(urlPath)));
    gzCache.set(urlPath, zlib.gzipSync(body, { level: 9 }).length);
  }
  return gzCache.get(urlPath);
}

// Counts the requests of a browser context under PREFIX (the search's
// folder) into the current bucket; any other request is an error.
function meter(context, prefix) {
  const m = { bucket: null, pending: 0 };
  context.on("request", (req) => {
    if (!m.bucket) return;
    const entry = { path: new URL(req.url()).pathname, bytes: 0 };
    if (!entry.path.startsWith(prefix)) m.stray = entry.path;
    m.bucket.push(entry);
    m.pending++;
    req.response().then((res) => {
      entry.status = res ? res.status() : 0;
      entry.bytes = res ? Number(res.headers()["content-length"] || 0) : 0;
    }).catch(() => {}).finally(() => m.pending--);
  });
  m.start = () => { m.bucket = []; };
  m.stop = async (page) => {
    // Wait for responses still on their way, then hand the bucket back.
    while (m.pending > 0) await page.waitForTimeout(10);
    if (m.stray) throw new Error(`unexpected request while searching: ${m.stray}`);
    const b = m.bucket;
    m.bucket = [];
    return b;
  };
  return m;
}

const sum = (list, f) => list.reduce((s, e) => s + f(e), 0);

async function clinicgen(browser, base, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const m = meter(context, "/search/");
  await page.goto(base + pagePath, { waitUntil: "networkidle" });
  const input = page.locator("#site-search-q");
  await input.focus();
  const steps = [];
  for (let i = 0; i < query.length; i++) {
    // render() draws the list anew; drop its last item so that we see the
    // list drawn for this keystroke, even when the words did not change.
    await page.evaluate(() => document.querySelector("#site-search-q-list .search-all")?.remove());
    m.start();
    await page.keyboard.type(query[i]);
    const typed = query.slice(0, i + 1).trim();
    // search.js suggests nothing for fewer than two characters
    if (typed.length >= 2) await page.waitForFunction((t) => {
      const all = document.querySelector("#site-search-q-list .search-all");
      return all && all.textContent.includes("\u201c" + t + "\u201d");
    }, typed, { timeout: 30000 });
    const reqs = await m.stop(page);
    const results = await page.locator("#site-search-q-list .search-option:not(.search-all)").count();
    steps.push({ typed: query.slice(0, i + 1), reqs, results });
  }
  await context.close();
  return steps;
}

async function pagefind(browser, base, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const m = meter(context, "/pagefind/");
  await page.goto(base + pagePath, { waitUntil: "networkidle" });
  const steps = [];
  for (let i = 0; i < query.length; i++) {
    m.start();
    const results = await page.evaluate(async (q) => {
      window.pf = window.pf || await import("/pagefind/pagefind.js");
      const found = await window.pf.search(q);
      const shown = await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
      return shown.length;
    }, query.slice(0, i + 1));
    steps.push({ typed: query.slice(0, i + 1), reqs: await m.stop(page), results });
  }
  await context.close();
  return steps;
}

// Pagefind's code (its JS, worker, WebAssembly) apart from its index data.
const isCode = (p) => /\.js$|\/wasm\.[^/]*$/.test(p);

// First query (keystrokes up to the first with results) and later keystrokes.
function split(steps) {
  let k = steps.findIndex((s) => s.results > 0);
  if (k < 0) k = steps.length - 1;
  const first = steps.slice(0, k + 1).flatMap((s) => s.reqs);
  return { first, at: steps[k].typed, later: steps.slice(k + 1) };
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : 0;
};

function describe(reqs) {
  const groups = {};
  for (const r of reqs) {
    const name = path.basename(r.path).replace(/^(t|r)-.*\.js$/, "$1-*.js")
      .replace(/^[^.]*\.(pf_\w+)$/, "*.$1").replace(/^pagefind\.[^.]*\.pf_meta$/, "*.pf_meta");
    const g = groups[name] || (groups[name] = [0, 0]);
    g[0]++;
    g[1] += r.bytes;
  }
  return Object.entries(groups).map(([n, [c, b]]) => `${c} ${n} ${b}`).join(", ");
}

(async () => {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
  const out = {};
  const tools = [["clinicgen", clinicgen]];
  if (fs.existsSync(path.join(root, "pagefind/pagefind.js"))) tools.push(["pagefind", pagefind]);
  try {
    for (const [tool, run] of tools) {
      const firsts = [], firstsGz = [], code = [], keys = [], keysGz = [];
      for (const q of queries) {
        const steps = await run(browser, base, q);
        for (const s of steps)
          for (const r of s.reqs)
            if (r.status !== 200) throw new Error(`${tool}: ${r.path} answered ${r.status}`);
        const { first, at, later } = split(steps);
        const data = first.filter((r) => tool !== "pagefind" || !isCode(r.path));
        const gz = (reqs) => tool === "clinicgen" ? sum(reqs, (r) => gzipSize(r.path)) : sum(reqs, (r) => r.bytes);
        firsts.push(sum(data, (r) => r.bytes));
        firstsGz.push(gz(data));
        code.push(sum(first, (r) => r.bytes) - sum(data, (r) => r.bytes));
        const per = later.map((s) => sum(s.reqs, (r) => r.bytes));
        keys.push(...per);
        keysGz.push(...later.map((s) => gz(s.reqs)));
        console.error(`${tool} "${q}": first query ${sum(data, (r) => r.bytes)} B at "${at}" ` +
          `(${describe(first)}); then per keystroke: ${per.join(" ") || "-"}; ` +
          `results at the end: ${steps[steps.length - 1].results}`);
      }
      const p = tool === "clinicgen" ? "cg" : "pf";
      console.log(`${p}_first_med=${median(firsts)}`);
      console.log(`${p}_first_max=${Math.max(...firsts)}`);
      console.log(`${p}_first_gz_med=${median(firstsGz)}`);
      console.log(`${p}_first_gz_max=${Math.max(...firstsGz)}`);
      console.log(`${p}_code=${Math.max(...code)}`);
      console.log(`${p}_key_n=${keys.length}`);
      console.log(`${p}_key_loading=${keys.filter((b) => b > 0).length}`);
      console.log(`${p}_key_med=${median(keys)}`);
      console.log(`${p}_key_max=${keys.length ? Math.max(...keys) : 0}`);
      console.log(`${p}_key_gz_med=${median(keysGz)}`);
      console.log(`${p}_key_gz_max=${keysGz.length ? Math.max(...keysGz) : 0}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
})().catch((e) => {
  console.error("search-bytes:", e.message || e);
  process.exit(1);
});
