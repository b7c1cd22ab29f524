-- wrk script for scripts/loadtest.sh: GET /api/cases/{id} with a random case id per
-- request, authenticated with a bearer token. Environment:
--   WRK_TOKEN    the bearer token (required)
--   WRK_IDS      file with one case id per line (required)
-- Prints p50/p95/p99 (ms) and requests/s in a line loadtest.sh parses.
local token = os.getenv("WRK_TOKEN") or error("WRK_TOKEN not set")
local ids_file = os.getenv("WRK_IDS") or error("WRK_IDS not set")

local ids = {}
for line in io.lines(ids_file) do
  if #line > 0 then ids[#ids + 1] = line end
end
if #ids == 0 then error("no case ids in " .. ids_file) end

local headers = { ["Authorization"] = "Bearer " .. token }
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("seed", thread_no)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)], headers)
end

dofile(os.getenv("WRK_COMMON") or "scripts/wrk-common.lua")
