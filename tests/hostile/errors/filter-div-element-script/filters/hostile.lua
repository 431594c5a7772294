return { Paragraph = function(el) return Div({el}, "x", "script") end }
