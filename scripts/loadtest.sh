#!/usr/bin/env bash
# Load test of the HTTP API on loopback, with the demo municipality scaled to ~100 000 cases.
#
#   scripts/loadtest.sh
#
# Builds release, fills a fresh SQLite database in a temp dir (`demo`), creates an account
# for the head of administration (sees every case in full, so any case id is valid),
# starts `serve`, logs in, fetches every case id, then runs wrk RUNS times against
#   GET /api/cases/{id}          (random id per request: reads the case's events from the
#                                 database and writes an access-log line durably)
#   GET /api/deadlines?limit=50  (the deadline book)
# and prints each run and the medians (p50/p95/p99 in ms, requests/s).
#
# Environment (all optional):
#   RUNS=3 DURATION=20s THREADS=2 CONNECTIONS=200 WARMUP=5s PORT=18080
#   REPORTS_PER_YEAR=44500 YEARS=2 SEED=1   demo size (44 500 x 2 years ≈ 100 000 cases)
#   KEEP_DIR=/path   use (and keep) this directory; a database already in it is reused
#   SKIP_BUILD=1     use the existing target/release/skyndsam
#
# wrk shares the machine's cores with the server: the figures are for both on one box.
# The load average (uptime) is printed before every run; other work on the machine
# shows up in it.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-200}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18080}
REPORTS_PER_YEAR=${REPORTS_PER_YEAR:-44500}
YEARS=${YEARS:-2}
SEED=${SEED:-1}
PASSWORD=${BENCH_PASSWORD:-bench-password-$RANDOM$RANDOM}
BIN=$ROOT/target/release/skyndsam
BASE=http://127.0.0.1:$PORT

for tool in curl jq wrk; do
  command -v "$tool" >/dev/null || { echo "loadtest: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

if [[ -n ${KEEP_DIR:-} ]]; then
  DIR=$KEEP_DIR
  mkdir -p "$DIR"
else
  DIR=$(mktemp -d -t skyndsam-loadtest.XXXXXX)
fi
DB=$DIR/load.sqlite
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -z ${KEEP_DIR:-} ]]; then
    rm -rf "$DIR"
  fi
}
trap cleanup EXIT

log() { printf '[loadtest %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "cargo build --release"
  cargo build --release
fi

if [[ ! -f $DB ]]; then
  log "demo: --reports-per-year $REPORTS_PER_YEAR --years $YEARS --seed $SEED into $DB"
  "$BIN" --database "sqlite:$DB" demo --reports-per-year "$REPORTS_PER_YEAR" --years "$YEARS" --seed "$SEED"
  # The organisation is the start of the journal: the first head of administration.
  # (grep stops reading early; export's broken pipe is expected.)
  STAFF=$({ "$BIN" --database "sqlite:$DB" export 2>/dev/null || true; } \
    | grep -m1 '"role_granted".*"role":"head_of_administration"' \
    | jq -r '.payload.data.staff')
  [[ -n $STAFF && $STAFF != null ]] || { echo "loadtest: no head_of_administration in the demo" >&2; exit 1; }
  log "account bench for $STAFF"
  SKYNDSAM_PASSWORD=$PASSWORD "$BIN" --database "sqlite:$DB" user add bench --staff "$STAFF"
  printf '%s\n' "$PASSWORD" >"$DIR/password"
else
  log "reusing $DB"
  PASSWORD=$(cat "$DIR/password")
fi

log "serve on $BASE"
"$BIN" --database "sqlite:$DB" serve --addr "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -sf "$BASE/health" >"$DIR/health.json" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
  sleep 1
done
CASES=$(jq -r .cases "$DIR/health.json")
OPEN=$(jq -r .open_cases "$DIR/health.json")
log "health: $CASES cases, $OPEN open"

TOKEN=$(jq -n --arg p "$PASSWORD" '{username: "bench", password: $p}' \
  | curl -sf -X POST -H 'content-type: application/json' --data-binary @- "$BASE/api/auth/login" \
  | jq -r .token)
[[ -n $TOKEN && $TOKEN != null ]] || { echo "loadtest: login failed" >&2; exit 1; }

curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/cases/export" | jq -r '.[].id' >"$DIR/ids.txt"
log "case ids: $(wc -l <"$DIR/ids.txt")"

export WRK_TOKEN=$TOKEN WRK_IDS=$DIR/ids.txt WRK_COMMON=$ROOT/scripts/wrk-common.lua

# CPU accounting per run, in clock ticks: the whole machine (/proc/stat), the server
# (/proc/PID/stat) and this shell's children (wrk, via `times`). What is left is other
# work on the machine (e.g. a compiler) — the load average alone cannot tell it apart
# from the server's own waiting threads.
HZ=$(getconf CLK_TCK)
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
machine_all() { awk '/^cpu /{s=0; for (i=2; i<=NF; i++) s+=$i; print s}' /proc/stat; }
server_cpu() { awk '{print $14+$15}' "/proc/$SERVER_PID/stat"; }
children_cpu() {
  # `times` must run in this shell (in a pipe or $(…) it would report a subshell).
  times >"$DIR/times"
  tail -1 "$DIR/times" | awk -v hz="$HZ" '{
    t=0; for (i=1; i<=2; i++) { split($i, a, /[ms]/); t+=a[1]*60+a[2] } printf "%d\n", t*hz }' >"$DIR/times.ticks"
}

