-- wrk scenarios for tests/load/bench.py. The scenario and its inputs come from
-- the environment:
--   BENCH_SCENARIO  login | me | stats | users_page | users_search | user_get | user_create
--   BENCH_TOKEN     an access token (all but login)
--   BENCH_PASSWORD  the password of every seeded user (login) and of created users
--   BENCH_LOGIN_FIRST, BENCH_LOGIN_COUNT   numbers of the seeded users to log in as
--   BENCH_FIRST, BENCH_LAST                the name lists seeded usernames are made of
--   BENCH_USER_FIRST, BENCH_USER_COUNT     ids of seeded users (user_get)
--   BENCH_PAGES     how many first pages of 50 to spread list requests over
--   BENCH_TERMS     search terms separated by commas
--   BENCH_COMPANY   companyId for created users
--   BENCH_TAG       a short tag making this run's created usernames unique
-- At the end one line `BENCH_RESULT {json}` carries the figures (latency in µs).

local scenario = os.getenv("BENCH_SCENARIO") or "me"
local token = os.getenv("BENCH_TOKEN") or ""
local password = os.getenv("BENCH_PASSWORD") or ""
local login_first = tonumber(os.getenv("BENCH_LOGIN_FIRST") or "1")
local login_count = tonumber(os.getenv("BENCH_LOGIN_COUNT") or "1")
local user_first = tonumber(os.getenv("BENCH_USER_FIRST") or "1")
local user_count = tonumber(os.getenv("BENCH_USER_COUNT") or "1")
local pages = tonumber(os.getenv("BENCH_PAGES") or "1")
local company = os.getenv("BENCH_COMPANY") or "1"
local tag = os.getenv("BENCH_TAG") or "x"
local function list(name)
  local out = {}
  for t in string.gmatch(os.getenv(name) or "", "[^,]+") do
    out[#out + 1] = t
  end
  return out
end
local first_names = list("BENCH_FIRST")
local last_names = list("BENCH_LAST")
-- The seeded user number i is `<first>.<last><i>` (tests/load/bench.py, username()).
local function username(i)
  return first_names[i % 50 + 1] .. "." .. last_names[math.floor(i / 50) % 40 + 1] .. i
end
local terms = {}
for t in string.gmatch(os.getenv("BENCH_TERMS") or "", "[^,]+") do
  terms[#terms + 1] = t
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  -- Threads start at different accounts so they do not log in as the same one.
  counter = ((id or 1) - 1) * 7919
end

local auth = { ["Authorization"] = "Bearer " .. token }
local json = { ["Content-Type"] = "application/json" }
local json_auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }

local function urlencode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function request()
  counter = counter + 1
  if scenario == "login" then
    local n = login_first + (counter % login_count)
    local body = string.format('{"username":"%s","password":"%s"}', username(n), password)
    return wrk.format("POST", "/api/auth/login", json, body)
  elseif scenario == "me" then
    return wrk.format("GET", "/api/auth/me", auth)
  elseif scenario == "stats" then
    return wrk.format("GET", "/api/stats", auth)
  elseif scenario == "users_page" then
    local offset = 50 * math.random(0, pages - 1)
    return wrk.format("GET", "/api/users-management?limit=50&offset=" .. offset, auth)
  elseif scenario == "users_search" then
    local term = terms[math.random(1, #terms)]
    return wrk.format("GET", "/api/users-management?limit=50&offset=0&search=" .. urlencode(term), auth)
  elseif scenario == "user_get" then
    local uid = user_first + math.random(0, user_count - 1)
    return wrk.format("GET", "/api/users-management/" .. uid, auth)
  elseif scenario == "user_create" then
    local name = string.format("b%s%d-%07d", tag, id or 0, counter)
    local body = string.format(
      '{"name":"Bench User %d","username":"%s","password":"%s","companyId":%s,"email":"%s@bench.example"}',
      counter, name, password, company, name)
    return wrk.format("POST", "/api/users-management", json_auth, body)
  end
  error("unknown BENCH_SCENARIO " .. scenario)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
