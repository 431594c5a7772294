/* clinicgen search: the search box on every page and the results page.

   The index is plain JavaScript files under search/ (see src/search_index.h),
   loaded with <script> elements, so search works on any host and from
   file://. A query loads search/meta.js once, then only the term files its
   words need (t-HEX.js: terms by their first two characters) and the record
   files of the results it shows (r-K.js).

   A query is read like the index was written: words folded (lower case,
   Latin accents dropped) and stemmed (stem.js, the same Snowball stemmer).
   Each word is a slot; a record scores the sum, over slots, of its best
   score among the slot's terms:
     - the word's stem;
     - for the word being typed, terms it starts, and the stem of what it
       will likely become ("microneedlin" -> "microneedl");
     - two words typed apart, joined ("micro needling" -> "microneedl");
     - a synonym group's term when the words are one of its phrases;
     - when nothing matches, terms one edit away ("micronedling").
   Records matching more slots come first. Results are shown as text, never
   as HTML. Needs stem.js loaded first. */
(function () {
  "use strict";
  var stem = window.clinicgenStem;
  var here = document.currentScript;
  if (!stem || !here) return;
  var root = here.src.replace(/js\/[^\/]*$/, ""); /* the site's root, from this file's URL */
  var base = root + "search/";
  var fromDisk = location.protocol === "file:";
  var meta = null, terms = {}, records = {}, loading = {}, waiting = [];

  /* ---- loading index files ---- */

  window.clinicgenSearch = {
    meta: function (m) { meta = m; m.has = {}; m.keys.forEach(function (k) { m.has[k] = 1; }); done(); },
    terms: function (key, t) { terms[key] = t; done(); },
    records: function (k, list) { /* a section after its page's record leaves out */
      list.forEach(function (rec, i) { /* the page's title and URL: see search_index.h */
        if (i && rec[1] === "") {
          rec[1] = list[i - 1][1];
          rec[0] = list[i - 1][0].split("#")[0] + rec[0];
        }
      });
      records[k] = list;
      done();
    }
  };
  function done() {
    var w = waiting;
    waiting = [];
    w.forEach(function (f) { f(); });
  }
  function load(name) {
    if (loading[name]) return;
    loading[name] = 1;
    var s = document.createElement("script");
    s.src = base + name;
    s.onerror = function () { loading[name] = 2; done(); };
    document.head.appendChild(s);
  }
  /* Calls f once every file ready() asks for has come (or failed). */
  function when(ready, f) {
    if (ready()) f();
    else waiting.push(function () { when(ready, f); });
  }

  /* ---- reading a query ---- */

  var FOLD = { "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th", "ð": "d", "đ": "d", "ħ": "h", "ł": "l",
    "ı": "i", "ĸ": "k", "ŋ": "n", "ŧ": "t", "ø": "o", "ŀ": "l", "ŉ": "n", "ſ": "s" };
  function fold(text) {
    return text.toLowerCase().replace(/[\u2019]/g, "'").replace(/[æœßþðđħłıĸŋŧøŀŉſ]/g, function (c) {
      return FOLD[c];
    }).normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  function words(text) {
    return (fold(text).match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) || []);
  }
  function keyOf(term) { return Array.from(term).slice(0, 2).join(""); }
  function hex(key) {
    return Array.from(new TextEncoder().encode(key), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }
  function shard(term) {
    var k = keyOf(term);
    return meta.has[k] ? terms[k] : null;
  }
  function shardName(term) { return "t-" + hex(keyOf(term)) + ".js"; }

  /* The slots of a query: [{word, stems: [terms], last}] */
  function slots(query) {
    var ws = words(query), open = !/\s$/.test(query);
    var out = ws.map(function (w, i) {
      return { word: w, terms: [stem(w)], last: open && i === ws.length - 1 };
    });
    for (var i = 0; i + 1 < out.length; i++) { /* "micro needling" */
      var joined = stem(out[i].word + out[i + 1].word);
      out[i].terms.push(joined);
      out[i + 1].terms.push(joined);
    }
    meta.syn.forEach(function (group, g) {
      group.forEach(function (phrase) {
        for (var i = 0; i + phrase.length <= out.length; i++) {
          var k = 0;
          while (k < phrase.length && out[i + k].terms[0] === phrase[k]) k++;
          if (k === phrase.length)
            for (k = 0; k < phrase.length; k++) out[i + k].terms.push("~" + g);
        }
      });
    });
    return out;
  }

  function oneEdit(a, b) { /* true when b is a, with one letter added, dropped or changed */
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0, j = 0, edits = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { i++; j++; continue; }
      if (++edits > 1) return false;
      if (a.length > b.length) i++;
      else if (b.length > a.length) j++;
      else { i++; j++; }
    }
    return edits + (a.length - i) + (b.length - j) <= 1;
  }

  /* Adds the terms a slot can only know of once its shard is in. */
  function widen(slot) {
    var t = shard(slot.terms[0]) || {}, found = slot.terms.some(function (x) {
      var s = shard(x);
      return s && s[x];
    });
    Object.keys(t).forEach(function (term) {
      if (slot.last && slot.word.length >= 2 &&
          (term.indexOf(slot.word) === 0 || term.indexOf(slot.terms[0]) === 0 ||
           (term.length >= 4 && term.length >= slot.word.length - 3 && slot.word.indexOf(term) === 0)))
        slot.terms.push(term);
      else if (!found && slot.word.length >= 4 && oneEdit(slot.terms[0], term))
        slot.terms.push(term);
    });
  }

  /* Records by slots matched, then score: [{r, slots, points}] */
  function score(list) {
    var total = {};
    list.forEach(function (slot) {
      var best = {};
      slot.terms.forEach(function (term) {
        var s = shard(term), p = s && s[term];
        for (var i = 0, r = 0; p && i < p.length; i += 2) {
          r += p[i];
          if (!(best[r] >= p[i + 1])) best[r] = p[i + 1];
        }
      });
      Object.keys(best).forEach(function (r) {
        var t = total[r] || (total[r] = [0, 0]);
        t[0]++;
        t[1] += best[r];
      });
    });
    return Object.keys(total).map(function (r) {
      return { r: Number(r), slots: total[r][0], points: total[r][1] };
    }).sort(byRank);
  }
  function byRank(a, b) { return b.slots - a.slots || b.points - a.points || a.r - b.r; }

  /* A record named by the query itself (its heading, or its page's title
     for the page's own record) is what the patient asked for: "microneedling"
     puts the page titled "Microneedling" before "Microneedling: questions
     and answers". Points grow with the share of the name's words queried. */
  function boostNamed(hit, name, list) {
    var ws = words(name), queried = 0;
    ws.forEach(function (w) {
      var t = stem(w);
      if (list.some(function (slot) { return slot.terms.indexOf(t) >= 0; })) queried++;
    });
    if (ws.length) hit.points *= 1 + queried / ws.length;
  }

  /* Runs query; calls show(results, slots, total) with the best max records,
     each {url, title, heading, excerpt}, and the number that match. Only
     the record files of those max are loaded, so a caller asks for what it
     shows. */
  function search(query, max, show) {
    load("meta.js");
    when(function () { return meta || loading["meta.js"] === 2; }, function () {
      if (!meta) return show(null, [], 0);
      var list = slots(query);
      list.forEach(function (slot) {
        slot.terms.forEach(function (t) { if (meta.has[keyOf(t)]) load(shardName(t)); });
      });
      when(function () {
        return list.every(function (slot) {
          return slot.terms.every(function (t) { return !meta.has[keyOf(t)] || terms[keyOf(t)] || loading[shardName(t)] === 2; });
        });
      }, function () {
        list.forEach(widen);
        var matched = score(list), ranked = matched.slice(0, max);
        ranked.forEach(function (hit) { load("r-" + Math.floor(hit.r / meta.per) + ".js"); });
        when(function () {
          return ranked.every(function (hit) {
            var k = Math.floor(hit.r / meta.per);
            return records[k] || loading["r-" + k + ".js"] === 2;
          });
        }, function () {
          ranked.forEach(function (hit) {
            hit.rec = (records[Math.floor(hit.r / meta.per)] || [])[hit.r % meta.per] || ["", "", "", ""];
            boostNamed(hit, hit.rec[2] || hit.rec[1], list);
          });
          show(ranked.sort(byRank).map(function (hit) {
            var rec = hit.rec;
            return { url: pageUrl(rec[0]), title: rec[1], heading: rec[2], excerpt: rec[3] };
          }).filter(function (x) { return x.title; }), list, matched.length);
        });
      });
    });
  }

  /* A page's URL from its path below the root. From disk (file://) a
     folder does not open its index.html, so it is named. */
  function pageUrl(path) {
    if (!fromDisk) return root + path;
    var cut = path.search(/[?#]|$/), dir = path.slice(0, cut);
    return root + dir + (dir === "" || dir.slice(-1) === "/" ? "index.html" : "") + path.slice(cut);
  }

  /* ---- showing results (as text, never as HTML) ---- */

  var SUGGESTIONS = 8, RESULTS_PAGE = 50;
  function count(n) { return n + (n === 1 ? " result" : " results"); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  /* The excerpt with the words the query matched in <mark>. */
  function excerpt(text, list) {
    var p = el("span", "search-excerpt"), parts = text.split(/([\p{L}\p{N}']+)/u);
    parts.forEach(function (part, i) {
      var w = i % 2 ? fold(part) : "", s = w && stem(w), hit = w && list.some(function (slot) {
        return slot.terms.indexOf(s) >= 0 || (slot.last && w.indexOf(slot.word) === 0);
      });
      p.appendChild(hit ? el("mark", null, part) : document.createTextNode(part));
    });
    return p;
  }
  function label(r, list) {
    var box = el("span");
    box.appendChild(el("span", "search-title", r.heading ? r.title + " \u203a " + r.heading : r.title));
    if (r.excerpt) box.appendChild(excerpt(r.excerpt, list));
    return box;
  }

  /* ---- the search box: the ARIA combobox pattern ---- */

  function combobox(form) {
    var input = form.querySelector("input[type=search]"), id = input.id + "-list";
    var listbox = el("ul", "search-options"), live = el("p", "visually-hidden");
    var shown = [], active = -1, seq = 0;
    listbox.id = id;
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Search suggestions");
    listbox.hidden = true;
    live.setAttribute("role", "status");
    form.appendChild(listbox);
    form.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function select(i) {
      var items = listbox.children;
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && items[i]) {
        items[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function render(results, list, total) {
      listbox.textContent = "";
      shown = (results || []).slice(0, SUGGESTIONS);
      shown.forEach(function (r, i) {
        var li = el("li", "search-option");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(label(r, list));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); location.href = r.url; });
        listbox.appendChild(li);
      });
      var all = el("li", "search-option search-all", results && results.length
        ? "See all results for \u201c" + input.value.trim() + "\u201d"
        : "No pages match \u201c" + input.value.trim() + "\u201d: see the search page");
      all.id = id + "-all";
      all.setAttribute("role", "option");
      all.setAttribute("aria-selected", "false");
      all.addEventListener("mousedown", function (e) { e.preventDefault(); form.submit(); });
      listbox.appendChild(all);
      shown.push(null);
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = results && results.length ? count(total) : "No results";
      active = -1;
    }
    input.addEventListener("input", function () {
      var q = input.value, mine = ++seq;
      if (!words(q).length || q.trim().length < 2) return close(); /* "a" would match everything */
      search(q, SUGGESTIONS, function (results, list, total) {
        if (mine === seq) render(results, list, total);
      });
    });
    input.addEventListener("keydown", function (e) {
      var open = !listbox.hidden, n = listbox.children.length;
      if (e.key === "ArrowDown" && open) { e.preventDefault(); select((active + 1) % n); }
      else if (e.key === "ArrowUp" && open) { e.preventDefault(); select(active <= 0 ? n - 1 : active - 1); }
      else if (e.key === "Escape") { /* closes the list; only a second Escape empties the box */
        if (open) { e.preventDefault(); close(); } else input.value = "";
      }
      else if (e.key === "Enter" && open && active >= 0) {
        e.preventDefault();
        if (shown[active]) location.href = shown[active].url;
        else form.submit();
      }
    });
    input.addEventListener("blur", close);
  }

  /* ---- the results page ---- */

  function resultsPage(box) {
    var q = (new URLSearchParams(location.search).get("q") || "").trim();
    var input = document.getElementById("search-page-q");
    if (input) input.value = q;
    if (!q) return;
    box.textContent = "Searching\u2026";
    search(q, RESULTS_PAGE, function (results, list, total) {
      box.textContent = "";
      var head = el("p", "search-count", results && results.length
        ? count(total) + " for \u201c" + q + "\u201d" +
          (total > results.length ? "; the best " + results.length + " are listed" : "")
        : "No pages match \u201c" + q + "\u201d. Try fewer or other words, or browse the pages below.");
      head.setAttribute("role", "status");
      box.appendChild(head);
      var ol = el("ol", "search-results"), pages = {};
      (results || []).forEach(function (r) { /* sections under their page */
        var page = r.url.split("#")[0], group = pages[page];
        if (!group) {
          group = pages[page] = el("li", "search-result");
          var h = el("h2");
          var a = el("a", null, r.title);
          a.href = page;
          h.appendChild(a);
          group.appendChild(h);
          group.list = el("ul");
          group.appendChild(group.list);
          ol.appendChild(group);
        }
        var li = el("li"), link = el("a", null, r.heading || r.title);
        link.href = r.url;
        li.appendChild(link);
        if (r.excerpt) li.appendChild(el("br"));
        if (r.excerpt) li.appendChild(excerpt(r.excerpt, list));
        group.list.appendChild(li);
      });
      box.appendChild(ol);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.site-search"), combobox);
  var box = document.getElementById("search-results");
  if (box) resultsPage(box);
})();
