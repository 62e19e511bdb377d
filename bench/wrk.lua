-- wrk script for bench/run.sh: prints one JSON line of results at the end.
-- With the arguments `spread PREFIX N SUFFIX`, each request asks for
-- PREFIX<random number in 1..N>SUFFIX instead of the command line's URL: a
-- detail benchmark reads ids spread over the whole set, and a search one
-- (PREFIX ending in `search=`) asks for a term nobody asked for before.
local spread, prefix, n, suffix

function init(args)
  if args[1] == "spread" then
    spread, prefix, n, suffix = true, args[2], tonumber(args[3]), args[4] or ""
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  end
end

function request()
  if spread then
    return wrk.format("GET", prefix .. math.random(1, n) .. suffix)
  end
  return wrk.request()
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes_per_response":%.0f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"socket_errors":%d,"non_2xx":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    summary.bytes / math.max(summary.requests, 1),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
