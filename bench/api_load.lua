-- wrk script of bench/api_load.py: a partner paging through the creator directory.
--
-- Each answer's `next` cursor is queued and a later request follows it, so most requests are
-- deeper pages; every RESTART-th request of a thread (and any request when no cursor is queued)
-- starts again at the first page. wrk gives response() no handle on the request it answers, so
-- the cursors are a per-thread queue (a thread's connections share one Lua state).
-- done() prints one line, "OLIVE_WRK {json}", with the figures wrk's text output lacks: p95,
-- the answers by status code and how many requests were first pages or cursor pages.

local RESTART = 10
local KEEP = 32 -- queued cursors at most (the oldest are dropped)

local first_page = wrk.path
local queue, head, tail = {}, 1, 0
local sent = 0
first, deep = 0, 0
statuses = {}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  sent = sent + 1
  local path = first_page
  if sent % RESTART ~= 0 and head <= tail then
    path = queue[head]
    queue[head] = nil
    head = head + 1
    deep = deep + 1
  else
    first = first + 1
  end
  return wrk.format(nil, path)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status ~= 200 then
    return
  end
  local next_url = body:match('"next":"(.-)"')
  if next_url then
    tail = tail + 1
    queue[tail] = next_url:match("^https?://[^/]+(/.*)$") or next_url
    if tail - head >= KEEP then
      queue[head] = nil
      head = head + 1
    end
  end
end

function done(summary, latency, requests)
  local counts, firsts, deeps = {}, 0, 0
  for _, thread in ipairs(threads) do
    firsts = firsts + thread:get("first")
    deeps = deeps + thread:get("deep")
    for code, n in pairs(thread:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'OLIVE_WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "first_pages": %d, "cursor_pages": %d, "statuses": {%s}, ' ..
    '"socket": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, firsts, deeps, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout, e.status))
end
