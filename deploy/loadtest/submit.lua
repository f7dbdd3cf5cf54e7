-- Async submit: POST /jobs, answered 202 at once (503 when a pool is full).
--   wrk -t2 -c32 -d30s -s deploy/loadtest/submit.lua http://127.0.0.1:8080 -- cpu 1
-- Arguments: workload (default cpu), then for cpu the iterations (default 1).
local body
function init(args)
  local workload = args[1] or "cpu"
  local iterations = tonumber(args[2] or "1")
  if workload == "cpu" then
    body = string.format('{"workload":"cpu","params":{"iterations":%d}}', iterations)
  else
    body = string.format('{"workload":"%s"}', workload)
  end
end
function request()
  return wrk.format("POST", "/jobs", {["Content-Type"] = "application/json"}, body)
end
