-- identity.lua: a function for every node type in docs/filters.md, each
-- returning its node unchanged. Run by tests/filters/identity.sh: a page
-- rendered through this filter must come out byte-identical. Returning the
-- node (rather than nil) makes the engine convert every node back from Lua
-- (reusing the children it never read).
local function same(el) return el end

return {
  Document = same,
  Heading = same,
  Paragraph = same,
  BlockQuote = same,
  List = same,
  Item = same,
  CodeBlock = same,
  HtmlBlock = same,
  ThematicBreak = same,
  Table = same,
  TableRow = same,
  TableCell = same,
  FootnoteDefinition = same,
  Div = same,
  Text = same,
  Emph = same,
  Strong = same,
  Strikethrough = same,
  Link = same,
  Image = same,
  Code = same,
  HtmlInline = same,
  SoftBreak = same,
  LineBreak = same,
  FootnoteReference = same,
}
