/* clinicgen "clinic" theme: tables that read well on a phone.

   Each data cell of a table with a header row gets its column's name in
   data-label, and the table the class "stack": below 37.5em style.css then
   shows each row as a block, every cell under its column's name, instead
   of a table that has to be scrolled sideways. The table keeps explicit
   table roles, so screen readers still read it as a table whatever its CSS
   display.

   A table still wider than its column (many columns on a wider screen)
   scrolls sideways in its wrapper: the wrapper is then made a named region
   that takes keyboard focus, so it can be scrolled with the arrow keys.

   Without JavaScript, every table simply scrolls sideways. */
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };

  each(document.querySelectorAll("table"), function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var labels = Array.prototype.map.call(head.cells, function (c) { return c.textContent.trim(); });
    table.setAttribute("role", "table");
    each(table.querySelectorAll("thead, tbody, tfoot"), function (g) { g.setAttribute("role", "rowgroup"); });
    each(table.rows, function (row) {
      row.setAttribute("role", "row");
      each(row.cells, function (cell, i) {
        if (cell.tagName === "TH")
          cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
        else {
          cell.setAttribute("role", "cell");
          if (labels[i]) cell.setAttribute("data-label", labels[i]);
        }
      });
    });
    table.classList.add("stack");
  });

  /* The name of a table's region: its caption, the heading that labels
     its section, or the nearest heading before it. */
  function name(wrap) {
    var table = wrap.querySelector("table"), el;
    if (table && table.caption) return table.caption.textContent.trim();
    var labelled = wrap.closest("[aria-labelledby]");
    el = labelled && document.getElementById(labelled.getAttribute("aria-labelledby"));
    if (el) return el.textContent.trim();
    for (el = wrap; el && el !== document.body; el = el.previousElementSibling || el.parentElement)
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
    return "";
  }

  var wraps = document.querySelectorAll(".table-wrap");
  function update() {
    each(wraps, function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (wrap.hasAttribute("tabindex")) return;
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", ("Table " + name(wrap)).trim() + " (scrolls sideways)");
      } else if (wrap.hasAttribute("tabindex")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
