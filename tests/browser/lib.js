"use strict";
/* What the browser tests share: the static file server, the driver and the
   check helpers. */

const fs = require("fs");
const http = require("http");
const path = require("path");

const REPO = path.resolve(__dirname, "../..");
const WAIT = 5000;

function playwright() {
  return require(process.env.PLAYWRIGHT_CORE ||
    path.join(REPO, "build/npm/node_modules/playwright-core"));
}

/* Headless Debian Chromium (CHROMIUM, default /usr/bin/chromium). */
function launch() {
  return playwright().chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    /* Chromium's sandbox cannot run as root: --no-sandbox then. */
    chromiumSandbox: !(process.getuid && process.getuid() === 0)
  });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".png": "image/png",
  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".ico": "image/x-icon"
};

/* A static file server for DIR at the path BASE on 127.0.0.1, on a free
   port, the way a plain web host serves it: FOLDER/ gives FOLDER/index.html,
   FOLDER gives a redirect to FOLDER/, anything else is a 404. HEADERS are
   added to every answer. */
function serve(dir, base, headers) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const fail = (code) => { res.writeHead(code, { "Content-Type": "text/plain" }); res.end(code + "\n"); };
    let p;
    try { p = decodeURIComponent(new URL(req.url, "http://x").pathname); } catch (e) { return fail(400); }
    if (req.method !== "GET" && req.method !== "HEAD") return fail(405);
    if (!p.startsWith(base)) return fail(404);
    let file = path.join(root, p.slice(base.length));
    if (file !== root && !file.startsWith(root + path.sep)) return fail(404);
    let st;
    try { st = fs.statSync(file); } catch (e) { return fail(404); }
    if (st.isDirectory()) {
      if (!p.endsWith("/")) {
        res.writeHead(301, { Location: p + "/" + (req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "") });
        return res.end();
      }
      file = path.join(file, "index.html");
      try { st = fs.statSync(file); } catch (e) { return fail(404); }
    }
    if (!st.isFile()) return fail(404);
    res.writeHead(200, Object.assign({
      "Content-Type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
      "Content-Length": st.size
    }, headers || {}));
    if (req.method === "HEAD") return res.end();
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

class Failure extends Error {}
function check(cond, msg) { if (!cond) throw new Failure(msg); }
function eq(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/* Waits until fn(arg) in the page returns a true value; on timeout fails
   with WHAT and what describe(arg) says about the page then. */
async function until(page, what, fn, arg, describe) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout: WAIT })).jsonValue();
  } catch (e) {
    if (!/Timeout/.test(e.message)) throw e;
    let state = "";
    try { state = await page.evaluate(describe || (() => document.title), arg); } catch (e2) { state = e2.message; }
    throw new Failure(`timed out waiting for ${what}\n(page ${page.url()}: ${typeof state === "string" ? state : JSON.stringify(state)})`);
  }
}

/* Prints "ok NAME" or "FAIL NAME" with each detail indented; true if ok. */
function report(name, details) {
  if (details.length === 0) console.log(`ok ${name}`);
  else {
    console.log(`FAIL ${name}`);
    details.forEach((d) => console.log(String(d).replace(/^/gm, "    ")));
  }
  return details.length === 0;
}

/* Runs the async functions TASKS, at most LIMIT at a time, each called
   with the number of the worker running it (0 to LIMIT - 1, so a worker can
   keep what it reuses), and calls done(result) for each in the order of
   TASKS as soon as it and every one before it have finished (so output
   reads the same for any LIMIT). */
async function inOrder(tasks, limit, done) {
  const results = new Array(tasks.length);
  const finished = new Array(tasks.length).fill(false);
  let next = 0, printed = 0;
  const flush = () => {
    while (printed < tasks.length && finished[printed]) done(results[printed++]);
  };
  const worker = async (_, w) => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i](w);
      finished[i] = true;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/* Collects what goes wrong on PAGE that no test asked about: console errors,
   uncaught errors, failed requests, HTTP error statuses. */
function watch(page) {
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`uncaught error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${(r.failure() || {}).errorText})`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}

module.exports = { REPO, WAIT, playwright, launch, serve, TYPES, Failure, check, eq, until, report, watch, inOrder };
