-- Submit and wait: POST /jobs?wait=..., answered 200 with the finished job (202 if it outlives the wait).
--   wrk -t2 -c32 -d30s -s deploy/loadtest/submit_wait.lua http://127.0.0.1:8080 -- 10s '{"workload":"io","params":{"durationMs":50}}'
local path, body
function init(args)
  path = "/jobs?wait=" .. (args[1] or "10s")
  body = args[2] or '{"workload":"cpu","params":{"iterations":1}}'
end
function request()
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
