#!/usr/bin/env bash
# Page load figures for BENCHMARKS.md: the demo server on SQLite, then wrk against the simulator
# (form and answer) and the wallet page of a logged-in owner. Needs wrk (Debian package).
# Usage: bench/pages.sh [target/release/kmo]
set -euo pipefail
kmo=${1:-target/release/kmo}
. "$(dirname "$0")/demo-server.sh"
sed -i "s/start_date=[0-9-]*/start_date=$(date +%F)/" bench/simulator.lua
agency=$(curl -s -i -X POST "http://$addr/aanmelden" -d "email=agentschap@demo.kmo&password=kmo-demo-wachtwoord" \
  | sed -n 's/^set-cookie: \(kmo_session=[^;]*\).*/\1/p')
export KMO_COOKIE=$cookie
KMO_CSRF=$(curl -s -H "Cookie: $cookie" "http://$addr/portefeuille/planner" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
KMO_START_1=$(date -d '+30 days' +%F)
KMO_START_2=$(date +%Y)-12-29
export KMO_CSRF KMO_START_1 KMO_START_2
for c in 8 32; do
  echo "== GET /portefeuille, $c connections"
  wrk -t2 -c$c -d10s --latency -H "Cookie: $cookie" "http://$addr/portefeuille" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== POST /simulator, $c connections"
  wrk -t2 -c$c -d10s --latency -s bench/simulator.lua "http://$addr/simulator" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== POST /portefeuille/planner (two items), $c connections"
  wrk -t2 -c$c -d10s --latency -s bench/planner.lua "http://$addr/portefeuille/planner" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== GET /agentschap (the queues), $c connections"
  wrk -t2 -c$c -d10s --latency -H "Cookie: $agency" "http://$addr/agentschap" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== GET /simulator, $c connections"
  wrk -t2 -c$c -d10s --latency "http://$addr/simulator" | grep -E "Requests/sec|50%|99%|Non-2xx"
done
echo "server memory: $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' ' | tr '\n' ' ')"
