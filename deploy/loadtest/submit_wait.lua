-- Submit and wait: POST /jobs?wait=..., answered 200 with the finished job (202 if it outlives the wait).
--   wrk -t2 -c32 -d30s -s deploy/loadtest/submit_wait.lua http://127.0.0.1:8080 -- 10s '{"workload":"io","params":{"durationMs":50}}'
-- The request never changes, so it is set up once in init and wrk sends it without calling Lua per request.
function init(args)
  wrk.method = "POST"
  wrk.path = "/jobs?wait=" .. (args[1] or "10s")
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = args[2] or '{"workload":"cpu","params":{"iterations":1}}'
end
