#!/usr/bin/env node
/* jsonld-check.js SITE_DIR: the structured data of every generated page.
   Prints "ok demo/jsonld" or "FAIL demo/jsonld" with each page's problems:
   - every page but 404.html has exactly one JSON-LD block, which parses;
   - it holds a MedicalWebPage with url, name, inLanguage and audience
     Patient; a page written by a writer (not a listing) also has
     lastReviewed and reviewedBy when its front matter has them (the
     demo's written pages all do, so they are required there);
   - a procedure page (procedures/X/) holds a MedicalTherapy with
     howPerformed, preparation, followup and at least one contraindication,
     each a MedicalContraindication with a name;
   - an FAQ page (faq/X/) holds an FAQPage whose questions match the page's
     h2 headings, each with an answer. */
"use strict";
const fs = require("fs");
const path = require("path");

const site = process.argv[2];
if (!site) { console.error("usage: jsonld-check.js SITE_DIR"); process.exit(2); }

function htmlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "search" ? [] : htmlFiles(p);
    return e.name.endsWith(".html") ? [p] : [];
  });
}

const decode = (s) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
  .replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/<[^>]*>/g, "").trim();

function checkPage(rel, html) {
  const problems = [];
  const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
  if (rel === "404.html") return blocks.length ? ["the 404 page has structured data"] : [];
  if (blocks.length !== 1) return [`${blocks.length} JSON-LD blocks, expected 1`];
  let data;
  try { data = JSON.parse(blocks[0][1]); } catch (e) { return [`does not parse: ${e.message}`]; }
  const graph = data["@graph"] || [];
  const find = (type) => graph.find((x) => x["@type"] === type);
  if (data["@context"] !== "https://schema.org") problems.push("no schema.org @context");
  const page = find("MedicalWebPage");
  if (!page) return problems.concat("no MedicalWebPage");
  for (const k of ["url", "name", "inLanguage"]) if (!page[k]) problems.push(`MedicalWebPage has no ${k}`);
  if (page.audience !== "https://schema.org/Patient") problems.push("audience is not Patient");
  const listing = /^(index\.html|[^/]+\/index\.html|tags\/.*|concerns\/index\.html|a-z\/.*|search\/.*)$/.test(rel);
  if (!listing || rel === "about/index.html") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(page.lastReviewed || "")) problems.push("no lastReviewed date");
    if (!(page.reviewedBy && page.reviewedBy.jobTitle)) problems.push("no reviewedBy");
  }
  if (/^procedures\/[^/]+\/index\.html$/.test(rel)) {
    const t = find("MedicalTherapy");
    if (!t) problems.push("a procedure page without MedicalTherapy");
    else {
      for (const k of ["howPerformed", "preparation", "followup"]) if (!t[k]) problems.push(`MedicalTherapy has no ${k}`);
      const c = t.contraindication || [];
      if (!c.length) problems.push("MedicalTherapy has no contraindication");
      if (c.some((x) => x["@type"] !== "MedicalContraindication" || !x.name)) problems.push("a contraindication without a name");
    }
  }
  if (/^faq\/[^/]+\/index\.html$/.test(rel)) {
    const f = find("FAQPage");
    const h2s = [...html.matchAll(/<h2 id="[^"]*">([\s\S]*?)<\/h2>/g)].map((m) => decode(m[1]));
    const asked = (f && f.mainEntity || []).map((q) => q.name);
    if (!f) problems.push("an FAQ page without FAQPage");
    else if (JSON.stringify(asked) !== JSON.stringify(h2s.filter((h) => asked.includes(h)))
             || asked.length < h2s.length - 1)
      problems.push(`questions ${JSON.stringify(asked)} do not match the page's headings ${JSON.stringify(h2s)}`);
    if (f && f.mainEntity.some((q) => !(q.acceptedAnswer && q.acceptedAnswer.text))) problems.push("a question without an answer");
  }
  return problems;
}

/* One line for the whole site, so a page count does not inflate the tests. */
const counts = { pages: 0, procedures: 0, faqs: 0 };
const failures = [];
for (const file of htmlFiles(site).sort()) {
  const rel = path.relative(site, file).split(path.sep).join("/");
  counts.pages++;
  counts.procedures += /^procedures\/[^/]+\/index\.html$/.test(rel);
  counts.faqs += /^faq\/[^/]+\/index\.html$/.test(rel);
  checkPage(rel, fs.readFileSync(file, "utf8")).forEach((p) => failures.push(`${rel}: ${p}`));
}
const what = `${counts.pages} pages, ${counts.procedures} procedures, ${counts.faqs} FAQ pages`;
if (failures.length) {
  console.log(`FAIL demo/jsonld (${what})`);
  failures.forEach((f) => console.log(`    ${f}`));
  process.exit(1);
}
console.log(`ok demo/jsonld (${what})`);
