-- a filter with a bug
return {
  Heading = function(el)
    local missing = nil
    return missing.level
  end,
}
