-- A filter author trying to put script into every page (filters are not
-- trusted either). Each value carries a marker run.sh looks for.
return {
  Document = function(doc)
    local c = doc.children
    c[#c + 1] = HtmlBlock("<script>alert('xssfilterhtmlblock')</script>")
    c[#c + 1] = Paragraph{HtmlInline("<img src=x onerror=alert('xssfilterhtmlinline')>"),
      Text("<script>alert('xssfiltertext')</script>")}
    c[#c + 1] = CodeBlock("x", "\"><img/src=x/onerror=alert('xssfilterinfo')>")
    c[#c + 1] = Heading(2, "<img src=x onerror=alert('xssfilterheading')>")
    c[#c + 1] = Paragraph{Link("xssfilterlinktext", "/", "\" onclick=\"alert('xssfilterlinktitle')")}
    c[#c + 1] = SimpleTable({"<script>alert('xssfiltercell')</script>"}, {{"x"}}, nil,
      "<img src=x onerror=alert('xssfiltercaption')>")
    return doc
  end,
}
