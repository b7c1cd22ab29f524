-- Shared by the wrk scripts of scripts/loadtest.sh: prints one summary line
--   RESULT p50_ms=… p95_ms=… p99_ms=… max_ms=… rps=… requests=… errors=…
-- (latency percentiles in milliseconds; errors = socket errors + non-2xx responses).
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format(
    "RESULT p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f rps=%.0f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / secs, summary.requests, errors))
end
