"use strict";
/* Accessibility tests of every page of a built site, in headless Chromium
   driven by playwright-core, with axe-core. tests/browser/a11y.sh installs
   what they need, builds the demo site and runs this script.

   usage: node a11y.js SITE_DIR OUT_DIR

   Serves SITE_DIR over http://127.0.0.1:PORT/ with a strict
   Content-Security-Policy (no inline scripts, styles or event handlers), and
   visits every .html file under it (walked, not listed, so new content is
   covered). One line per page, "ok a11y/PATH" or "FAIL a11y/PATH", each
   problem indented under it. On each page:
     axe        axe-core, rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa,
                wcag22aa and best-practice (landmarks, heading order, ...):
                no violations; each is listed with its rule, impact, the
                elements' selectors and what to fix. Run three times: desktop
                (1366x900), phone (390x844), and phone in dark mode
                (prefers-color-scheme: dark, which has its own palette)
     headings   exactly one h1, the first heading; no level skipped
                (an h2 may follow an h4, an h4 may not follow an h2)
     tables     a header row of <th scope="col"> cells naming every column;
                on the phone, no table wider than the screen
     skip-link  the first Tab focuses a visible "skip" link; Enter moves
                focus to <main>, and the next Tab to the first control in it
     focus      (desktop) Tab through every control: each shows a focus ring
                (an outline of 2px or more on it, or on the card around it)
                with 3:1 contrast against what is behind it, and is not
                hidden under something else (a sticky bar) when focused
     reflow     (phone) the page does not scroll sideways
   and on every page, no console error (a CSP violation is one), uncaught
   error or failed request.
   More lines:
     a11y/search-combobox   the header search box with its list of
                suggestions open and an option active, on the home page, on
                desktop, phone and phone in dark mode: axe as above; the
                list fits the screen; the active option is outlined
     a11y/search-results    search/?q=aftercare once the results are in:
                axe (desktop, phone, dark), headings
     a11y/print/PATH        every page with an aftercare table or a "call the
                clinic" box, as printed (print media): the site navigation,
                search, breadcrumbs, contents, skip link and footer links are
                not shown; the title, the aftercare table and the call-the-
                clinic box are, in black on white, each kept on one sheet
                (break-inside: avoid). Each is also printed to
                OUT_DIR/print-NAME.pdf (A4) to look at.
   Every table has a <caption> (the filters give theirs one; a writer's
   Markdown table takes a "Table: ..." paragraph after it).
   Environment: CHROMIUM, PLAYWRIGHT_CORE, AXE_CORE (the axe-core package's
   folder, default build/npm/node_modules/axe-core), A11Y_JOBS (tests run at
   once, default 2; their lines are printed in the order above).
   Waits are on conditions (never fixed sleeps). */

const fs = require("fs");
const path = require("path");
const { REPO, launch, serve, Failure, check, until, report, watch, inOrder } = require("./lib");

const [siteDir, outDir] = process.argv.slice(2);
if (!siteDir || !outDir) {
  console.error("usage: node a11y.js SITE_DIR OUT_DIR");
  process.exit(2);
}
const AXE_SOURCE = fs.readFileSync(path.join(process.env.AXE_CORE ||
  path.join(REPO, "build/npm/node_modules/axe-core"), "axe.min.js"), "utf8");
/* Tests run at once, each worker with its own tabs (see Tabs). */
const JOBS = Math.max(1, Number(process.env.A11Y_JOBS) || 2);
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/* What a host with a strict policy sends: scripts, styles and images only
   from the site's own files. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const VIEWS = {
  desktop: { viewport: { width: 1366, height: 900 }, colorScheme: "light" },
  phone: { viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true },
  "phone-dark": { viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true }
};

/* Every .html file under DIR, as paths relative to it, sorted. */
function htmlFiles(dir, rel = "") {
  let out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? rel + "/" + e.name : e.name;
    if (e.isDirectory()) out = out.concat(htmlFiles(dir, r));
    else if (e.isFile() && e.name.endsWith(".html")) out.push(r);
  }
  return out.sort();
}

