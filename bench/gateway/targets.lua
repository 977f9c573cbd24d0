-- wrk script: cycle through the run's targets (one path and bearer token per user), count every status, and print
-- the measured latencies as JSON when the run ends.
--
--   wrk -t1 -cN -dS --latency -s targets.lua URL -- TARGETS_FILE
--
-- TARGETS_FILE holds one "path<TAB>token" line per user ("-" for no token).
-- (statuses is global so that done(), in the main Lua state, can read it from each thread with thread:get)

local targets = {}
local next_target = 1
statuses = {}

function init(args)
  for line in io.lines(args[1]) do
    local path, token = line:match("^(.-)\t(.*)$")
    local headers = {}
    if token ~= "-" then
      headers["Authorization"] = "Bearer " .. token
    end
    targets[#targets + 1] = wrk.format("GET", path, headers)
  end
end

function request()
  local prepared = targets[next_target]
  next_target = next_target % #targets + 1
  return prepared
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local parts = {}
  for _, p in ipairs({50, 90, 99, 99.9}) do
    parts[#parts + 1] = string.format('"%s": %.3f', tostring(p), latency:percentile(p) / 1000)
  end
  parts[#parts + 1] = string.format('"max": %.3f', latency.max / 1000)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counted[#counted + 1] = string.format('"%d": %d', status, count)
    end
  end
  io.write(string.format(
    'MATHREEL-RESULT {"requests": %d, "duration_s": %.6f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "status": %d}, "statuses": {%s}, "latency_ms": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, table.concat(counted, ", "), table.concat(parts, ", ")))
end
