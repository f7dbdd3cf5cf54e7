-- Async submit: POST /jobs, answered 202 at once (503 when a pool is full).
--   wrk -t2 -c32 -d30s -s deploy/loadtest/submit.lua http://127.0.0.1:8080 -- cpu 1
-- Arguments: workload (default cpu), then for cpu the iterations (default 1), then the path (default /jobs; the
-- benchmark's hello app takes the same body at /hello/json).
-- The request never changes, so it is set up once in init and wrk sends it without calling Lua per request.
function init(args)
  local workload = args[1] or "cpu"
  local iterations = tonumber(args[2] or "1")
  wrk.method = "POST"
  wrk.path = args[3] or "/jobs"
  wrk.headers["Content-Type"] = "application/json"
  if workload == "cpu" then
    wrk.body = string.format('{"workload":"cpu","params":{"iterations":%d}}', iterations)
  else
    wrk.body = string.format('{"workload":"%s"}', workload)
  end
end
