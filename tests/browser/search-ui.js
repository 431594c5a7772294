"use strict";
/* Browser tests of the search UI (the header combobox and the results page),
   in headless Chromium driven by playwright-core. tests/browser/run.sh
   installs what they need, builds the demo sites and runs this script.

   usage: node search-ui.js [--http NAME DIR BASE]... [--file NAME DIR]...
     --http: serves DIR over http://127.0.0.1:PORT at the path BASE
             ("/" or "/kb/"), with a small static server on a free port;
     --file: opens DIR's pages from file:// (DIR must be an --offline build).
   Environment: CHROMIUM (default /usr/bin/chromium), PLAYWRIGHT_CORE (the
   package's folder, default build/npm/node_modules/playwright-core).

   Every test runs against every site, in a fresh browser context, and prints
   "ok browser/SITE/TEST" or "FAIL browser/SITE/TEST" with indented details:
     typed-query  typing "microneedling" in the header box opens the listbox;
                  its first option is the Microneedling page (title, an
                  excerpt with the word in <mark>); clicking it opens the page
     synonym      "anticoagulants", a word the content never uses, finds the
                  pages that say "blood thinners" (content/_data/synonyms.yaml);
                  the phrase "herpes simplex" finds the pages on cold sores
     misspelled   "micronedling" still shows the Microneedling page first,
                  with the word highlighted
     keyboard     the live region announces a count; ArrowDown/ArrowUp move
                  aria-activedescendant (and aria-selected) through the
                  options; Escape closes the listbox; Enter on the active
                  option opens its page
     results-page Enter with no active option submits the form: search/?q=
                  lists results grouped by page (one group per page, the
                  Microneedling page first, each group's links under it, as
                  many links as the count line says are listed)
     no-results   a query that matches nothing says so in the listbox and the
                  live region, and "see the search page" opens a results page
                  that says so too
   Each test also fails on any console error, uncaught page error, failed
   request or HTTP error status on the pages it visited.
   Waits are on conditions (never fixed sleeps), each at most WAIT ms. */

const path = require("path");
const url = require("url");
const { launch, serve, Failure, check, eq, until, report, watch, WAIT } = require("./lib");

/* ---- the sites under test ---- */

const sites = [];
for (let a = process.argv.slice(2); a.length;) {
  const opt = a.shift();
  if (opt === "--http" && a.length >= 3) sites.push({ name: a.shift(), kind: "http", dir: a.shift(), base: a.shift() });
  else if (opt === "--file" && a.length >= 2) sites.push({ name: a.shift(), kind: "file", dir: a.shift() });
  else {
    console.error("usage: node search-ui.js [--http NAME DIR BASE]... [--file NAME DIR]...");
    process.exit(2);
  }
}

/* The URL of the page at PATH ("" for the home page, "search/?q=x"): over
   http the folder's URL, from file:// its index.html. */
function pageUrl(site, p) {
  const [dir, query] = p.split("?");
  const q = query === undefined ? "" : "?" + query;
  if (site.kind === "http") return site.origin + site.base + dir + q;
  return url.pathToFileURL(path.join(path.resolve(site.dir), dir, "index.html")).href + q;
}

/* ---- helpers ---- */

/* The header combobox's state, as the user (and a screen reader) gets it. */
function boxState() {
  const input = document.getElementById("site-search-q");
  const list = input && document.getElementById(input.getAttribute("aria-controls"));
  const live = input && input.form.querySelector("[role=status]");
  return {
    value: input && input.value,
    expanded: input && input.getAttribute("aria-expanded"),
    active: input && input.getAttribute("aria-activedescendant"),
    listRole: list && list.getAttribute("role"),
    open: !!list && !list.hidden && list.getClientRects().length > 0,
    live: live && live.textContent,
    options: list ? Array.from(list.children, (li) => ({
      id: li.id, role: li.getAttribute("role"), selected: li.getAttribute("aria-selected"),
      title: (li.querySelector(".search-title") || li).textContent,
      excerpt: (li.querySelector(".search-excerpt") || {}).textContent || "",
      marks: Array.from(li.querySelectorAll("mark"), (m) => m.textContent)
    })) : []
  };
}

async function state(page) { return page.evaluate(boxState); }

/* Types QUERY into the header box key by key and waits for the listbox to
   show the results of the whole query (its last option names the query). */
async function typeQuery(page, query) {
  const input = page.locator("#site-search-q");
  await input.click();
  await input.pressSequentially(query);
  return waitForList(page, query);
}

/* Waits for the listbox to show the results of QUERY, the whole value. */
async function waitForList(page, query) {
  await until(page, `the listbox for "${query}"`, (q) => {
    const input = document.getElementById("site-search-q");
    const list = input && document.getElementById(input.getAttribute("aria-controls"));
    const last = list && list.lastElementChild;
    return input.getAttribute("aria-expanded") === "true" && list && !list.hidden && last &&
      last.textContent.includes("\u201c" + q + "\u201d");
  }, query, boxState);
  return state(page);
}