/* ---- checks run in the page ---- */

async function axe(page, view) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const r = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"]
  }), AXE_TAGS);
  return r.violations.map((v) => `[${view}] axe ${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `  ${n.target.join(" ")}` +
      (n.failureSummary ? `\n    ${n.failureSummary.replace(/\n\s*/g, " ")}` : "")).join("\n"));
}

/* Headings and tables, as a screen reader user meets them. Returns
   {problems: [...]}. */
function structure() {
  const problems = [];
  const hidden = (el) => !!el.closest("[hidden], [aria-hidden=true]") || el.getClientRects().length === 0;
  const heads = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]"))
    .filter((h) => !hidden(h))
    .map((h) => ({ level: Number(h.getAttribute("aria-level") || h.tagName.slice(1)), text: h.textContent.trim().slice(0, 60) }));
  const h1s = heads.filter((h) => h.level === 1);
  if (h1s.length !== 1)
    problems.push(`headings: ${h1s.length} h1 elements, want exactly one${h1s.length ? ": " + h1s.map((h) => JSON.stringify(h.text)).join(", ") : ""}`);
  else if (heads[0].level !== 1)
    problems.push(`headings: the first heading is h${heads[0].level} ${JSON.stringify(heads[0].text)}, not the h1`);
  for (let i = 1; i < heads.length; i++)
    if (heads[i].level > heads[i - 1].level + 1)
      problems.push(`headings: h${heads[i].level} ${JSON.stringify(heads[i].text)} follows h${heads[i - 1].level} ${JSON.stringify(heads[i - 1].text)} (a level skipped)`);
  document.querySelectorAll("table").forEach((t, i) => {
    const name = `table ${i + 1} (${(t.closest("section[aria-labelledby], aside[aria-labelledby]") || t).className || "in the body"})`;
    const rows = Array.from(t.rows);
    const head = rows[0];
    const cols = head ? head.cells.length : 0;
    if (!head || !t.tHead || !t.tHead.contains(head) || Array.from(head.cells).some((c) => c.tagName !== "TH"))
      problems.push(`tables: ${name} has no header row of <th> cells in <thead>`);
    else {
      Array.from(head.cells).forEach((c, k) => {
        if (c.getAttribute("scope") !== "col") problems.push(`tables: ${name}, header cell ${k + 1} has no scope="col"`);
        if (!c.textContent.trim()) problems.push(`tables: ${name}, header cell ${k + 1} is empty`);
      });
      rows.slice(1).forEach((r, k) => {
        if (r.cells.length > cols) problems.push(`tables: ${name}, row ${k + 1} has ${r.cells.length} cells under ${cols} column headers`);
      });
    }
    if (!t.caption || !t.caption.textContent.trim()) problems.push(`tables: ${name} has no <caption>`);
  });
  return { problems };
}

/* On a phone: the page and its tables fit the screen's width. */
function fits() {
  const problems = [];
  const w = document.documentElement.clientWidth;
  const sw = document.documentElement.scrollWidth;
  if (sw > w + 1) {
    const wide = Array.from(document.body.querySelectorAll("*")).filter((e) => e.getBoundingClientRect().right > w + 1)
      .filter((e) => !e.closest(".visually-hidden, .skip-link"))
      .slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).trim().replace(/\s+/g, ".") : ""));
    problems.push(`reflow: the page is ${sw}px wide on a ${w}px screen (scrolls sideways); too wide: ${wide.join(", ")}`);
  }
  document.querySelectorAll("table").forEach((t, i) => {
    const tw = t.getBoundingClientRect().width;
    if (tw > w + 1 || tw > t.parentElement.clientWidth + 1)
      problems.push(`tables: table ${i + 1} is ${Math.round(tw)}px wide on a ${w}px screen (read by scrolling sideways)`);
  });
  return problems;
}

/* The focused element: is it visible, ringed, and not under anything? */
function focusState() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : "") +
    (e.textContent.trim() ? ` "${e.textContent.trim().slice(0, 40)}"` : "");
  const rgba = (s) => { const m = s.match(/[\d.]+/g) || []; return m.map(Number).concat([1]).slice(0, 4); };
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  /* The ring: an outline on the element, or on an ancestor that draws one
     for the focus inside it (a card). */
  let ring = null;
  for (let e = el, depth = 0; e && e !== document.body && depth < 4; e = e.parentElement, depth++) {
    const s = getComputedStyle(e);
    if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && (e === el || e.matches(":focus-within"))) {
      const fg = rgba(s.outlineColor);
      /* an outline drawn outside the box sits on the parent's background */
      const bg = background(parseFloat(s.outlineOffset) >= 0 ? e.parentElement : e);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      ring = { on: describe(e), width: s.outlineWidth, contrast: (l1 + 0.05) / (l2 + 0.05) };
      break;
    }
  }
  /* a link that wraps over lines: its first line */
  const r = el.getClientRects()[0] || el.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  return {
    what: describe(el), inView, ring,
    covered: inView && hit && hit !== el && !el.contains(hit) ? describe(hit) : null
  };
}

/* ---- the tests ---- */

async function open(page, url, ready) {
  await page.goto(url);
  if (ready) await ready(page);
}

/* Tab from the top of the page: the skip link, then into <main>. */
async function skipLink(page) {
  const problems = [];
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => {
    const a = document.activeElement, r = a.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      tag: a.tagName, text: a.textContent.trim(), href: a.getAttribute("href"),
      visible: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && (hit === a || a.contains(hit))
    };
  });
  if (first.tag !== "A" || !/^#./.test(first.href || "") || !/skip/i.test(first.text))
    return [`skip-link: the first Tab focuses ${first.tag} ${JSON.stringify(first.text.slice(0, 40))}, not a "skip to content" link`];
  if (!first.visible) problems.push("skip-link: the skip link is not visible when focused");
  await page.keyboard.press("Enter");
  const target = first.href.slice(1);
  try {
    await until(page, `focus on #${target}`, (id) => document.activeElement && document.activeElement.id === id, target,
      () => `focus is on ${document.activeElement.tagName} ${document.activeElement.id}`);
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    return problems.concat([`skip-link: Enter on the skip link leaves focus on ${await page.evaluate(() => document.activeElement.tagName.toLowerCase())}, not #${target}`]);
  }
  const main = await page.evaluate(() => {
    const m = document.activeElement;
    return { isMain: m.tagName === "MAIN" || m.getAttribute("role") === "main", hasControls: !!m.querySelector("a[href], button, input, select, textarea, [tabindex='0']") };
  });
  if (!main.isMain) problems.push(`skip-link: #${target} is not the <main> element`);
  if (main.hasControls) {
    await page.keyboard.press("Tab");
    if (!(await page.evaluate((id) => document.getElementById(id).contains(document.activeElement), target)))
      problems.push(`skip-link: the Tab after the skip link focuses ${await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80))}, outside #${target}`);
  }
  return problems;
}

