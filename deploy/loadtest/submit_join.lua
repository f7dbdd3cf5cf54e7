-- Submit, then join: each connection alternates POST /jobs and GET /jobs/{id}/join?timeout=... for the job it
-- just submitted, like a client that starts a thread and then joins it.
--   wrk -t2 -c64 -d30s -s deploy/loadtest/submit_join.lua http://127.0.0.1:8080 -- '{"workload":"io","params":{"durationMs":100}}' 10s
local body, timeout
local pending = nil
function init(args)
  body = args[1] or '{"workload":"io","params":{"durationMs":100}}'
  timeout = args[2] or "10s"
end
function request()
  if pending then
    local id = pending
    pending = nil
    return wrk.format("GET", "/jobs/" .. id .. "/join?timeout=" .. timeout)
  end
  return wrk.format("POST", "/jobs", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, response_body)
  if status == 202 and response_body then
    pending = string.match(response_body, '"id":"([^"]+)"')
  end
end