# run NAME SCRIPT DURATION → prints the RESULT line plus CPU use (cores) of the server,
# of wrk and of everything else during the run (and keeps wrk's full output)
run() {
  local name=$1 script=$2 duration=$3 out b0 a0 s0 c0 b1 a1 s1 c1
  children_cpu
  c0=$(cat "$DIR/times.ticks")
  b0=$(machine_busy) a0=$(machine_all) s0=$(server_cpu)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$ROOT/scripts/$script" "$BASE")
  b1=$(machine_busy) a1=$(machine_all) s1=$(server_cpu)
  children_cpu
  c1=$(cat "$DIR/times.ticks")
  printf '%s\n' "$out" >>"$DIR/wrk-$name.txt"
  printf '%s cpu_server=%s cpu_wrk=%s cpu_other=%s\n' "$(printf '%s\n' "$out" | grep '^RESULT')" \
    "$(awk -v d=$((s1 - s0)) -v t=$((a1 - a0)) -v n="$(nproc)" 'BEGIN {printf "%.2f", d / t * n}')" \
    "$(awk -v d=$((c1 - c0)) -v t=$((a1 - a0)) -v n="$(nproc)" 'BEGIN {printf "%.2f", d / t * n}')" \
    "$(awk -v d=$((b1 - b0 - (s1 - s0) - (c1 - c0))) -v t=$((a1 - a0)) -v n="$(nproc)" \
      'BEGIN {v = d / t * n; if (v < 0) v = 0; printf "%.2f", v}')"
}

log "warm-up ($WARMUP each, not counted)"
run warmup wrk-cases.lua "$WARMUP" >/dev/null
run warmup wrk-deadlines.lua "$WARMUP" >/dev/null

: >"$DIR/results.txt"
for i in $(seq "$RUNS"); do
  for ep in cases deadlines; do
    load=$(uptime | sed 's/.*load average: //')
    r=$(run "$ep" "wrk-$ep.lua" "$DURATION")
    printf 'run=%s endpoint=%s load="%s" %s\n' "$i" "$ep" "$load" "${r#RESULT }" | tee -a "$DIR/results.txt"
  done
done

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "Skyndsam load test: $CASES cases ($OPEN open), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $RUNS runs, $(nproc) cores"
printf '%-32s %9s %9s %9s %10s %7s\n' endpoint "p50 ms" "p95 ms" "p99 ms" "req/s" errors
for ep in cases deadlines; do
  rows=$(grep "endpoint=$ep " "$DIR/results.txt")
  label=$([[ $ep == cases ]] && echo "GET /api/cases/{id}" || echo "GET /api/deadlines?limit=50")
  printf '%-32s %9s %9s %9s %10s %7s\n' "$label (median)" \
    "$(field p50_ms <<<"$rows" | median)" "$(field p95_ms <<<"$rows" | median)" \
    "$(field p99_ms <<<"$rows" | median)" "$(field rps <<<"$rows" | median)" \
    "$(field errors <<<"$rows" | awk '{s+=$1} END {print s}')"
done
curl -sf "$BASE/health" | jq -c '{timeline_cache}'
echo "goal: p95 <= 20 ms and >= 10000 requests/s per endpoint"
echo "cpu_* = cores used during the run by the server, by wrk, and by anything else on the machine"