/* Tab through every control of the page, from the top. */
async function focusWalk(page) {
  const problems = [];
  await page.goto(page.url()); /* a fresh start: focus from the top of the document */
  let firstWhat = null;
  for (let i = 0; i < 1000; i++) {
    await page.keyboard.press("Tab");
    const s = await page.evaluate(focusState);
    if (!s || s.what === firstWhat) break;
    if (i === 0) firstWhat = s.what;
    const where = `focus: ${s.what}`;
    if (!s.inView) problems.push(`${where} is focused outside the screen`);
    else if (s.covered) problems.push(`${where} is hidden under ${s.covered} when focused`);
    if (!s.ring) problems.push(`${where} shows no focus ring (outline of 2px or more)`);
    else if (s.ring.contrast < 3) problems.push(`${where}: its focus ring on ${s.ring.on} has contrast ${s.ring.contrast.toFixed(2)}:1 (3:1 needed)`);
  }
  return problems;
}

/* A worker's tabs: a browser context and page for each view, made on first
   use and kept for the worker's next tests (a new context costs more than
   the checks on it). Every test starts by loading its page, which resets the
   document, focus and scroll; a test that throws gives up its tab, so the
   next one starts afresh. */
class Tabs {
  constructor(browser) { this.browser = browser; this.open = {}; }
  async get(view) {
    if (!this.open[view]) {
      const context = await this.browser.newContext(Object.assign({ reducedMotion: "reduce" }, VIEWS[view]));
      const page = await context.newPage();
      this.open[view] = { context, page, problems: watch(page) };
    }
    return this.open[view];
  }
  async drop(view) {
    const tab = this.open[view];
    delete this.open[view];
    if (tab) await tab.context.close().catch(() => {});
  }
  async close() { for (const view of Object.keys(this.open)) await this.drop(view); }
}

