-- wrk script for bench/mix_bench.sh: each connection walks the paths of a
-- file (bench/make_mix.py), one per request, from its own starting point,
-- and prints one JSON line of results at the end (bytes per second too).
--   wrk ... -s bench/mix.lua URL -- PATHS_FILE
local paths = {}
local next_index = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  -- Threads start at different places, so they do not ask the same thing together.
  next_index = ((id or 1) - 1) * math.floor(#paths / 7) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes_per_second":%.0f,"bytes_per_response":%.0f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"socket_errors":%d,"non_2xx":%d}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes / seconds,
    summary.bytes / math.max(summary.requests, 1),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
