"use strict";
/* Browser test of clinicgen serve (issue 8): live reload and the
   build-error overlay in headless Chromium, under the strict
   Content-Security-Policy that serve sends with every answer.
   tests/browser/run.sh runs it on a copy of the demo project.

   usage: node serve.js CLINICGEN PROJECT
   Starts "CLINICGEN serve -C PROJECT --port 0" and edits PROJECT's files.
   Prints "ok browser/serve/TEST" or "FAIL browser/serve/TEST":
     reloads-on-save   a procedure page from the server (with the CSP
                       header and the reload script) reloads by itself when
                       its Markdown file is saved, showing the new text
     background-tab-catches-up
                       a tab in the background (which lets its event stream
                       go) does not reload on a save, and reloads with the
                       new text when it comes back
     overlay-on-error  a page file saved broken (front matter never closed)
                       shows the overlay with file:line over the page, which
                       stays the last good one; a page opened meanwhile shows
                       it too; once fixed, the page reloads without it
     stops-cleanly     SIGINT stops the server (exit 0, no sanitizer report)
   Each page test also fails on any securitypolicyviolation (the reload
   script and the overlay must work under the CSP), console error, uncaught
   error, failed request (but the event stream cut short by a reload) or
   HTTP error. Waits poll for up to WAIT_SERVE ms (20 s): a rebuild under
   the sanitizers on a busy machine takes a while. */

const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const { launch, Failure, check, eq, report, watch } = require("./lib");

const [bin, project] = process.argv.slice(2);
if (!bin || !project) {
  console.error("usage: node serve.js CLINICGEN PROJECT");
  process.exit(2);
}
const WAIT_SERVE = 20000;
const CSP = "default-src 'self'; img-src 'self' data: https:";
const OVERLAY = "clinicgen-build-errors";
const PAGE = "/procedures/chemical-peel/";
const SOURCE = path.join(project, "content/procedures/chemical-peel.md");
const BROKEN = path.join(project, "content/procedures/broken-by-test.md");

/* Starts the server; resolves with it and its origin once it says where. */
function startServer() {
  const child = spawn(bin, ["serve", "-C", project, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderrText = "";
  child.stderr.on("data", (d) => { child.stderrText += d; });
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("clinicgen serve did not start:\n" + out + child.stderrText));
    }, 60000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /clinicgen: serving (http:\/\/127\.0\.0\.1:\d+)\/ \(Ctrl-C to stop\)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, origin: m[1] });
      }
    });
  });
}