async function withPage(tabs, view, fn) {
  const tab = await tabs.get(view);
  const problems = tab.problems;
  problems.length = 0;
  let out;
  try {
    out = await fn(tab.page);
  } catch (e) {
    out = [`[${view}] ` + (e instanceof Failure ? e.message : (e.stack || String(e)))];
    await tabs.drop(view);
  }
  return out.concat(problems.splice(0).map((p) => `[${view}] ${p}`));
}

/* Every page: desktop, phone and dark phone. */
async function pageTest(tabs, origin, file) {
  const url = origin + file.replace(/(^|\/)index\.html$/, "$1");
  let details = await withPage(tabs, "desktop", async (page) => {
    await open(page, url);
    const out = await axe(page, "desktop");
    const s = await page.evaluate(structure);
    out.push(...s.problems);
    out.push(...await skipLink(page));
    out.push(...await focusWalk(page));
    return out;
  });
  for (const view of ["phone", "phone-dark"])
    details = details.concat(await withPage(tabs, view, async (page) => {
      await open(page, url);
      const out = await axe(page, view);
      if (view === "phone") out.push(...(await page.evaluate(fits)).map((p) => `[phone] ${p}`));
      return out;
    }));
  return [`a11y/${file}`, details];
}

/* The header search box with its suggestions open, an option active. */
async function comboboxTest(tabs, origin) {
  let details = [];
  for (const view of Object.keys(VIEWS))
    details = details.concat(await withPage(tabs, view, async (page) => {
      await open(page, origin);
      const input = page.locator("#site-search-q");
      await input.click();
      await input.pressSequentially("micro");
      await until(page, "the suggestions", () => {
        const i = document.getElementById("site-search-q"), l = i && document.getElementById(i.getAttribute("aria-controls"));
        return i.getAttribute("aria-expanded") === "true" && l && !l.hidden && l.querySelector("[role=option] .search-title");
      });
      await page.keyboard.press("ArrowDown");
      const out = await axe(page, view);
      const s = await page.evaluate(() => {
        const l = document.getElementById(document.getElementById("site-search-q").getAttribute("aria-controls"));
        const r = l.getBoundingClientRect();
        const active = l.querySelector("[aria-selected=true]");
        const st = active && getComputedStyle(active);
        return {
          left: r.left, right: r.right, width: document.documentElement.clientWidth,
          active: !!active, ringed: !!st && st.outlineStyle !== "none" && parseFloat(st.outlineWidth) >= 2
        };
      });
      if (s.left < 0 || s.right > s.width + 1) out.push(`[${view}] the list of suggestions (${Math.round(s.left)}px to ${Math.round(s.right)}px) does not fit the ${s.width}px screen`);
      if (!s.active) out.push(`[${view}] ArrowDown made no option active`);
      else if (!s.ringed) out.push(`[${view}] the active option has no outline`);
      return out;
    }));
  return ["a11y/search-combobox", details];
}

async function resultsTest(tabs, origin) {
  let details = [];
  for (const view of Object.keys(VIEWS))
    details = details.concat(await withPage(tabs, view, async (page) => {
      await open(page, origin + "search/?q=aftercare", (p) => until(p, "the results", () =>
        document.querySelector("#search-results .search-result")));
      const out = await axe(page, view);
      if (view === "desktop") out.push(...(await page.evaluate(structure)).problems);
      if (view === "phone") out.push(...(await page.evaluate(fits)).map((p) => `[phone] ${p}`));
      return out;
    }));
  return ["a11y/search-results", details];
}

