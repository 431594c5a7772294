return {
  Paragraph = function(el)
    while true do end
  end,
}
