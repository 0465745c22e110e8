-- GET of the URL given to wrk (path and query), with the bearer token. Used by the baseline (/health),
-- the narrow and broad lists and include=subject.
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
wrk.headers["Authorization"] = common.get_headers["Authorization"]
