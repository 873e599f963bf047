-- wrk script for bench/intake.py: every request is a distinct delivery (its own X-GitHub-Delivery
-- and its own pull request number, so nothing is a replay), pre-signed by the bench because the
-- signature covers only the body. Each wrk thread takes its own slice of the signed bodies.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local parts, sigs, first, span, n
accepted, other = 0, 0  -- globals: done() reads them from each thread

function init(args)
  local dir = os.getenv("INTAKE_BENCH_DIR")
  parts = {}
  for i = 1, 3 do
    local f = assert(io.open(dir .. "/part" .. i, "rb"))
    parts[i] = f:read("*a")
    f:close()
  end
  sigs = {}
  for line in io.lines(dir .. "/signatures") do
    sigs[#sigs + 1] = line
  end
  local count = tonumber(os.getenv("INTAKE_BENCH_THREADS"))
  span = math.floor(#sigs / count)
  first = (tid - 1) * span
  n, accepted, other = 0, 0, 0
end

function request()
  local index = first + (n % span)
  n = n + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "pull_request",
    ["X-GitHub-Delivery"] = "bench-" .. os.getenv("INTAKE_BENCH_RUN") .. "-" .. index,
    ["X-Hub-Signature-256"] = sigs[index + 1],
  }
  return wrk.format("POST", "/webhook", headers, parts[1] .. (index + 1) .. parts[2] .. (index + 1) .. parts[3])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then accepted = accepted + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("accepted")
    bad = bad + thread:get("other")
  end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "ok": %d, "bad": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, ok, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
