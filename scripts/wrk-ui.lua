-- wrk script for scripts/loadtest-ui.sh: the web application's pages as logged-in users.
-- Every request carries the session cookie of one of the users (chosen at random per
-- request), so the server sees many users' sessions, not one. Environment:
--   WRK_COOKIES  file with one session cookie value per line (required)
--   WRK_PAGE     "todo" (GET /, Att göra) or "case" (GET /arenden/{id}, random id)
--   WRK_IDS      file with one case id per line (required for "case")
--   WRK_THINK_MS think time between one connection's requests in ms (0: back to back);
--                wrk does not count the pause in the latency
local function lines(path)
  local t = {}
  for line in io.lines(path) do
    if #line > 0 then t[#t + 1] = line end
  end
  return t
end

local cookies = lines(os.getenv("WRK_COOKIES") or error("WRK_COOKIES not set"))
if #cookies == 0 then error("no session cookies") end
local page = os.getenv("WRK_PAGE") or "todo"
local ids = {}
if page == "case" then
  ids = lines(os.getenv("WRK_IDS") or error("WRK_IDS not set"))
  if #ids == 0 then error("no case ids") end
end
local think = tonumber(os.getenv("WRK_THINK_MS") or "0")
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("seed", thread_no)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local headers = { ["Cookie"] = "skyndsam_session=" .. cookies[math.random(#cookies)] }
  local path = "/"
  if page == "case" then path = "/arenden/" .. ids[math.random(#ids)] end
  return wrk.format("GET", path, headers)
end

if think > 0 then
  function delay()
    -- uniform 0.5–1.5 × think, so the users do not march in step
    return math.floor(think * (0.5 + math.random()))
  end
end

dofile(os.getenv("WRK_COMMON") or "scripts/wrk-common.lua")
