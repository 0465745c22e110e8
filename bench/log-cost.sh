#!/usr/bin/env bash
# What the default request log costs (issue 13). See bench/README.md, "Request log".
#
#   flock /tmp/xref-build.lock bench/log-cost.sh [--bin 'label=publish-dir [VAR=value ...]' ...] [--sinks file,pipe] [--rounds 3] [--duration 5]
#
# Starts one server per build, log setting and sink, all at once on --database memory with a seeded token:
# --log-format text, --log-format json, and (first build only) --log-level Warning, each with standard output
# redirected to a file (as a service manager does) and through a pipe (`| cat > file`). Warms each up, then runs
# wrk -t2 -c32 on the narrow listing (an empty page, so the log's share is an upper bound) against each in turn,
# --rounds times, interleaved, so drift over the run hits every setting alike. Then stops the servers (SIGTERM, which
# writes out the log) and counts the request lines each wrote against the requests wrk completed: a lost line shows
# as fewer lines than requests (a few more lines is normal: requests in flight when wrk stops).
# Default build: /tmp/xref-log/out (dotnet publish src/Xref.Server -c Release -o /tmp/xref-log/out).
# It measures; it asserts nothing. Stops everything it started on exit.
set -euo pipefail

BINS=() SINKS=file,pipe ROUNDS=3 DURATION=5 WARMUP=3 OTHER_FORMATS=text,json
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BINS+=("$2"); shift 2 ;;
    --sinks) SINKS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --other-formats) OTHER_FORMATS=$2; shift 2 ;;
    *) sed -n '4,4p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
  esac
done
[[ ${#BINS[@]} -gt 0 ]] || BINS=(out=/tmp/xref-log/out)

WORK=$(mktemp -d /tmp/xref-log-cost.XXXXXX)
TOKEN=bench-log-cost-token
PATH_=/api/v1/external_references?subject_type=Workspace
cat >"$WORK/seed.json" <<EOF
{"accounts": [{"id": 1, "name": "Bench", "users": [{"id": 10, "full_name": "Bench", "email_address": "b@bench.example",
  "tokens": [{"token": "$TOKEN", "scope": "write"}]}], "subjects": {"Workspace": [{"id": 100, "title": "W"}]}}]}
EOF

declare -A PID PORT
NAMES=()
cleanup() {
  set +e
  for n in "${NAMES[@]}"; do kill -TERM "${PID[$n]}" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # name bin sink args...
  local name=$1 bin=$2 sink=$3; shift 3
  local port; port=$(free_port)
  local cmd=(env "${env_[@]}" "$bin/xref" --urls "http://127.0.0.1:$port" --database memory --seed "$WORK/seed.json" --rate-limit off "$@")
  if [[ $sink == file ]]; then "${cmd[@]}" >"$WORK/$name.log" 2>&1 &
  else "${cmd[@]}" > >(cat >"$WORK/$name.log") 2>&1 & fi
  PID[$name]=$! PORT[$name]=$port
  NAMES+=("$name")
}

IFS=, read -ra SINK_LIST <<<"$SINKS"
first=1
for b in "${BINS[@]}"; do
  label=${b%%=*} spec=${b#*=}
  read -ra env_ <<<"$spec"
  dir=${env_[0]} env_=("${env_[@]:1}")
  for sink in "${SINK_LIST[@]}"; do
    [[ $first == 1 || $OTHER_FORMATS == *text* ]] && start "$label-text-$sink" "$dir" "$sink" --log-format text
    [[ $first == 1 || $OTHER_FORMATS == *json* ]] && start "$label-json-$sink" "$dir" "$sink" --log-format json
    [[ $first == 1 ]] && start "$label-off-$sink" "$dir" "$sink" --log-level Warning
  done
  first=0
done

for n in "${NAMES[@]}"; do
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:${PORT[$n]}/ready" >/dev/null && break; sleep 0.1; done
done

# The server's CPU time (user + system, all its threads, the log writer's too) in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

bench() { # name seconds -> requests/s; adds the completed requests to $WORK/$name.requests, the CPU ticks to .ticks
  local before; before=$(cpu_ticks "${PID[$1]}")
  local out; out=$(wrk -t2 -c32 -d"$2s" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${PORT[$1]}$PATH_")
  awk '/requests in/ { print $1 }' <<<"$out" >>"$WORK/$1.requests"
  echo $(($(cpu_ticks "${PID[$1]}") - before)) >>"$WORK/$1.ticks"
  awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out"
}

echo "wrk -t2 -c32 -d${DURATION}s GET $PATH_ (--database memory), ${WARMUP}s warm-up each; $(date -u +%FT%TZ), $(nproc) cores"
for n in "${NAMES[@]}"; do bench "$n" "$WARMUP" >/dev/null; rm "$WORK/$n.ticks"; done
declare -A RESULTS
for r in $(seq "$ROUNDS"); do
  for n in "${NAMES[@]}"; do RESULTS[$n]+=" $(bench "$n" "$DURATION")"; done
done

for n in "${NAMES[@]}"; do kill -TERM "${PID[$n]}"; done
wait
printf '%-22s %-24s %8s %14s %10s %10s\n' setting "req/s per round" median "server CPU/req" requests "log lines"
for n in "${NAMES[@]}"; do
  # shellcheck disable=SC2086
  median=$(printf '%s\n' ${RESULTS[$n]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  requests=$(awk "{ s += \$1 } END { print s }" "$WORK/$n.requests")
  lines=$(grep -c 'Xref.Requests\|"Xref.Requests"' "$WORK/$n.log" || true)
  ticks=$(tail -n +1 "$WORK/$n.ticks" | awk '{ s += $1 } END { print s }')
  requests_timed=$(tail -n "$ROUNDS" "$WORK/$n.requests" | awk '{ s += $1 } END { print s }')
  cpu=$(awk -v t="$ticks" -v r="$requests_timed" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f us", t / hz / r * 1e6 }')
  printf '%-22s %-24s %8s %14s %10s %10s\n' "$n" "${RESULTS[$n]# }" "$median" "$cpu" "$requests" "$lines"
done
rm -rf "$WORK"
