#!/usr/bin/env bash
# Load test of the web application's pages on loopback: Att göra (GET /) and the case
# page (GET /arenden/{id}) for the users of the unit with the most open cases.
#
#   scripts/loadtest-ui.sh
#
# Builds release, fills a fresh SQLite database in a temp dir (`demo`: 50 000 reports a
# year for two years puts ~5 000 open cases in the largest unit), finds the unit with the
# most open cases (as the head of administration sees them), creates an account for
# everyone working in it (its manager, and the team leaders and handlers of its teams),
# logs USERS sessions in through the login form (round-robin over those accounts), checks
# that every session gets Att göra itself (200, not the login page), then runs wrk RUNS
# times per page and mode, each request with one of the sessions at random:
#   back to back  USERS connections, no pause: the most the server gives (a stress test)
#   think         USERS connections, each pausing THINK_MS (±50 %) between its requests:
#                 USERS people working at once, each clicking far faster than anyone does
# and prints each run and the medians (p50/p95/p99 in ms, requests/s).
#
# Environment (all optional):
#   RUNS=3 DURATION=20s THREADS=2 USERS=50 THINK_MS=1000 WARMUP=5s PORT=18081
#   REPORTS_PER_YEAR=50000 YEARS=2 SEED=1   demo size
#   KEEP_DIR=/path   use (and keep) this directory; a database already in it is reused
#   SKIP_BUILD=1     use the existing target/release/skyndsam
#
# wrk shares the machine's cores with the server: the figures are for both on one box.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
USERS=${USERS:-50}
THINK_MS=${THINK_MS:-1000}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18081}
REPORTS_PER_YEAR=${REPORTS_PER_YEAR:-50000}
YEARS=${YEARS:-2}
SEED=${SEED:-1}
BIN=$ROOT/target/release/skyndsam
BASE=http://127.0.0.1:$PORT

for tool in curl jq wrk; do
  command -v "$tool" >/dev/null || { echo "loadtest-ui: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

if [[ -n ${KEEP_DIR:-} ]]; then
  DIR=$KEEP_DIR
  mkdir -p "$DIR"
else
  DIR=$(mktemp -d -t skyndsam-loadtest-ui.XXXXXX)
fi
DB=$DIR/load.sqlite
SERVER_PID=

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  if [[ -z ${KEEP_DIR:-} ]]; then
    rm -rf "$DIR"
  fi
}
trap cleanup EXIT

