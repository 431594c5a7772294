-- filters/aftercare.lua: the care timelines, before and after a procedure.
--
-- Front matter:
--
--   preparation:
--     - when: "1 week before"
--       do: "Stop retinoids and exfoliating acids."
--   aftercare:
--     - when: "First 24 hours"
--       do: "Clean the skin gently."
--       avoid: "Make-up, and exercise that makes you *sweat*."
--
-- `preparation` becomes a table When | What to do and `aftercare` a table
-- When | Do | Avoid, one row per entry in the writer's order. Cell text is
-- Markdown, so emphasis and links keep working; any cell may be left out
-- (it stays empty).
--
-- Where each goes: at a fenced code block whose info string is the key
-- (`preparation`, `aftercare`; the box is labelled by the heading written
-- above the fence). Without such a block, a section ("Before your
-- appointment", "Aftercare") is added at the end of the article, before the
-- footnotes. The fence may add rows, one per line, cells split by "|":
--
--   ```aftercare
--   After 4 weeks | Book your review visit. |
--   ```

local TIMELINES = {
  { key = "preparation", title = "Before your appointment", class = "care care-preparation",
    columns = { "when", "do" }, headers = { "When", "What to do" },
    caption = "Getting ready, step by step" },
  { key = "aftercare", title = "Aftercare", class = "care care-aftercare",
    columns = { "when", "do", "avoid" }, headers = { "When", "Do", "Avoid" },
    caption = "Looking after your skin, step by step" },
}
local BY_KEY = {}
for _, t in ipairs(TIMELINES) do BY_KEY[t.key] = t end

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

local function column_list(tl)
  return table.concat(tl.columns, ", ")
end

-- A row from front matter entry i of timeline tl, or nil after logging what
-- the writer must fix.
local function row_from_entry(tl, entry, i)
  local key = tl.key
  if type(entry) ~= "table" or is_list(entry) then
    log.error(("%s step %d must be {%s}"):format(key, i, column_list(tl)), page_line(key, i))
    return nil
  end
  local row, empty = {}, true
  for name, value in pairs(entry) do
    local text = text_of(value)
    local known = false
    for _, c in ipairs(tl.columns) do known = known or c == name end
    if not known then
      log.error(("%s step %d: unknown key '%s' (use %s)"):format(key, i, tostring(name), column_list(tl)),
        page_line(key, i, name))
      return nil
    elseif text == false then
      log.error(("%s step %d: %s must be text"):format(key, i, name), page_line(key, i, name))
      return nil
    end
    row[name] = text
    empty = empty and (text == nil or text == "")
  end
  if empty then
    log.error(("%s step %d is empty: give %s"):format(key, i, column_list(tl)), page_line(key, i))
    return nil
  end
  return row
end

-- Rows from the page's front matter (none if the page has no such list).
local function rows_from_front_matter(tl)
  local list = page[tl.key]
  if list == nil then return {} end
  if not is_list(list) then
    log.error(("%s must be a list of {%s}"):format(tl.key, column_list(tl)), page_line(tl.key))
    return {}
  end
  local rows = {}
  for i, entry in ipairs(list) do
    rows[#rows + 1] = row_from_entry(tl, entry, i)
  end
  return rows
end

-- Rows written inside the fence, one per line, cells split by "|" (the last
-- cell takes the rest of the line).
local function rows_from_fence(tl, text, rows)
  local n = #tl.columns
  for line in text:gmatch("[^\n]+") do
    line = trim(line)
    if line ~= "" then
      local row, rest = {}, line
      for c = 1, n do
        local cell, after = rest, ""
        if c < n then cell, after = rest:match("^([^|]*)|?(.*)$") end
        row[tl.columns[c]] = trim(cell)
        rest = after
      end
      rows[#rows + 1] = row
    end
  end
  return rows
end

local function build_table(tl, rows)
  local body = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for c, key in ipairs(tl.columns) do cells[c] = inlines(row[key]) end
    body[#body + 1] = cells
  end
  return SimpleTable(tl.headers, body, nil, tl.caption)
end

-- The placeholders are found by a CodeBlock function, so only code blocks
-- are ever converted to Lua; the Document function touches the page only
-- when a timeline had no placeholder and has to be added at the end.
local placed = {}

return {
  CodeBlock = function(el)
    local tl = BY_KEY[fence_name(el.info) or ""]
    if not tl then return nil end
    if placed[tl.key] then
      log.warn(("more than one ```%s block: only the first gets the table, the others were removed")
        :format(tl.key))
      return {}
    end
    placed[tl.key] = true
    local rows = rows_from_front_matter(tl)
    rows_from_fence(tl, el.text, rows)
    if #rows == 0 then
      log.warn(("the page has no %s steps, so its ```%s block was removed"):format(tl.key, tl.key))
      return {}
    end
    return Div({ build_table(tl, rows) }, tl.class, "section")
  end,

  Document = function(doc)
    local changed = false
    for _, tl in ipairs(TIMELINES) do
      local rows = placed[tl.key] and {} or rows_from_front_matter(tl)
      if #rows > 0 then
        append(doc.children, Div({ Heading(2, tl.title), build_table(tl, rows) }, tl.class, "section"))
        changed = true
      end
    end
    return changed and doc or nil
  end,
}
