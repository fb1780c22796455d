# Sourced by the page benchmarks: starts `$kmo serve --demo` on SQLite in a fresh folder, stops it
# on exit, and sets $data, $pid, $addr and $cookie (the owner's session).
data=$(mktemp -d)
"$kmo" serve --demo --listen 127.0.0.1:0 --data-dir "$data" > "$data/out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on http:\/\///p' "$data/out")
cookie=$(curl -s -i -X POST "http://$addr/aanmelden" -d "email=ondernemer@demo.kmo&password=kmo-demo-wachtwoord" \
  | sed -n 's/^set-cookie: \(kmo_session=[^;]*\).*/\1/p')
