-- filters/contraindications.lua: the "who should not have this procedure" table.
--
-- Front matter:
--
--   contraindications:
--     - ref: blood-thinners              # an entry of content/_data/conditions.yaml
--     - ref: pregnancy-breastfeeding
--       note: "Wait until you have stopped breastfeeding."   # a field beside ref
--                                        # replaces the catalogue's on this page
--     - condition: "Sensitive skin"      # or written out on the page
--       severity: relative               # absolute or relative
--       note: "Mention it at your *consultation*."
--
-- The table (Condition | Absolute or relative | What to do) lists the absolute
-- rows first, then the relative ones, each group in the writer's order. Cell
-- text is Markdown, so emphasis and links keep working.
--
-- Where it goes: at a fenced code block whose info string is
-- `contraindications` (the box is labelled by the heading written above the
-- fence). Without such a block, a section "Who should not have this
-- procedure" is added at the end of the article, before the footnotes.
-- The fence may add rows, one per line:
--
--   ```contraindications
--   Recent sunburn in the area | absolute | Wait until it has fully healed.
--   ```
--
-- (condition | absolute or relative | note; the note may be left out and may
-- itself hold "|"; blank lines are skipped).

local FENCE = "contraindications"
local TITLE = "Who should not have this procedure"
local CLASS = "care care-contraindications"
local CATALOGUE = "content/_data/conditions.yaml"
local FIELDS = { condition = true, severity = true, note = true }

-- The words patients see for each severity, absolute first (the table's order).
local SEVERITIES = { "absolute", "relative" }
local SEVERITY_WORDS = {
  absolute = { "Absolute", ": do not have this procedure while this applies" },
  relative = { "Relative", ": ask your provider first" },
}

-- ---- helpers (each shipped filter carries its own: filters cannot require) ----
-- (inlines and page_line come with the engine: see docs/filters.md)

local function trim(s)
  local first, last = s:byte(1), s:byte(-1)
  if first and first > 32 and last > 32 then return s end -- the usual case: nothing to trim
  return s:match("^%s*(.*%S)") or "" -- linear: "(.-)%s*$" backtracks on long text
end

-- The first word of a code block's info string: "contraindications".
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

-- A row {condition, severity, note} from front matter entry i, or nil after
-- logging what the writer must fix.
local function row_from_entry(entry, i)
  if type(entry) ~= "table" or is_list(entry) then
    log.error(("contraindication %d must be {ref: id} or {condition, severity, note}"):format(i),
      page_line("contraindications", i))
    return nil
  end
  local row, from_catalogue = {}, {}

  if entry.ref ~= nil then
    local id = text_of(entry.ref)
    if not id then -- a list or a map: no id to look up, nor to show
      log.error(("contraindication %d: ref must be the id of an entry of %s, as text"):format(i, CATALOGUE),
        page_line("contraindications", i, "ref"))
      return nil
    end
    local data = site.data and site.data.conditions
    local known = id and type(data) == "table" and data[id]
    if type(known) ~= "table" then
      log.error(("unknown contraindication '%s': not in %s"):format(tostring(entry.ref), CATALOGUE),
        page_line("contraindications", i, "ref"))
      return nil
    end
    for field in pairs(FIELDS) do
      row[field] = text_of(known[field])
      from_catalogue[field] = true
    end
  end

  for key, value in pairs(entry) do
    if FIELDS[key] then
      row[key] = text_of(value)
      from_catalogue[key] = nil
      if row[key] == false then
        log.error(("contraindication %d: %s must be text"):format(i, key),
          page_line("contraindications", i, key))
        return nil
      end
    elseif key ~= "ref" then
      log.error(("contraindication %d: unknown key '%s' (use ref, or condition, severity and note)")
        :format(i, tostring(key)), page_line("contraindications", i, key))
      return nil
    end
  end

  -- the line to point at, worked out only when there is something to report
  local function where()
    return from_catalogue.condition and page_line("contraindications", i, "ref")
      or page_line("contraindications", i, "condition")
  end
  if not row.condition or row.condition == "" then
    log.error(("contraindication %d has no condition"):format(i), where())
    return nil
  end

  local severity = row.severity and row.severity:lower()
  if severity ~= "absolute" and severity ~= "relative" then
    local said = row.severity and ("'" .. row.severity .. "'") or "none"
    if from_catalogue.severity then
      log.error(("contraindication '%s' in %s has severity %s: it must be absolute or relative")
        :format(tostring(entry.ref), CATALOGUE, said), page_line("contraindications", i, "ref"))
    else
      log.error(("contraindication '%s' has severity %s: write severity: absolute or severity: relative")
        :format(row.condition, said), page_line("contraindications", i, "severity") or where())
    end
    return nil
  end
  row.severity = severity
  return row
end

-- Rows from the page's front matter (none if it has no contraindications).
local function rows_from_front_matter()
  local list = page.contraindications
  if list == nil then return {} end
  if not is_list(list) then
    log.error("contraindications must be a list of {ref: id} or {condition, severity, note}",
      page_line("contraindications"))
    return {}
  end
  local rows = {}
  for i, entry in ipairs(list) do
    rows[#rows + 1] = row_from_entry(entry, i)
  end
  return rows
end

-- Rows written inside the fence: "condition | absolute or relative | note".
local function rows_from_fence(text, rows)
  for line in text:gmatch("[^\n]+") do
    line = trim(line)
    local condition, severity, note = line:match("^([^|]*)|([^|]*)|?(.*)$")
    severity = severity and trim(severity):lower()
    if line == "" then
      -- blank line: nothing to add
    elseif not condition or trim(condition) == ""
        or (severity ~= "absolute" and severity ~= "relative") then
      log.error(("```%s block: cannot read the line '%s'; write: condition | absolute or relative | note")
        :format(FENCE, line))
    else
      rows[#rows + 1] = { condition = trim(condition), severity = severity, note = trim(note) }
    end
  end
  return rows
end

-- The table: absolute rows first, each group in the writers' order.
local function build_table(rows)
  local body = {}
  for _, severity in ipairs(SEVERITIES) do
    for _, row in ipairs(rows) do
      if row.severity == severity then
        local words = SEVERITY_WORDS[severity]
        body[#body + 1] = {
          inlines(row.condition),
          { Strong(words[1]), words[2] },
          inlines(row.note),
        }
      end
    end
  end
  return SimpleTable({ "Condition", "Absolute or relative", "What to do" }, body, nil,
    "Conditions that rule out this procedure or mean it must wait")
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
      log.warn(("the page lists no contraindications, so its ```%s block was removed"):format(FENCE))
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
