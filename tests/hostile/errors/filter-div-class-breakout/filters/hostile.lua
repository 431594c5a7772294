return { Paragraph = function(el) return Div({el}, "x\" onclick=\"alert(1)") end }
