return { Paragraph = function(el) return Paragraph{Link("click", "javascript:alert(1)")} end }