log() { printf '[loadtest-ui %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

start_server() {
  "$BIN" --database "sqlite:$DB" serve --addr "127.0.0.1:$PORT" --sweep-minutes 0 >>"$DIR/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    curl -sf "$BASE/health" >"$DIR/health.json" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 1
  done
  echo "loadtest-ui: the server did not start" >&2
  exit 1
}

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "cargo build --release"
  cargo build --release
fi

add_account() {
  SKYNDSAM_PASSWORD=$PASSWORD "$BIN" --database "sqlite:$DB" user add "$1" --staff "$1" >/dev/null
}

if [[ ! -f $DB ]]; then
  log "demo: --reports-per-year $REPORTS_PER_YEAR --years $YEARS --seed $SEED into $DB"
  "$BIN" --database "sqlite:$DB" demo --reports-per-year "$REPORTS_PER_YEAR" --years "$YEARS" --seed "$SEED"
  printf 'bench-%s%s%s\n' "$RANDOM" "$RANDOM" "$RANDOM" >"$DIR/password"
else
  log "reusing $DB"
fi
PASSWORD=$(cat "$DIR/password")

if [[ ! -f $DIR/org.jsonl ]]; then
  # The organisation: units (with their parents) and role grants, from the start of the
  # journal (grep stops reading early: export's broken pipe is expected).
  { "$BIN" --database "sqlite:$DB" export 2>/dev/null || true; } \
    | grep -m 500 -E '"(unit_created|role_granted)"' | jq -c '.payload.data' >"$DIR/org.jsonl"
fi
HEAD=$(jq -r 'select(.role == "head_of_administration") | .staff' "$DIR/org.jsonl" | head -1)
[[ -n $HEAD ]] || { echo "loadtest-ui: no head of administration in the demo" >&2; exit 1; }
[[ -f $DIR/accounts.txt ]] || { add_account "$HEAD"; echo "$HEAD" >"$DIR/accounts.txt"; }

log "serve on $BASE"
start_server

# The unit with the most open cases, as the head of administration sees it.
TOKEN=$(jq -n --arg u "$HEAD" --arg p "$PASSWORD" '{username: $u, password: $p}' \
  | curl -sf -X POST -H 'content-type: application/json' --data-binary @- "$BASE/api/auth/login" | jq -r .token)
[[ -n $TOKEN && $TOKEN != null ]] || { echo "loadtest-ui: login as $HEAD failed" >&2; exit 1; }
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/cases" >"$DIR/open.json"
UNIT=$(jq -r 'group_by(.unit) | map({unit: .[0].unit, n: length}) | max_by(.n) | .unit' "$DIR/open.json")
OPEN=$(jq --arg u "$UNIT" '[.[] | select(.unit == $u)] | length' "$DIR/open.json")
jq -r --arg u "$UNIT" '.[] | select(.unit == $u) | .id' "$DIR/open.json" >"$DIR/ids.txt"
log "unit $UNIT: $OPEN open cases"

# The unit's users: its manager, and the team leaders and handlers of its teams.
TEAMS=$(jq -r --arg u "$UNIT" 'select(.parent == $u) | .unit' "$DIR/org.jsonl" | xargs)
jq -r --arg u "$UNIT" --arg teams " $TEAMS " \
  'select(.role != null) | select(.unit as $x | $x == $u or ($teams | contains(" " + $x + " ")))
   | select(.role == "handler" or .role == "team_leader" or .role == "unit_manager") | "\(.staff) \(.role)"' \
  "$DIR/org.jsonl" | sort -u >"$DIR/unit-staff.txt"
NSTAFF=$(wc -l <"$DIR/unit-staff.txt")
[[ $NSTAFF -gt 0 ]] || { echo "loadtest-ui: nobody works in $UNIT" >&2; exit 1; }
log "users of the unit: $NSTAFF ($(cut -d' ' -f2 "$DIR/unit-staff.txt" | sort | uniq -c | xargs))"
# Their accounts (the server reads accounts at start: restart it after adding any).
MISSING=$(cut -d' ' -f1 "$DIR/unit-staff.txt" | grep -vxF -f "$DIR/accounts.txt" || true)
if [[ -n $MISSING ]]; then
  stop_server
  for staff in $MISSING; do
    add_account "$staff"
    echo "$staff" >>"$DIR/accounts.txt"
  done
  log "accounts added: $(wc -w <<<"$MISSING"); serve again"
  start_server
fi

# USERS sessions, round-robin over the unit's staff, each logged in through the form.
: >"$DIR/cookies.txt"
login_form() {
  local user=$1 jar=$DIR/jar.txt csrf
  rm -f "$jar"
  csrf=$(curl -sf -c "$jar" "$BASE/logga-in" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  [[ -n $csrf ]] || { echo "loadtest-ui: no CSRF token on the login page" >&2; exit 1; }
  curl -s -o /dev/null -b "$jar" -c "$jar" -H "Origin: $BASE" \
    --data-urlencode "username=$user" --data-urlencode "password=$PASSWORD" --data-urlencode "_csrf=$csrf" \
    "$BASE/logga-in"
  awk '$6 == "skyndsam_session" {print $7}' "$jar"
}
mapfile -t STAFF < <(cut -d' ' -f1 "$DIR/unit-staff.txt")
for i in $(seq 0 $((USERS - 1))); do
  user=${STAFF[$((i % NSTAFF))]}
  c=$(login_form "$user")
  [[ -n $c ]] || { echo "loadtest-ui: the form login of $user gave no session" >&2; exit 1; }
  # Every session must get Att göra itself, not a redirect to the login page.
  code=$(curl -s -o "$DIR/todo.html" -w '%{http_code}' -H "Cookie: skyndsam_session=$c" "$BASE/")
  [[ $code == 200 ]] && grep -q 'Att göra' "$DIR/todo.html" \
    || { echo "loadtest-ui: session of $user got $code on /" >&2; exit 1; }
  printf '%s\n' "$c" >>"$DIR/cookies.txt"
done
ROWS=$(grep -c '<tr' "$DIR/todo.html" || true)
log "sessions: $(wc -l <"$DIR/cookies.txt"); Att göra: $(wc -c <"$DIR/todo.html") bytes, $ROWS table rows"
code=$(curl -s -o "$DIR/case.html" -w '%{http_code}' -H "Cookie: skyndsam_session=$(head -1 "$DIR/cookies.txt")" \
  "$BASE/arenden/$(head -1 "$DIR/ids.txt")")
[[ $code == 200 ]] || { echo "loadtest-ui: the case page gave $code" >&2; exit 1; }
log "case page: $(wc -c <"$DIR/case.html") bytes"

export WRK_COOKIES=$DIR/cookies.txt WRK_IDS=$DIR/ids.txt WRK_COMMON=$ROOT/scripts/wrk-common.lua

run() { # run PAGE THINK DURATION → the RESULT line
  WRK_PAGE=$1 WRK_THINK_MS=$2 wrk -t"$THREADS" -c"$USERS" -d"$3" --latency -s "$ROOT/scripts/wrk-ui.lua" "$BASE" \
    | tee -a "$DIR/wrk-$1-$2.txt" | grep '^RESULT'
}

log "warm-up ($WARMUP each, not counted)"
run todo 0 "$WARMUP" >/dev/null
run case 0 "$WARMUP" >/dev/null

: >"$DIR/results.txt"
for i in $(seq "$RUNS"); do
  for page in todo case; do
    for think in 0 "$THINK_MS"; do
      load=$(uptime | sed 's/.*load average: //')
      r=$(run "$page" "$think" "$DURATION")
      printf 'run=%s page=%s think_ms=%s load="%s" %s\n' "$i" "$page" "$think" "$load" "${r#RESULT }" \
        | tee -a "$DIR/results.txt"
    done
  done
done

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "Skyndsam UI load test: unit $UNIT with $OPEN open cases, $USERS users ($NSTAFF staff), wrk -t$THREADS -c$USERS -d$DURATION, $RUNS runs, $(nproc) cores"
printf '%-40s %9s %9s %9s %10s %7s\n' page "p50 ms" "p95 ms" "p99 ms" "req/s" errors
for page in todo case; do
  for think in 0 "$THINK_MS"; do
    rows=$(grep "page=$page think_ms=$think " "$DIR/results.txt")
    label=$([[ $page == todo ]] && echo "GET / (Att göra)" || echo "GET /arenden/{id}")
    mode=$([[ $think == 0 ]] && echo "back to back" || echo "think ${think} ms")
    printf '%-40s %9s %9s %9s %10s %7s\n' "$label, $mode" \
      "$(field p50_ms <<<"$rows" | median)" "$(field p95_ms <<<"$rows" | median)" \
      "$(field p99_ms <<<"$rows" | median)" "$(field rps <<<"$rows" | median)" \
      "$(field errors <<<"$rows" | awk '{s+=$1} END {print s}')"
  done
done
echo "goal: p95 <= 20 ms for Att göra and the case page at $USERS concurrent users"
