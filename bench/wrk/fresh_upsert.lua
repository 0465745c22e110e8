-- The "fresh" scenario's writes (issue 14): POST create_or_update on random keys over TimeEntry subjects 1-5,000
-- and 8 service names (svc0-svc7), so a 16 s run on an empty database creates about 17,600 references and
-- updates some; statuses as in upsert.lua.
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local statuses = { "successful", "successful", "successful", "successful", "pending", "failed" }
local counter = 0

setup = common.setup
function init(args)
   common.seed()
end

function request()
   counter = counter + 1
   local subject = math.random(1, 5000)
   local service = string.format("svc%d", math.random(0, 7))
   local status = statuses[math.random(1, #statuses)]
   local body = string.format(
      '{"external_reference":{"subject_type":"TimeEntry","subject_id":%d,"service_name":"%s","service_model":"Record",' ..
      '"service_model_ref":"FRESH-%d","status":"%s","external_status":"bench","external_link":"https://example.com/f/%d"}}',
      subject, service, counter, status, counter)
   return wrk.format("POST", "/api/v1/external_references/create_or_update", common.post_headers, body)
end
