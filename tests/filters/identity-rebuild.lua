-- identity-rebuild.lua: like identity.lua, but every function returns a
-- new table rebuilt from the node's fields, with its children read (and so
-- converted to Lua and back): the expensive path. Run by
-- tests/filters/identity.sh; the output must stay byte-identical.
local function rebuild(el)
  local copy = {}
  for k, v in pairs(el) do copy[k] = v end
  copy.children = el.children
  return copy
end

return {
  Document = rebuild,
  Heading = rebuild,
  Paragraph = rebuild,
  BlockQuote = rebuild,
  List = rebuild,
  Item = rebuild,
  CodeBlock = rebuild,
  HtmlBlock = rebuild,
  ThematicBreak = rebuild,
  Table = rebuild,
  TableRow = rebuild,
  TableCell = rebuild,
  FootnoteDefinition = rebuild,
  Div = rebuild,
  Text = rebuild,
  Emph = rebuild,
  Strong = rebuild,
  Strikethrough = rebuild,
  Link = rebuild,
  Image = rebuild,
  Code = rebuild,
  HtmlInline = rebuild,
  SoftBreak = rebuild,
  LineBreak = rebuild,
  FootnoteReference = rebuild,
}
