#!/usr/bin/env bash
# The wallet page's latency while writers book bank lines, on SQLite (BENCHMARKS.md): the demo
# server, 8 connections posting statement lines (bench/deposits.lua) and, at the same time, 32
# connections loading /portefeuille as the owner. Needs wrk.
# Usage: bench/read-under-write.sh [target/release/kmo] [seconds]
set -euo pipefail
kmo=${1:-target/release/kmo}
secs=${2:-20}
. "$(dirname "$0")/demo-server.sh"
KMO_TOKEN=$(curl -s "http://$addr/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"agentschap@demo.kmo","password":"kmo-demo-wachtwoord","token_name":"bench"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export KMO_TOKEN
echo "== writers: POST /api/v1/deposits, 8 connections, ${secs}s"
wrk -t1 -c8 -d"${secs}s" --latency -s bench/deposits.lua "http://$addr/api/v1/deposits" > "$data/writers" &
writers=$!
sleep 1
echo "== readers: GET /portefeuille, 32 connections, $((secs - 3))s, while the writers run"
wrk -t1 -c32 -d"$((secs - 3))s" --latency -H "Cookie: $cookie" "http://$addr/portefeuille" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
wait $writers
grep -E "Requests/sec|50%|99%|Non-2xx" "$data/writers"
