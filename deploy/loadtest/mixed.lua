-- A mix of workloads with configurable ratios, submitted asynchronously.
--   wrk -t2 -c32 -d60s -s deploy/loadtest/mixed.lua http://127.0.0.1:8080 -- cpu=50 io=30 file=5 mixed=10 counter=5 fail=0.05
-- fail=P sets failProbability on every job, so the error panels have something to show.
local bodies = {
  cpu = '{"workload":"cpu","params":{"iterations":2000000%s}}',
  io = '{"workload":"io","tasks":4,"params":{"durationMs":100,"chunks":4%s}}',
  file = '{"workload":"file","params":{"bytes":262144%s}}',
  mixed = '{"workload":"mixed","params":{"rounds":3,"cpuIterations":200000,"ioMs":10%s}}',
  counter = '{"workload":"counter","pool":"gil","tasks":2,"params":{"increments":200000,"sync":"lock"%s}}',
  gil = '{"workload":"cpu","pool":"gil","tasks":2,"params":{"iterations":2000000%s}}',
}
local wheel = {}
function init(args)
  local fail = ""
  local weights = {}
  for _, arg in ipairs(args) do
    local name, value = string.match(arg, "^(%w+)=([%d%.]+)$")
    if name == "fail" then
      fail = ',"failProbability":' .. value
    elseif name and bodies[name] then
      weights[name] = tonumber(value)
    end
  end
  if next(weights) == nil then
    weights = {cpu = 50, io = 30, file = 5, mixed = 10, counter = 5}
  end
  for name, weight in pairs(weights) do
    for _ = 1, weight do
      table.insert(wheel, string.format(bodies[name], fail))
    end
  end
end
function request()
  return wrk.format("POST", "/jobs", {["Content-Type"] = "application/json"}, wheel[math.random(#wheel)])
end
