-- wrk script shared by every load of bench/run.py. After the run it
-- prints one line "JSON {...}" with the counts and the latency
-- percentiles (microseconds) that the runner reads.
--
-- Arguments after "--" choose what each connection sends:
--   (none)                the request of the command line, as fast as the
--                         server answers
--   paced MS              the same, waiting MS milliseconds after each
--                         response
--   login USERS PASSWORD  POST /api/v2/users/login for the members
--                         user-0000001 … user-<USERS> that usher-seed
--                         creates, in turn, each thread starting elsewhere
--
-- wrk checks for request() and delay() after init() has run, so init
-- defines them only for the modes that need them: without them wrk sends
-- its prebuilt request with no Lua call per request.

local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

local function json_escape(text)
  return (text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end))
end

local function start_logins(users, password)
  local secret = json_escape(password)
  local headers = {["Content-Type"] = "application/json"}
  -- Threads start far apart so that they log different users in.
  local member = (offset * 7919) % users

  request = function()
    member = member % users + 1
    local body = string.format(
      '{"email":"user-%07d@example.com","password":"%s"}', member, secret)
    return wrk.format("POST", "/api/v2/users/login", headers, body)
  end
end

function init(args)
  local mode = args[1]

  if mode == "paced" then
    local pause = tonumber(args[2])
    delay = function()
      return pause
    end
  elseif mode == "login" then
    start_logins(tonumber(args[2]), args[3])
  elseif mode ~= nil then
    error("unknown mode " .. mode)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "latency_us": {"min": %d, "mean": %.1f, ' ..
    '"max": %d, "p50": %d, "p90": %d, "p99": %d, "p999": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
