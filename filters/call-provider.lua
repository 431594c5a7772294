-- filters/call-provider.lua: the "Call the clinic if" warning box.
--
-- Front matter:
--
--   call_provider_if:
--     - "Blisters"
--     - "Signs of infection: pus, spreading redness, fever, or pain that gets worse"
--
-- becomes an aside (class "call-provider", labelled by its heading for screen
-- readers) holding, in this order:
--
--   ## Call the clinic if
--   - one item per sign (Markdown, so emphasis and links keep working)
--   If you cannot reach us and you feel very unwell, call emergency services.
--
-- Where it goes: at a fenced code block whose info string is `call-provider`
-- (the box brings its own heading: do not write one above the fence);
-- without one, at the end of the article, before the footnotes. The fence
-- may add signs, one per line ("- " in front is allowed):
--
--   ```call-provider
--   - A rash that spreads
--   ```

local FENCE = "call-provider"
local TITLE = "Call the clinic if"
local CLASS = "call-provider"
local EMERGENCY = "If you cannot reach us and you feel very unwell, call emergency services."

-- ---- helpers (each shipped filter carries its own: filters cannot require) ----
-- (inlines and page_line come with the engine: see docs/filters.md)

local function trim(s)
  local first, last = s:byte(1), s:byte(-1)
  if first and first > 32 and last > 32 then return s end -- the usual case: nothing to trim
  return s:match("^%s*(.*%S)") or "" -- linear: "(.-)%s*$" backtracks on long text
end

-- The first word of a code block's info string: "call-provider".
local function fence_name(info)
  return (info or ""):match("^%s*(%S+)")
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

-- ---- signs ----

-- The signs in the page's front matter (none if it has no call_provider_if).
local function signs_from_front_matter()
  local list = page.call_provider_if
  if list == nil then return {} end
  if not is_list(list) then
    log.error("call_provider_if must be a list of warning signs", page_line("call_provider_if"))
    return {}
  end
  local signs = {}
  for i, sign in ipairs(list) do
    if type(sign) == "number" then sign = tostring(sign) end
    if type(sign) ~= "string" or trim(sign) == "" then
      log.error(("call_provider_if: sign %d must be text"):format(i), page_line("call_provider_if", i))
    else
      signs[#signs + 1] = trim(sign)
    end
  end
  return signs
end

-- Signs written inside the fence, one per line, with or without "- ".
local function signs_from_fence(text, signs)
  for line in text:gmatch("[^\n]+") do
    local sign = trim(trim(line):gsub("^[-*+]%s+", "", 1))
    if sign ~= "" then signs[#signs + 1] = sign end
  end
  return signs
end

-- The box: Heading, List of signs, Paragraph, in an aside.
local function build_box(signs)
  local items = {}
  for i, sign in ipairs(signs) do
    items[i] = Item({ Paragraph(inlines(sign)) })
  end
  return Div({
    Heading(2, TITLE),
    List(items, false, 1, true),
    Paragraph(EMERGENCY),
  }, CLASS, "aside")
end

-- The placeholder is found by a CodeBlock function, so only code blocks are
-- ever converted to Lua; the Document function touches the page only when
-- there was no placeholder and the table has to be added at the end.
local placed = false

return {
  CodeBlock = function(el)
    if fence_name(el.info) ~= FENCE then return nil end
    if placed then
      log.warn(("more than one ```%s block: only the first gets the box, the others were removed")
        :format(FENCE))
      return {}
    end
    placed = true
    local rows = signs_from_front_matter()
    signs_from_fence(el.text, rows)
    if #rows == 0 then
      log.warn(("the page has no call_provider_if signs, so its ```%s block was removed"):format(FENCE))
      return {}
    end
    return build_box(rows)
  end,

  Document = function(doc)
    if placed then return nil end
    local rows = signs_from_front_matter()
    if #rows == 0 then return nil end
    append(doc.children, build_box(rows))
    return doc
  end,
}
