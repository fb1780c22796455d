-- wrk script: a write load — the agency books bank statement lines (one line each, a fresh bank
-- reference every request; the reference matches no application, so each line is booked to
-- suspense and returned: a transaction with two transfers, an audit record and the line's key).
-- KMO_TOKEN=<agency bearer token> wrk -t1 -c8 -d20s -s bench/deposits.lua http://127.0.0.1:PORT/api/v1/deposits
local counter = 0
local thread_id = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  thread_id = id
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KMO_TOKEN")
function request()
  counter = counter + 1
  local body = string.format('{"lines":[{"reference":"+++000/0000/00097+++","amount_cents":100,"bank_ref":"W%d-%d-%d"}]}', thread_id, counter, os.time())
  return wrk.format(nil, nil, nil, body)
end