/* A page as printed. */
async function printTest(tabs, origin, file, pdf) {
  const url = origin + file.replace(/(^|\/)index\.html$/, "$1");
  const details = await withPage(tabs, "desktop", async (page) => {
    await open(page, url);
    await page.emulateMedia({ media: "print" });
    const s = await page.evaluate(() => {
      const shown = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
      const hide = {
        "the site navigation": "nav[aria-label=Main]", "the search form": "header form[role=search]",
        "the breadcrumbs": "nav[aria-label=Breadcrumb]", "the contents": "nav.toc", "the skip link": ".skip-link",
        "the footer links": "footer nav"
      };
      const show = { "the title": "main h1", "the aftercare table": ".care-aftercare table", "the call-the-clinic box": ".call-provider" };
      const out = [];
      for (const [what, sel] of Object.entries(hide))
        document.querySelectorAll(sel).forEach((e) => { if (shown(e)) out.push(`print: ${what} (${sel}) is printed`); });
      for (const [what, sel] of Object.entries(show)) {
        const e = document.querySelector(sel);
        if (!e) continue;
        if (!shown(e)) { out.push(`print: ${what} (${sel}) is not printed`); continue; }
        for (const t of e.querySelectorAll("th, td, li, h2, p")) {
          const st = getComputedStyle(t);
          if (st.color !== "rgb(0, 0, 0)") { out.push(`print: text in ${what} is ${st.color}, not black`); break; }
        }
        for (let p = e; p; p = p.parentElement) {
          const bg = getComputedStyle(p).backgroundColor;
          if (!/^rgba\(\d+, \d+, \d+, 0\)$|^rgb\(255, 255, 255\)$/.test(bg)) { out.push(`print: ${what} is printed on ${bg}, not white`); break; }
        }
      }
      for (const [what, sel] of Object.entries({ "the aftercare box": ".care-aftercare", "the call-the-clinic box": ".call-provider" })) {
        const e = document.querySelector(sel);
        if (e && getComputedStyle(e).breakInside !== "avoid") out.push(`print: ${what} (${sel}) may be split across sheets (break-inside is ${getComputedStyle(e).breakInside})`);
      }
      if (!document.querySelector(".care-aftercare") && !document.querySelector(".call-provider")) out.push("print: the page has neither an aftercare table nor a call-the-clinic box");
      return out;
    });
    if (pdf) await page.pdf({ path: pdf, format: "A4", printBackground: true });
    await page.emulateMedia({ media: null });
    return s;
  });
  return [`a11y/print/${file}`, details];
}

(async () => {
  const files = htmlFiles(siteDir);
  const server = await serve(siteDir, "/", { "Content-Security-Policy": CSP });
  const origin = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  const workers = [];
  let failed = 0;
  try {
    if (files.length === 0) { console.log(`FAIL a11y/pages: no .html files under ${siteDir}`); failed++; }
    const printed = files.filter((f) => /class="(care care-aftercare|call-provider)"/.test(fs.readFileSync(path.join(siteDir, f), "utf8")));
    if (printed.length === 0) { console.log("FAIL a11y/print: no page has an aftercare table or a call-the-clinic box"); failed++; }
    const tabs = (w) => workers[w] || (workers[w] = new Tabs(browser));
    const tests = files.map((f) => (w) => pageTest(tabs(w), origin, f)).concat(
      [(w) => comboboxTest(tabs(w), origin), (w) => resultsTest(tabs(w), origin)],
      printed.map((f) => (w) => printTest(tabs(w), origin, f,
        path.join(outDir, "print-" + f.replace(/\/?index\.html$/, "").replace(/\//g, "-") + ".pdf"))));
    await inOrder(tests, JOBS, ([name, details]) => { if (!report(name, details)) failed++; });
  } finally {
    for (const t of workers) await t.close();
    await browser.close();
    server.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log("FAIL a11y: " + (e.stack || e).toString().replace(/\n/g, "\n    "));
  process.exit(1);
});
