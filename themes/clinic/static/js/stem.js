/* clinicgen search: a port of the Snowball "english" (Porter2) stemmer.
   It must give exactly the output of libstemmer 2.2.0, which stems the
   search index at build time; tests/search/stem-check.sh compares the two.
   Snowball counts characters, not UTF-16 units, and never deletes a
   non-ASCII one, so astral characters stand in as one placeholder each. */
(function (root) {
  "use strict";
  // Whole-word exceptions, checked before anything else.
  var EX = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie",
    idly: "idl", gently: "gentl", ugly: "ugli", early: "earli", only: "onli",
    singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
    cosmos: "cosmos", bias: "bias", andes: "andes"
  };
  var S2 = {
    tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent",
    izer: "ize", ization: "ize", ational: "ate", ation: "ate", ator: "ate",
    alism: "al", aliti: "al", alli: "al", fulness: "ful", ousli: "ous",
    ousness: "ous", iveness: "ive", iviti: "ive", biliti: "ble", bli: "ble",
    ogi: "og", fulli: "ful", lessli: "less", li: ""
  };
  var S3 = {
    tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic",
    ical: "ic", ful: "", ness: "", ative: ""
  };
  // Snowball's "among" takes the longest suffix that matches; a regex
  // (a|b|...)$ does the same because it matches at the leftmost position.
  // If that suffix fails its condition, shorter ones are not tried.
  function suffixes(map) {
    var k, a = [];
    for (k in map) a.push(k);
    return new RegExp("(" + a.join("|") + ")$");
  }
  var RE2 = suffixes(S2), RE3 = suffixes(S3),
    RE4 = /(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ism|ate|iti|ous|ive|ize|ion)$/;

  // "y" counts as a vowel; "Y" (a consonant y, see the prelude) does not.
  function isV(c) { return /^[aeiouy]$/.test(c); }

  // Does w end in a short syllable?
  function shortv(w) {
    var n = w.length;
    return n === 2 ? isV(w.charAt(0)) && !isV(w.charAt(1)) :
      !isV(w.charAt(n - 3)) && isV(w.charAt(n - 2)) && !/[aeiouywxY]/.test(w.charAt(n - 1));
  }

  // Start of the region after the first non-vowel that follows a vowel.
  function region(w, from) {
    var m = /[aeiouy][^aeiouy]/.exec(w.slice(from));
    return m ? from + m.index + 2 : w.length;
  }

  function stem(word) {
    var w = String(word), astral = [], yFound, p1, p2, m, i, s;
    if (EX.hasOwnProperty(w)) return EX[w];
    w = w.replace(/[\ud800-\udbff][\udc00-\udfff]|\udc00/g, function (c) {
      astral.push(c);
      return "\udc00";
    });
    if (w.length < 3) return word;

    // Prelude: drop one leading apostrophe; mark y as a consonant ("Y")
    // at the start and after a vowel.
    s = w.replace(/^'/, "");
    w = s.replace(/^y/, "Y").replace(/([aeiouy])y/g, "$1Y");
    yFound = w !== s;

    // R1 starts after these prefixes, or else as usual; R2 is R1 of R1.
    m = /^(gener|commun|arsen)/.exec(w);
    p1 = m ? m[1].length : region(w, 0);
    p2 = region(w, p1);

    // Step 1a: possessives, then plurals.
    w = w.replace(/'(s'?)?$/, "");
    if (/sses$/.test(w)) w = w.slice(0, -2);
    // -ied, -ies: "i" after two or more letters (cries), else "ie" (ties).
    else if ((m = /ie[ds]$/.exec(w))) w = w.slice(0, m.index) + (m.index > 1 ? "i" : "ie");
    // A plain -s goes only if a vowel comes before the letter preceding it.
    else if (/[^us]s$/.test(w) && /[aeiouy]/.test(w.slice(0, -2))) w = w.slice(0, -1);

    if (!/^(inning|outing|canning|herring|earring|proceed|exceed|succeed)$/.test(w)) {
      // Step 1b: -eed(ly) becomes -ee in R1; -ed(ly), -ing(ly) go if a
      // vowel precedes, then hop(p)ing -> hop, luxuriat(ed) -> luxuriate,
      // and a short word ending in a short syllable gets its e back.
      if ((m = /(eed|eedly|ed|edly|ing|ingly)$/.exec(w))) {
        i = m.index;
        if (/^ee/.test(m[1])) {
          if (i >= p1) w = w.slice(0, i) + "ee";
        } else if (/[aeiouy]/.test(w.slice(0, i))) {
          w = w.slice(0, i);
          if (/(at|bl|iz)$/.test(w)) w += "e";
          else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
          else if (w.length === p1 && shortv(w)) w += "e";
        }
      }
      // Step 1c: y after a consonant that is not the first letter.
      if (w.length > 2 && /[^aeiouy][yY]$/.test(w)) w = w.slice(0, -1) + "i";

      // Steps 2 and 3: the suffix must lie in R1.
      if ((m = RE2.exec(w)) && (i = m.index) >= p1) {
        s = m[1];
        if (s === "ogi" ? w.charAt(i - 1) === "l" :
            s !== "li" || /[cdeghkmnrt]/.test(w.charAt(i - 1))) w = w.slice(0, i) + S2[s];
      }
      if ((m = RE3.exec(w)) && (i = m.index) >= p1 && (m[1] !== "ative" || i >= p2)) {
        w = w.slice(0, i) + S3[m[1]];
      }
      // Step 4: the suffix must lie in R2; -ion only after s or t.
      if ((m = RE4.exec(w)) && (i = m.index) >= p2 &&
          (m[1] !== "ion" || /[st]/.test(w.charAt(i - 1)))) w = w.slice(0, i);

      // Step 5: final e in R2, or in R1 unless after a short syllable;
      // the second l of a final ll in R2.
      i = w.length - 1;
      if (/e$/.test(w)) {
        if (i >= p2 || (i >= p1 && !shortv(w.slice(0, i)))) w = w.slice(0, i);
      } else if (/ll$/.test(w) && i >= p2) w = w.slice(0, i);
    }

    if (yFound) w = w.replace(/Y/g, "y");
    return w.replace(/\udc00/g, function () { return astral.shift(); });
  }

  root.clinicgenStem = stem;
  if (typeof module !== "undefined" && module.exports) module.exports = stem;
})(typeof window !== "undefined" ? window : this);
