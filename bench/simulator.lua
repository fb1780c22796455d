-- wrk script: the subsidy simulator's form, posted (a decision with its Dutch explanation).
-- wrk -t2 -c32 -d10s --latency -s bench/simulator.lua http://127.0.0.1:PORT/simulator
wrk.method = "POST"
wrk.body = "size=small&kind=training&theme=digitalisation&start_date=2026-11-24&amount=1.234%2C56"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
