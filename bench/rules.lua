-- wrk script: POST one rules-eval.md case to /api/v1/rules/evaluate.
-- wrk -t2 -c32 -d15s -s bench/rules.lua http://127.0.0.1:PORT/api/v1/rules/evaluate
local f = io.open("bench/rules-case.json", "r")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
