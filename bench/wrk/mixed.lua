-- Warm-up: a mix of every scenario's request (health, narrow, broad, random page, include=subject, upsert).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local first_id = common.env_number("BENCH_TE_FIRST", 1)
local last_id = common.env_number("BENCH_TE_LAST", 1000)
local counter = 0
local tag = ""
local base = "/api/v1/external_references?subject_type="

setup = common.setup
function init(args)
   common.seed()
   tag = string.format("warm-%d-%d", thread_id or 0, os.time() % 100000)
end

function request()
   counter = counter + 1
   local pick = counter % 8
   if pick == 0 then
      return wrk.format("GET", "/health", common.get_headers, nil)
   elseif pick == 1 then
      return wrk.format("GET", base .. "TimeEntry&status=failed&service_name=jira", common.get_headers, nil)
   elseif pick == 2 then
      return wrk.format("GET", base .. "TimeEntry", common.get_headers, nil)
   elseif pick == 3 or pick == 4 then
      return wrk.format("GET", base .. "TimeEntry&per_page=20&page=" .. math.random(1, 500), common.get_headers, nil)
   elseif pick == 5 then
      return wrk.format("GET", base .. "TimeEntry&status=failed&service_name=jira&include=subject", common.get_headers, nil)
   elseif pick == 6 then
      -- Large pages of another type (not Workspace: the full walk must not find its pages warmed up).
      return wrk.format("GET", base .. "Story&per_page=200&page=" .. math.random(1, 100), common.get_headers, nil)
   else
      local subject = math.random(first_id, last_id)
      local service = (counter % 16 == 7) and "jira" or string.format("svc-%s-%d", tag, counter)
      local body = string.format(
         '{"external_reference":{"subject_type":"TimeEntry","subject_id":%d,"service_name":"%s","service_model":"Issue",' ..
         '"service_model_ref":"WARM-%d","status":"pending"}}', subject, service, counter)
      return wrk.format("POST", "/api/v1/external_references/create_or_update", common.post_headers, body)
   end
end
