"use strict";
/* Browser tests: search shows what writers wrote as text, never as HTML.
   tests/browser/run.sh builds the hostile test site (tests/hostile/site/)
   and runs this script on it.

   usage: node hostile-search.js DIR
   The site is served without a Content-Security-Policy, on purpose: under
   the CSP an injected handler would be blocked anyway, and this test must
   see what the search UI itself does with a title like
   <img src=x onerror=alert(1)>. Prints "ok browser/hostile/TEST" or "FAIL
   ...":
     suggestions   typing "zebrafish" lists the page titled
                   <img src=x onerror=alert(1)> with that title as text: no
                   element made from it, no dialog, no handler run
     results-page  search/?q=zebrafish lists it as text too (the group
                   heading and its link)
     markup-words  "onerror" lists every page whose title or text holds
                   markup (front matter, Markdown, filters): none of the
                   results and suggestions holds an element other than the
                   UI's own (span, mark, li, a, h2, ul, ol, p, br)
   Each test also fails on any console error, uncaught error, failed request
   or HTTP error on the pages it visited. */

const { launch, serve, Failure, check, eq, until, report, watch } = require("./lib");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node hostile-search.js DIR");
  process.exit(2);
}

const TITLE = "<img src=x onerror=alert(1)>";

/* What the listbox or results box holds: its text, and every element in it
   that the search UI does not make. */
function contents(selector) {
  const box = document.querySelector(selector);
  if (!box) return null;
  const ui = ["SPAN", "MARK", "LI", "A", "H2", "UL", "OL", "P", "BR"];
  return {
    text: box.textContent,
    titles: Array.from(box.querySelectorAll(".search-title, h2 a"), (e) => e.textContent),
    foreign: Array.from(box.querySelectorAll("*"), (e) => e.tagName).filter((t) => !ui.includes(t)),
    handlers: Array.from(box.querySelectorAll("*")).filter((e) =>
      Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length
  };
}

async function typeQuery(page, query) {
  const input = page.locator("#site-search-q");
  await input.click();
  await input.pressSequentially(query);
  await until(page, `the listbox for "${query}"`, (q) => {
    const list = document.querySelector(".search-options");
    return list && !list.hidden && list.lastElementChild &&
      list.lastElementChild.textContent.includes("\u201c" + q + "\u201d");
  }, query);
  return page.evaluate(contents, ".search-options");
}

function noMarkup(c, where) {
  check(c, `${where}: not found`);
  eq(c.foreign.join(","), "", `${where}: elements made from what writers wrote`);
  eq(c.handlers, 0, `${where}: elements with event-handler attributes`);
}

const tests = {
  async suggestions(page, origin) {
    await page.goto(origin + "/");
    const c = await typeQuery(page, "zebrafish");
    noMarkup(c, "the suggestions");
    check(c.titles.includes(TITLE), `the suggestion titles ${JSON.stringify(c.titles)} do not show ${TITLE} as text`);
  },

  async "results-page"(page, origin) {
    await page.goto(origin + "/search/?q=zebrafish");
    await until(page, "the results", () => {
      const box = document.getElementById("search-results");
      return box && box.querySelector(".search-count");
    });
    const c = await page.evaluate(contents, "#search-results");
    noMarkup(c, "the results page");
    check(c.titles.includes(TITLE), `the result headings ${JSON.stringify(c.titles)} do not show ${TITLE} as text`);
    check(c.text.includes(TITLE), "the results do not show the title as text");
  },

  async "markup-words"(page, origin) {
    await page.goto(origin + "/");
    const c = await typeQuery(page, "onerror");
    noMarkup(c, "the suggestions for onerror");
    check(c.titles.length >= 3, `expected several pages with markup in their titles, got ${JSON.stringify(c.titles)}`);
    await page.goto(origin + "/search/?q=onerror%20script%20alert");
    await until(page, "the results", () => document.querySelector("#search-results .search-count"));
    noMarkup(await page.evaluate(contents, "#search-results"), "the results for onerror script alert");
  }
};

(async () => {
  const browser = await launch();
  const server = await serve(dir, "/");
  const origin = `http://127.0.0.1:${server.address().port}`;
  let failed = 0;
  try {
    for (const [name, fn] of Object.entries(tests)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = watch(page);
      /* every payload calls alert(): a handler that ran opens a dialog (and
         an <img src=x> made from a title fails its request, which watch sees) */
      page.on("dialog", (d) => { problems.push(`a writer's script ran: alert(${d.message()})`); d.dismiss().catch(() => {}); });
      let error = null;
      try {
        await fn(page, origin);
      } catch (e) {
        error = e instanceof Failure ? e.message : (e.stack || String(e));
      }
      await context.close();
      if (!report(`browser/hostile/${name}`, (error ? [error] : []).concat(problems))) failed++;
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log("FAIL browser/hostile: " + (e.stack || e).toString().replace(/\n/g, "\n    "));
  process.exit(1);
});
