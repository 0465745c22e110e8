-- A random page of the broad TimeEntry list, per_page=20: page uniform in 1..BENCH_MAX_PAGE (default 500).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local max_page = common.env_number("BENCH_MAX_PAGE", 500)
local subject_type = os.getenv("BENCH_SUBJECT_TYPE") or "TimeEntry"

setup = common.setup
function init(args) common.seed() end

function request()
   local page = math.random(1, max_page)
   return wrk.format("GET", "/api/v1/external_references?subject_type=" .. subject_type .. "&per_page=20&page=" .. page,
      common.get_headers, nil)
end