async function waitForPage(page, site, p, what) {
  const want = pageUrl(site, p);
  try {
    await page.waitForURL(want, { timeout: WAIT });
    await page.waitForLoadState("load", { timeout: WAIT });
  } catch (e) {
    if (!/Timeout/.test(e.message)) throw e;
    throw new Failure(`${what}: expected to be at ${want}, still at ${page.url()}`);
  }
}

async function h1(page) {
  return page.evaluate(() => { const h = document.querySelector("h1"); return h && h.textContent.trim(); });
}

function firstOption(st, title, query) {
  check(st.options.length >= 2, `"${query}": expected results and the "see all" option, got ${JSON.stringify(st.options)}`);
  eq(st.options[0].title, title, `"${query}": first option's title`);
}

/* ---- the tests ---- */

const tests = {
  "typed-query": async (page, site) => {
    await page.goto(pageUrl(site, ""));
    const st = await typeQuery(page, "microneedling");
    eq(st.expanded, "true", "aria-expanded of the open combobox");
    eq(st.listRole, "listbox", "role of the element aria-controls names");
    check(st.open, "the listbox is not visible");
    check(st.options.every((o) => o.role === "option"), "every listbox child has role=option");
    firstOption(st, "Microneedling", "microneedling");
    check(/\bfine needles\b/.test(st.options[0].excerpt), `first option's excerpt is the page's summary, got ${JSON.stringify(st.options[0].excerpt)}`);
    check(st.options[0].marks.some((m) => /^microneedling$/i.test(m)),
      `first option highlights "microneedling" in <mark>, marks: ${JSON.stringify(st.options[0].marks)}`);
    await page.locator(`[id="${st.options[0].id}"]`).click();
    await waitForPage(page, site, "procedures/microneedling/", "clicking the first option");
    eq(await h1(page), "Microneedling", "heading of the page the option opened");
  },

  synonym: async (page, site) => {
    await page.goto(pageUrl(site, "about/"));
    let st = await typeQuery(page, "anticoagulants");
    check(st.options.length - 1 >= 3, `"anticoagulants" suggests pages that say "blood thinners"; options: ${JSON.stringify(st.options.map((o) => o.title))}`);
    await page.goto(pageUrl(site, "search/?q=anticoagulants"));
    const groups = await until(page, "the results for anticoagulants", () => {
      const box = document.getElementById("search-results");
      if (!box || !box.querySelector(".search-count")) return null;
      return Array.from(box.querySelectorAll("li.search-result h2 > a"), (a) => a.textContent);
    }, null, () => (document.getElementById("search-results") || {}).textContent);
    for (const t of ["Microneedling", "Chemical peel", "Microdermabrasion"])
      check(groups.includes(t), `the results page for "anticoagulants" lists the ${t} page, which says "blood thinners"; pages: ${JSON.stringify(groups)}`);
    await page.goto(pageUrl(site, "about/"));
    st = await typeQuery(page, "herpes simplex");
    const titles = st.options.slice(0, -1).map((o) => o.title.split(" \u203a ")[0]);
    for (const t of ["Microneedling", "Chemical peel", "Microdermabrasion"])
      check(titles.includes(t), `"herpes simplex" (cold sores) lists the ${t} page; options: ${JSON.stringify(titles)}`);
  },

  misspelled: async (page, site) => {
    await page.goto(pageUrl(site, ""));
    const st = await typeQuery(page, "micronedling");
    firstOption(st, "Microneedling", "micronedling");
    check(st.options[0].marks.some((m) => /^microneedling$/i.test(m)),
      `"micronedling": the first option highlights "Microneedling", marks: ${JSON.stringify(st.options[0].marks)}`);
  },

  keyboard: async (page, site) => {
    await page.goto(pageUrl(site, "procedures/"));
    let st = await typeQuery(page, "microneedling");
    check(/^(\d+ results?|20 or more results)$/.test(st.live) && !/^0 /.test(st.live),
      `the live region announces a count of results, got ${JSON.stringify(st.live)}`);
    eq(st.active, null, "aria-activedescendant before any arrow key");
    const ids = st.options.map((o) => o.id), n = ids.length;
    check(n >= 3, `at least two results and "see all", got ${n} options`);
    const moves = [["ArrowDown", 0], ["ArrowDown", 1], ["ArrowUp", 0], ["ArrowUp", n - 1], ["ArrowDown", 0]];
    for (const [key, want] of moves) {
      await page.keyboard.press(key);
      st = await state(page);
      eq(st.active, ids[want], `aria-activedescendant after ${key} (option ${want})`);
      const selected = st.options.filter((o) => o.selected === "true").map((o) => o.id);
      eq(selected.join(), ids[want], `options with aria-selected=true after ${key}`);
      eq(st.value, "microneedling", `the input's value after ${key}`);
    }
    await page.keyboard.press("Escape");
    st = await state(page);
    check(!st.open, "Escape closes the listbox");
    eq(st.expanded, "false", "aria-expanded after Escape");
    eq(st.active, null, "aria-activedescendant after Escape");
    eq(st.value, "microneedling", "the input's value after Escape");
    /* A changed query opens it again; Enter on the active option goes there. */
    await page.keyboard.press("Backspace");
    await page.keyboard.type("g");
    st = await waitForList(page, "microneedling");
    firstOption(st, "Microneedling", "microneedling");
    await page.keyboard.press("ArrowDown");
    eq((await state(page)).active, st.options[0].id, "aria-activedescendant after ArrowDown");
    await page.keyboard.press("Enter");
    await waitForPage(page, site, "procedures/microneedling/", "Enter on the first option");
    eq(await h1(page), "Microneedling", "heading of the page Enter opened");
    check(/^Microneedling \| /.test(await page.title()), `title of the page Enter opened: ${await page.title()}`);
  },

  "results-page": async (page, site) => {
    await page.goto(pageUrl(site, ""));
    await typeQuery(page, "microneedling");
    await page.keyboard.press("Enter");
    await waitForPage(page, site, "search/?q=microneedling", "Enter with no active option");
    const r = await until(page, "the results", () => {
      const box = document.getElementById("search-results");
      const count = box && box.querySelector(".search-count");
      if (!count) return null;
      return {
        count: count.textContent,
        input: (document.getElementById("search-page-q") || {}).value,
        groups: Array.from(box.querySelectorAll("ol.search-results > li.search-result"), (g) => {
          const a = g.querySelector("h2 > a");
          return {
            title: a && a.textContent, href: a && a.href,
            links: Array.from(g.querySelectorAll("ul > li > a"), (l) => l.href),
            marks: g.querySelectorAll("mark").length
          };
        })
      };
    }, null, () => (document.getElementById("search-results") || {}).textContent);
    eq(r.input, "microneedling", "the results page's search box");
    /* Over RESULTS_PAGE (50) matches, the page lists the best 50 and says so. */
    const m = /^(\d+) results? for \u201cmicroneedling\u201d(?:; the best (\d+) are listed)?$/.exec(r.count);
    check(m, `the count line, got ${JSON.stringify(r.count)}`);
    check(r.groups.length >= 2, `several pages match, got ${r.groups.length} groups`);
    eq(r.groups[0].title, "Microneedling", "the first result's page");
    eq(r.groups[0].href, pageUrl(site, "procedures/microneedling/"), "the first result's link");
    const hrefs = r.groups.map((g) => g.href);
    eq(new Set(hrefs).size, hrefs.length, "one group per page (no page twice)");
    let links = 0;
    for (const g of r.groups) {
      check(g.links.length >= 1, `group ${g.title} lists at least one result`);
      for (const l of g.links)
        check(l.split("#")[0] === g.href, `result ${l} is grouped under its own page ${g.href}`);
      links += g.links.length;
    }
    eq(links, Number(m[2] || m[1]), "results listed, against the count line");
    check(r.groups[0].marks > 0, "the first group highlights the query in <mark>");
    /* Each result link opens its page. */
    await page.locator("#search-results h2 > a").first().click();
    await waitForPage(page, site, "procedures/microneedling/", "the first result's link");
  },

  "no-results": async (page, site) => {
    await page.goto(pageUrl(site, ""));
    const query = "zyxwvq";
    const st = await typeQuery(page, query);
    eq(st.options.length, 1, `"${query}": only the search-page option`);
    check(/^No pages match/.test(st.options[0].title), `"${query}": the listbox says nothing matched, got ${JSON.stringify(st.options[0].title)}`);
    eq(st.live, "No results", "the live region");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await waitForPage(page, site, "search/?q=" + query, "Enter on \"see the search page\"");
    const text = await until(page, "the results page's answer", () => {
      const c = document.querySelector("#search-results .search-count");
      return c && c.textContent;
    }, null, () => (document.getElementById("search-results") || {}).textContent);
    check(text.startsWith(`No pages match \u201c${query}\u201d`), `the results page says nothing matched, got ${JSON.stringify(text)}`);
    eq(await page.locator("#search-results li").count(), 0, "results listed");
  }
};

/* ---- running ---- */

async function runTest(browser, site, name, fn) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  let error = null;
  try {
    await fn(page, site);
  } catch (e) {
    error = e instanceof Failure ? e.message : (e.stack || String(e));
  }
  await context.close();
  return report(`browser/${site.name}/${name}`, (error ? [error] : []).concat(problems));
}

(async () => {
  const browser = await launch();
  let failed = 0;
  const servers = [];
  try {
    for (const site of sites) {
      if (site.kind === "http") {
        const server = await serve(site.dir, site.base);
        servers.push(server);
        site.origin = `http://127.0.0.1:${server.address().port}`;
      }
      for (const [name, fn] of Object.entries(tests))
        if (!(await runTest(browser, site, name, fn))) failed++;
    }
  } finally {
    await browser.close();
    servers.forEach((s) => s.close());
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log("FAIL browser: " + (e.stack || e).toString().replace(/\n/g, "\n    "));
  process.exit(1);
});
