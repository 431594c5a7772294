return { Paragraph = function(el) return Paragraph{Image("x", "data:text/html,<script>alert(1)</script>")} end }
