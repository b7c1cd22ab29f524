-- wrk script for scripts/loadtest.sh: GET /api/deadlines?limit=50 with a bearer token
-- (WRK_TOKEN). Prints the same RESULT line as wrk-cases.lua.
local token = os.getenv("WRK_TOKEN") or error("WRK_TOKEN not set")
local path = os.getenv("WRK_PATH") or "/api/deadlines?limit=50"
local headers = { ["Authorization"] = "Bearer " .. token }

function request()
  return wrk.format("GET", path, headers)
end

dofile(os.getenv("WRK_COMMON") or "scripts/wrk-common.lua")
