-- Posting: every request a new comment with a text no other request in the run has,
-- spread over many threads. Arguments after the URL: kind ("talkback" or "isso"), site,
-- number of threads, a tag unique to the run, origin.
local sentences = {
  "The council should publish the borehole data before the review starts.",
  "I live on Marsh Lane and the sandbags arrived a day late last winter.",
  "A second review is sensible if the clay really is softer than assumed.",
  "Thanks for covering this, the agenda papers were hard to find.",
  "Who pays for the maintenance once the barrier is finished?",
  "The map in the second section finally makes the route clear.",
  "Our street flooded twice in ten years, so this matters to us.",
  "Good to see the costs broken down per household for once.",
}
local kind, site, thread_count, tag
local counter = 0
statuses = {}

function init(args)
  kind, site, thread_count, tag = args[1], args[2], tonumber(args[3]), args[4]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Origin"] = args[5]
end

function request()
  counter = counter + 1
  local uri = "%2Fbench%2Fpost-" .. ((counter * 7 + id) % thread_count)
  local text = string.format("%s (%s, reader %d, comment %d)",
    sentences[counter % #sentences + 1], tag, id, counter)
  local author = string.format("Reader %d-%d", id, counter % 50)
  local path, body
  if kind == "talkback" then
    path = "/api/v1/" .. site .. "/comments?uri=" .. uri
    body = string.format('{"text":"%s","author_name":"%s"}', text, author)
  else
    path = "/new?uri=" .. uri
    body = string.format('{"text":"%s","author":"%s"}', text, author)
  end
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
