-- One fixed request, repeated: the thread pages and the counts.
-- Arguments after the URL: method, body ("" for none), then header lines "Name: value".
-- No response() callback: wrk then skips per-response Lua work, and reports any status
-- outside 2xx/3xx as an error, which compare.py treats as a failed run.
function init(args)
  wrk.method = args[1]
  if args[2] ~= "" then
    wrk.body = args[2]
  end
  for i = 3, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end
