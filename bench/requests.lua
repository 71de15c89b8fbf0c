-- wrk script: replay a list of prepared requests round-robin and print one JSON summary line.
--
-- BENCH_REQUESTS names a file with one request per line, tab-separated:
--   METHOD <TAB> PATH <TAB> COOKIE <TAB> BODY [<TAB> IF-NONE-MATCH]
-- (COOKIE and BODY may be empty; IF-NONE-MATCH, a returning browser's ETag, may be left off). Each wrk thread starts at a different line, so
-- connections spread over the sessions (drafts) the file holds.

local requests = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  for line in io.lines(path) do
    local f = split(line)
    local headers = {}
    if f[3] ~= nil and f[3] ~= "" then
      headers["Cookie"] = f[3]
    end
    if f[5] ~= nil and f[5] ~= "" then
      headers["If-None-Match"] = f[5]
    end
    local body = nil
    if f[4] ~= nil and f[4] ~= "" then
      body = f[4]
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    table.insert(requests, wrk.format(f[1], f[2], headers, body))
  end
  next_index = ((offset or 1) * 7) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, requests_made)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, '
      .. '"mean_ms": %.3f, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  ))
end
