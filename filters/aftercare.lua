-- filters/aftercare.lua: the aftercare timeline table.
--
-- Front matter:
--
--   aftercare:
--     - when: "First 24 hours"
--       do: "Clean the skin gently."
--       avoid: "Make-up, and exercise that makes you *sweat*."
--
-- becomes a table When | Do | Avoid, one row per entry in the writer's order.
-- Cell text is Markdown, so emphasis and links keep working; any of the three
-- may be left out (the cell stays empty).
--
-- Where it goes: at a fenced code block whose info string is `aftercare` (the
-- box is labelled by the heading written above the fence). Without such a
-- block, a section "Aftercare" is added at the end of the article,
-- before the footnotes. The fence may add rows, one per line:
--
--   ```aftercare
--   After 4 weeks | Book your review visit. |
--   ```
--
-- (when | do | avoid; cells may be left empty, the last may hold "|").

local FENCE = "aftercare"
local TITLE = "Aftercare"
local CLASS = "care care-aftercare"
local COLUMNS = { "when", "do", "avoid" } -- the keys, in column order

-- ---- helpers (each shipped filter carries its own: filters cannot require) ----
-- (inlines and page_line come with the engine: see docs/filters.md)

local function trim(s)
  local first, last = s:byte(1), s:byte(-1)
  if first and first > 32 and last > 32 then return s end -- the usual case: nothing to trim
  return s:match("^%s*(.*%S)") or "" -- linear: "(.-)%s*$" backtracks on long text
end

-- The first word of a code block's info string: "aftercare".
local function fence_name(info)
  return (info or ""):match("^%s*(%S+)")
end

-- A front matter scalar as text; nil for a missing value, false for a wrong type.
local function text_of(v)
  if v == nil then return nil end
  if type(v) == "string" then return trim(v) end
  if type(v) == "number" then return tostring(v) end
  return false
end

-- True for a Lua list (a YAML sequence), false for a map or a scalar.
local function is_list(v)
  if type(v) ~= "table" then return false end
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
  end
  return true
end

-- Add a block at the end of the document, before the footnote definitions.
local function append(blocks, block)
  local at = #blocks + 1
  while at > 1 and blocks[at - 1].t == "FootnoteDefinition" do at = at - 1 end
  table.insert(blocks, at, block)
end

-- ---- rows ----

-- A row {when, do, avoid} from front matter entry i, or nil after logging
-- what the writer must fix.
local function row_from_entry(entry, i)
  if type(entry) ~= "table" or is_list(entry) then
    log.error(("aftercare step %d must be {when, do, avoid}"):format(i), page_line("aftercare", i))
    return nil
  end
  local row, empty = {}, true
  for key, value in pairs(entry) do
    local text = text_of(value)
    if key ~= "when" and key ~= "do" and key ~= "avoid" then
      log.error(("aftercare step %d: unknown key '%s' (use when, do and avoid)"):format(i, tostring(key)),
        page_line("aftercare", i, key))
      return nil
    elseif text == false then
      log.error(("aftercare step %d: %s must be text"):format(i, key), page_line("aftercare", i, key))
      return nil
    end
    row[key] = text
    empty = empty and (text == nil or text == "")
  end
  if empty then
    log.error(("aftercare step %d is empty: give when, do or avoid"):format(i), page_line("aftercare", i))
    return nil
  end
  return row
end

-- Rows from the page's front matter (none if it has no aftercare).
local function rows_from_front_matter()
  local list = page.aftercare
  if list == nil then return {} end
  if not is_list(list) then
    log.error("aftercare must be a list of {when, do, avoid}", page_line("aftercare"))
    return {}
  end
  local rows = {}
  for i, entry in ipairs(list) do
    rows[#rows + 1] = row_from_entry(entry, i)
  end
  return rows
end

-- Rows written inside the fence: "when | do | avoid".
local function rows_from_fence(text, rows)
  for line in text:gmatch("[^\n]+") do
    line = trim(line)
    if line ~= "" then
      local when, todo, avoid = line:match("^([^|]*)|?([^|]*)|?(.*)$")
      rows[#rows + 1] = { when = trim(when), ["do"] = trim(todo), avoid = trim(avoid) }
    end
  end
  return rows
end

local function build_table(rows)
  local body = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for c, key in ipairs(COLUMNS) do cells[c] = inlines(row[key]) end
    body[#body + 1] = cells
  end
  return SimpleTable({ "When", "Do", "Avoid" }, body)
end

-- The placeholder is found by a CodeBlock function, so only code blocks are
-- ever converted to Lua; the Document function touches the page only when
-- there was no placeholder and the table has to be added at the end.
local placed = false

return {
  CodeBlock = function(el)
    if fence_name(el.info) ~= FENCE then return nil end
    if placed then
      log.warn(("more than one ```%s block: only the first gets the table, the others were removed")
        :format(FENCE))
      return {}
    end
    placed = true
    local rows = rows_from_front_matter()
    rows_from_fence(el.text, rows)
    if #rows == 0 then
      log.warn(("the page has no aftercare steps, so its ```%s block was removed"):format(FENCE))
      return {}
    end
    return Div({ build_table(rows) }, CLASS, "section")
  end,

  Document = function(doc)
    if placed then return nil end
    local rows = rows_from_front_matter()
    if #rows == 0 then return nil end
    append(doc.children, Div({ Heading(2, TITLE), build_table(rows) }, CLASS, "section"))
    return doc
  end,
}
