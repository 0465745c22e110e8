-- POST create_or_update on random keys: half update an existing reference (a random TimeEntry subject of
-- account 1 with one of the four generated service names), half create one (a random TimeEntry subject
-- with a new, unique service_name).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local first_id = common.env_number("BENCH_TE_FIRST", 1)
local last_id = common.env_number("BENCH_TE_LAST", 1000)
local services = { "jira", "quickbooks", "salesforce", "netsuite" }
local models = { jira = "Issue", quickbooks = "TimeActivity", salesforce = "Opportunity", netsuite = "Transaction" }
local statuses = { "successful", "successful", "successful", "successful", "pending", "failed" }
local counter = 0
local tag = ""

setup = common.setup
function init(args)
   common.seed()
   tag = string.format("%d-%d", thread_id or 0, os.time() % 100000)
end

function request()
   counter = counter + 1
   local subject = math.random(first_id, last_id)
   local service, model
   if math.random() < 0.5 then
      service = services[math.random(1, 4)]
      model = models[service]
   else
      service = string.format("svc-%s-%d-%d", tag, counter, math.random(1, 1000000000))
      model = "Record"
   end
   local status = statuses[math.random(1, #statuses)]
   local body = string.format(
      '{"external_reference":{"subject_type":"TimeEntry","subject_id":%d,"service_name":"%s","service_model":"%s",' ..
      '"service_model_ref":"BENCH-%d-%d","status":"%s","external_status":"bench","external_link":"https://example.com/r/%d"}}',
      subject, service, model, subject, counter, status, counter)
   return wrk.format("POST", "/api/v1/external_references/create_or_update", common.post_headers, body)
end
