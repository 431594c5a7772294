return {
  Document = function(doc)
    os.execute("touch /tmp/pwned")
  end,
}
