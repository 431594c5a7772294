"use strict";
/* Browser tests: the demo site works under exactly
   "Content-Security-Policy: default-src 'self'" (no inline scripts, inline
   styles or event handlers; JSON-LD data blocks are not scripts that run).
   tests/browser/run.sh builds the demo site and runs this script on it.

   usage: node csp.js DIR
   Every answer of the test server carries the header. In each page, a
   listener installed before the page's own scripts records every
   securitypolicyviolation event; Chromium also logs a console error for
   each. Prints "ok browser/csp/TEST" or "FAIL browser/csp/TEST":
     violations-are-seen  the check itself works: an inline script added
                          to a page is blocked and seen as a violation
     TYPE                 one page of each type (home, section, procedure,
                          faq, concern, concerns, tags, tag, a-z, page,
                          search, 404) loads with the header, its own
                          scripts run (js/tables.js marks the tables), and
                          no violation is reported
     every-page           the same for every other page of the site
     search-works         typing a query in the header box gives
                          suggestions; "see all results" opens the results
                          page, which lists them; no violation on the way
   Each test also fails on any console error (a violation is one), uncaught
   error, failed request or HTTP error on the pages it visited. */

const fs = require("fs");
const path = require("path");
const { launch, serve, Failure, check, eq, until, report, watch } = require("./lib");

const CSP = "default-src 'self'";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node csp.js DIR");
  process.exit(2);
}

/* Every page of the site, as URL paths ("procedures/microneedling/"). */
function allPages(root, rel = "") {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...allPages(root, p));
    else if (e.name === "index.html") out.push(rel ? rel + "/" : "");
  }
  return out.sort();
}

const pages = allPages(dir);
const first = (prefix) => pages.find((p) => p.startsWith(prefix) && p !== prefix) || prefix;
const TYPES = {
  home: "", section: "procedures/", procedure: "procedures/microneedling/", faq: first("faq/"),
  concern: first("concerns/"), concerns: "concerns/", tags: "tags/", tag: first("tags/"),
  "a-z": "a-z/", page: "about/", search: "search/?q=peel", "404": "404.html"
};

/* Runs in the page before its scripts (not subject to the CSP). */
function recordViolations() {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ` +
      `${e.sourceFile || "?"}:${e.lineNumber}: ${(e.sample || "").slice(0, 80)}`);
  });
}

async function violations(page) {
  return page.evaluate(() => window.__violations || ["(the recorder did not run)"]);
}

/* Opens P and checks the header, the page's own scripts and violations. */
async function visit(page, origin, p) {
  const response = await page.goto(origin + "/" + p, { waitUntil: "load" });
  check(response, `${p}: no response`);
  eq(response.headers()["content-security-policy"], CSP, `${p}: the Content-Security-Policy header`);
  /* search.js runs under the CSP: it turns the header box into a combobox */
  await until(page, `${p}: the search box set up by js/search.js`, () => {
    const q = document.getElementById("site-search-q");
    return !q || q.getAttribute("role") === "combobox";
  });
  const v = await violations(page);
  eq(v.join("\n"), "", `${p}: CSP violations`);
}

const tests = {
  async "violations-are-seen"(page, origin) {
    await page.goto(origin + "/", { waitUntil: "load" });
    const ran = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true";
      document.head.appendChild(s);
      return window.__inlineRan === true;
    });
    check(!ran, "an inline script ran under the CSP");
    await until(page, "the violation event", () => (window.__violations || []).length > 0);
    page.__expectedViolation = true;
  }
};

for (const [type, p] of Object.entries(TYPES))
  tests[type] = async (page, origin) => visit(page, origin, p);

tests["every-page"] = async (page, origin) => {
  const shown = new Set(Object.values(TYPES));
  for (const p of pages.filter((x) => !shown.has(x))) await visit(page, origin, p);
};

tests["search-works"] = async (page, origin) => {
  await page.goto(origin + "/", { waitUntil: "load" });
  const input = page.locator("#site-search-q");
  await input.click();
  await input.pressSequentially("microneedling");
  await until(page, "suggestions for microneedling", () => {
    const list = document.querySelector(".search-options");
    return list && !list.hidden && list.querySelectorAll(".search-title").length > 0;
  });
  await page.locator(".search-all").dispatchEvent("mousedown");
  await page.waitForURL(/\/search\/\?q=microneedling/);
  await until(page, "the results page's list", () =>
    document.querySelectorAll("#search-results .search-result").length > 0);
  eq((await violations(page)).join("\n"), "", "CSP violations on the results page");
};

(async () => {
  const browser = await launch();
  const server = await serve(dir, "/", { "Content-Security-Policy": CSP });
  const origin = `http://127.0.0.1:${server.address().port}`;
  let failed = 0;
  try {
    for (const [name, fn] of Object.entries(tests)) {
      const context = await browser.newContext();
      await context.addInitScript(recordViolations);
      const page = await context.newPage();
      const problems = watch(page);
      let error = null;
      try {
        await fn(page, origin);
      } catch (e) {
        error = e instanceof Failure ? e.message : (e.stack || String(e));
      }
      await context.close();
      /* the self-check's violation is logged as a console error too; and a
         page left for the next one may not have fetched its icon yet */
      const unexpected = problems.filter((m) =>
        !(page.__expectedViolation && /Content Security Policy/.test(m)) &&
        !/favicon\.svg \(net::ERR_ABORTED\)/.test(m));
      if (!report(`browser/csp/${name}`, (error ? [error] : []).concat(unexpected))) failed++;
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log("FAIL browser/csp: " + (e.stack || e).toString().replace(/\n/g, "\n    "));
  process.exit(1);
});
