#!/usr/bin/env bash
# Measures what a large durable backlog costs the broker: heap with the backlog queued (the broker
# runs with -Xmx256m), disk use before and after the backlog is consumed, and the time from a
# restart (after kill -9) to the first delivery.
#
# Usage: scripts/measure-backlog.sh [MESSAGES] [PORT]     (defaults: 10000000, 7431)
# Takes about 3 minutes for 10 million 100-byte messages on 2 cores, plus up to 5 minutes at the
# end to show the disk after the last five-minute file has rolled (Ctrl-C skips that wait).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000000}"
PORT="${2:-7431}"
DATA="$(mktemp -d /tmp/relais-backlog.XXXXXX)"
LOG="$DATA.log"
RELAIS=(./relais)
SERVER=(--server "127.0.0.1:$PORT")
BROKER_PID=""

cleanup() { [ -n "$BROKER_PID" ] && kill -9 "$BROKER_PID" 2>/dev/null || true; }
trap cleanup EXIT

now_ms() { date +%s%3N; }

start_broker() {
  : > "$LOG"
  RELAIS_JAVA_OPTS="-Xmx256m" "${RELAIS[@]}" broker --port "$PORT" --data-dir "$DATA" >>"$LOG" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 600); do
    grep -q "listening on" "$LOG" && return 0
    sleep 0.05
  done
  echo "broker did not start:"; cat "$LOG"; exit 1
}

heap() {
  jcmd "$BROKER_PID" GC.run >/dev/null
  jcmd "$BROKER_PID" GC.heap_info | awk '/garbage-first heap|total/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}'
}

disk() { du -sh "$DATA" | cut -f1; }

"${RELAIS[@]}" --help >/dev/null   # builds the jar first if needed, outside the timings
start_broker
echo "broker pid $BROKER_PID, data in $DATA, JVM flags -Xmx256m"
"${RELAIS[@]}" queue declare "${SERVER[@]}" --durable --bind 'backlog.#' backlog >/dev/null
echo "heap after start (after a full GC):               $(heap)"

t0=$(now_ms)
seq -f '%0100.0f' 1 "$N" | "${RELAIS[@]}" pub "${SERVER[@]}" --persistent --confirm backlog.fill 2>/dev/null
t1=$(now_ms)
echo "published $N persistent 100-byte messages with confirms in $(( (t1 - t0) / 1000 )) s"
"${RELAIS[@]}" queue list "${SERVER[@]}" | grep -E '^(NAME|backlog)'
echo "heap with the backlog queued (after a full GC):   $(heap)"
echo "disk with the backlog queued:                     $(disk)"

kill -9 "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
t2=$(now_ms)
start_broker
t3=$(now_ms)
"${RELAIS[@]}" sub "${SERVER[@]}" --queue backlog --count 1 --prefetch 1 >/dev/null 2>&1
t4=$(now_ms)
echo "after kill -9: restart to listening:              $(( t3 - t2 )) ms (JVM start included)"
grep -o "recovered .*" "$LOG" | head -1
echo "restart to first delivery:                        $(( t4 - t2 )) ms (includes starting the sub command's JVM)"
echo "heap after restart with the backlog (after GC):   $(heap)"

t5=$(now_ms)
"${RELAIS[@]}" sub "${SERVER[@]}" --queue backlog --count "$(( N - 1 ))" --prefetch 2000 >/dev/null 2>&1
t6=$(now_ms)
echo "consumed and acked the other $(( N - 1 )) messages in $(( (t6 - t5) / 1000 )) s"
"${RELAIS[@]}" queue list "${SERVER[@]}" | grep -E '^(NAME|backlog)'
echo "heap after consuming (after a full GC):           $(heap)"
echo "disk right after consuming:                       $(disk)"
echo "waiting for the current five-minute file to roll over (Ctrl-C to skip)..."
for _ in $(seq 1 310); do
  sleep 1
  [ -z "$(find "$DATA/queues" -path '*messages*' -name '*.cq4' 2>/dev/null)" ] && break
done
sleep 2
echo "disk once the files have rolled:                  $(disk)"
