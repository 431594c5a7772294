return { Paragraph = function(el) return Heading(7, "x") end }