/* Runs in each page before its scripts (not subject to the CSP). */
function recordViolations() {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ` +
      `${e.sourceFile || "?"}:${e.lineNumber}`);
  });
}

async function noViolations(page, when) {
  const v = await page.evaluate(() => window.__violations || ["(the recorder did not run)"]);
  eq(v.join("\n"), "", `CSP violations ${when}`);
}

/* Waits until fn(arg) is true in the page; fails naming WHAT. */
async function until(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT_SERVE, polling: 100 });
  } catch (e) {
    if (!/Timeout/.test(e.message)) throw e;
    throw new Failure(`timed out waiting for ${what} (page ${page.url()})`);
  }
}

/* Opens the page and waits until its reload script has heard the server. */
async function open(page, origin, p) {
  const response = await page.goto(origin + p, { waitUntil: "load" });
  check(response, `${p}: no response`);
  eq(response.headers()["content-security-policy"], CSP, `${p}: the Content-Security-Policy header`);
  check(await page.locator('script[src="/__clinicgen/reload.js"]').count() === 1, `${p}: no reload script`);
  await until(page, "the event stream's hello", () => window.__clinicgen !== undefined);
}

const tests = {
  async "reloads-on-save"(page, origin) {
    await open(page, origin, PAGE);
    await noViolations(page, "on opening the page");
    await page.evaluate(() => { window.__beforeSave = true; });
    fs.appendFileSync(SOURCE, "\nThis line was saved while the browser watched.\n");
    await until(page, "the page to reload with the new text", () =>
      !window.__beforeSave && document.body.textContent.includes("saved while the browser watched"));
    await noViolations(page, "after the reload");
  },

  async "background-tab-catches-up"(page, origin) {
    await open(page, origin, PAGE);
    const before = await page.evaluate(() => window.__clinicgen.build);
    /* the tab goes to the background: it lets its event stream go */
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
      window.__beforeSave = true;
    });
    fs.appendFileSync(SOURCE, "\nThis line was saved while the tab was in the background.\n");
    const deadline = Date.now() + WAIT_SERVE;
    let build = before;
    while (build === before && Date.now() < deadline) {
      await page.waitForTimeout(100);
      build = await page.evaluate(async () => (await (await fetch("/__clinicgen/status")).json()).build);
    }
    check(build > before, "no build after the save");
    check(await page.evaluate(() => window.__beforeSave === true), "a background tab reloaded");
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await until(page, "the page to reload on coming back", () =>
      !window.__beforeSave && document.body.textContent.includes("while the tab was in the background"));
    await noViolations(page, "after coming back");
  },

  async "overlay-on-error"(page, origin, context) {
    await open(page, origin, PAGE);
    await page.evaluate(() => { window.__beforeBreak = true; });
    fs.writeFileSync(BROKEN, "---\ntitle: \"Broken\"\n\nThe front matter is never closed.\n");
    await until(page, "the overlay with the error's file and line", (id) => {
      const o = document.getElementById(id);
      return o && /content\/procedures\/broken-by-test\.md:1:1: error: /.test(o.textContent);
    }, OVERLAY);
    const state = await page.evaluate((id) => {
      const o = document.getElementById(id), r = o.getBoundingClientRect();
      return { same: window.__beforeBreak === true, visible: r.height > 50 && r.width > 200,
        role: o.getAttribute("role"), kept: document.body.textContent.includes("Chemical peel") };
    }, OVERLAY);
    check(state.same, "the page reloaded on a failed build");
    check(state.visible, "the overlay is not visible");
    eq(state.role, "alert", "the overlay's role");
    check(state.kept, "the last good page is no longer shown");
    await noViolations(page, "with the overlay shown");

    const other = await context.newPage();
    await open(other, origin, "/faq/");
    await until(other, "the overlay on a page opened while the build is broken",
      (id) => document.getElementById(id) !== null, OVERLAY);
    await noViolations(other, "on a page opened while broken");
    await other.close();

    fs.writeFileSync(BROKEN, "---\ntitle: \"Broken\"\n---\nThe front matter is closed now.\n");
    await until(page, "the page to reload without the overlay", (id) =>
      !window.__beforeBreak && window.__clinicgen && window.__clinicgen.ok &&
      document.getElementById(id) === null, OVERLAY);
    await noViolations(page, "after the fix");
  }
};

(async () => {
  const browser = await launch();
  const { child, origin } = await startServer();
  let failed = 0;
  try {
    for (const [name, fn] of Object.entries(tests)) {
      const context = await browser.newContext();
      await context.addInitScript(recordViolations);
      const page = await context.newPage();
      const problems = watch(page);
      let error = null;
      try {
        await fn(page, origin, context);
      } catch (e) {
        error = e instanceof Failure ? e.message : (e.stack || String(e));
      }
      await context.close();
      /* a reload cuts the event stream (and maybe the icon's fetch) short */
      const unexpected = problems.filter((m) =>
        !/(__clinicgen\/events|favicon\.svg) \(net::ERR_ABORTED\)/.test(m));
      if (!report(`browser/serve/${name}`, (error ? [error] : []).concat(unexpected))) failed++;
    }
  } finally {
    await browser.close();
    child.kill("SIGINT");
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_SERVE);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  const details = [];
  if (code !== 0) details.push(`exit ${code} ${signal || ""}`);
  if (/Sanitizer|runtime error/.test(child.stderrText)) details.push(child.stderrText);
  if (!report("browser/serve/stops-cleanly", details)) failed++;
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log("FAIL browser/serve: " + (e.stack || e).toString().replace(/\n/g, "\n    "));
  process.exit(1);
});
