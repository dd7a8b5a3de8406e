#!/usr/bin/env bash
# One fresh PostgreSQL 15 (default settings: durable, max_connections 100; loopback, free port), one run, in this order:
#   1. pgbench: durable 1 KB jsonb single-row update per transaction at concurrency 8 (the physical limit);
#   2. the Hangfire peer (../shared/bench/peers/hangfire), single and chain, 8 workers, N=2000;
#   3. Envoy's LoadDriver single and chain on postgres and postgres+redis;
# then prints the ratios. Stops every server it started (by PID) and removes its temp dirs.
# Usage (from the repository root): bench/compare-hangfire.sh
# Environment: N (Envoy jobs, default 20000), C (Envoy concurrency per process, default 8), HF_N (default 2000),
#   PGBENCH_T (seconds, default 20), PROCS (extra run with P processes, default 0 = skip), PROBE (1 = latency probe
#   with --processes 2), BACKLOG (e.g. 1000000 = extra chain runs with that many pending jobs and with 1000),
#   INLINE (default 0; 1 = DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for the Envoy runs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEER=${PEER:-$ROOT/../shared/bench/peers/hangfire}
N=${N:-20000}; C=${C:-8}; HF_N=${HF_N:-2000}; PGBENCH_T=${PGBENCH_T:-20}; PROCS=${PROCS:-0}; PROBE=${PROBE:-0}; BACKLOG=${BACKLOG:-0}
PGBIN=/usr/lib/postgresql/15/bin
TMP=$(mktemp -d /tmp/envoy-compare.XXXXXX); chmod 755 "$TMP"
PG_PID=""; REDIS_PID=""
cleanup() {
  # PG_PID is the postmaster itself (runuser does not pass SIGINT on): SIGINT is PostgreSQL's fast shutdown.
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then kill -INT "$PG_PID"; for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.2; done; fi
  if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
field() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" <<<"$1" | tail -1; }
hf_field() { python3 -c 'import sys,json; print(json.loads(sys.argv[1].split(" ",1)[1])[sys.argv[2]])' "$1" "$2"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

echo "== machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# --- PostgreSQL 15, default settings (fsync on, synchronous_commit on) ---
PGPORT=$(free_port)
mkdir -p "$TMP/pg"; chown postgres:postgres "$TMP/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/pg/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$PGBIN/postgres" -D "$TMP/pg/data" -p "$PGPORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$TMP/pg" >"$TMP/pg/log" 2>&1 &
RUNUSER_PID=$!
for _ in $(seq 100); do "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q && break; sleep 0.1; done
PG_PID=$(head -1 "$TMP/pg/data/postmaster.pid" 2>/dev/null || echo "$RUNUSER_PID")
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE bench" >/dev/null
PGCONN="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=bench"
echo "== PostgreSQL 15 on 127.0.0.1:$PGPORT (pid $PG_PID), fsync=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc 'show fsync'), synchronous_commit=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc 'show synchronous_commit')"

# --- 1. pgbench: 1 KB jsonb single-row update per transaction, 8 clients ---
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench -qc "CREATE TABLE pgb (id int PRIMARY KEY, doc jsonb NOT NULL); INSERT INTO pgb SELECT g, jsonb_build_object('pad', repeat('x', 1000)) FROM generate_series(1, 10000) g" >/dev/null
cat >"$TMP/pgbench.sql" <<'SQL'
\set id random(1, 10000)
UPDATE pgb SET doc = jsonb_build_object('pad', repeat(md5(random()::text), 31), 'n', :id) WHERE id = :id;
SQL
PGB_OUT=$(pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c 8 -j 2 -T "$PGBENCH_T" -f "$TMP/pgbench.sql" bench 2>&1)
PGB_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$PGB_OUT" | head -1)
echo "== pgbench -n -c 8 -j 2 -T $PGBENCH_T: $PGB_TPS tps (load $(cut -d' ' -f1-3 /proc/loadavg))"

# --- 2. the Hangfire peer, 8 workers ---
cp -r "$PEER" "$TMP/hangfire"
(cd "$TMP/hangfire" && dotnet build -c Release -v q -nologo >"$TMP/hangfire-build.log" 2>&1) || { cat "$TMP/hangfire-build.log"; exit 1; }
HF="$TMP/hangfire/bin/Release/net10.0/HangfireBench.dll"
export PEER_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=bench"
HF_SINGLE=$(dotnet "$HF" --mode single --n "$HF_N" --workers 8 --runs 1 | tee -a "$TMP/hangfire.log" | grep '^SUMMARY' | tail -1)
HF_CHAIN=$(dotnet "$HF" --mode chain --n "$HF_N" --workers 8 --runs 1 | tee -a "$TMP/hangfire.log" | grep '^SUMMARY' | tail -1)
cat "$TMP/hangfire.log" >&2
echo "== Hangfire single: $HF_SINGLE"
echo "== Hangfire chain:  $HF_CHAIN"
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench -qc "DROP SCHEMA IF EXISTS hangfire CASCADE" >/dev/null

# --- 3. Envoy ---
REDISPORT=$(free_port)
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
dotnet build "$ROOT/bench/Envoy.LoadDriver" -c Release -v q -nologo >"$TMP/envoy-build.log" 2>&1 || { cat "$TMP/envoy-build.log"; exit 1; }
LD="$ROOT/bench/Envoy.LoadDriver/bin/Release/net10.0/Envoy.LoadDriver.dll"
# INLINE=1 runs the Envoy driver with socket completions on the socket thread (docs/storage.md, "Tuning a worker host":
# measured faster, not recommended). Default 0, the runtime's default, as for Hangfire.
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=${INLINE:-0}
envoy() { # store workload [extra args]
  local store=$1 workload=$2; shift 2
  local extra=(); [ "$store" = postgres+redis ] && extra=(--redis "127.0.0.1:$REDISPORT")
  echo "-- DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=$DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS dotnet Envoy.LoadDriver.dll --workload $workload --n $N --concurrency $C --store $store --pg '$PGCONN' ${extra[*]} $* --quiet (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  dotnet "$LD" --workload "$workload" --n "$N" --concurrency "$C" --store "$store" --pg "$PGCONN" "${extra[@]}" "$@" --quiet | tee -a "$TMP/envoy.log" | grep -E '^(SUMMARY|PROBE)' | tr '\n' ' '
}
declare -A RES
for store in postgres postgres+redis; do
  for workload in single chain; do
    RES[$store/$workload]=$(envoy "$store" "$workload" --latency-probe 0)
  done
done
if [ "$PROCS" -gt 1 ]; then
  for store in postgres postgres+redis; do RES[$store/chain/p$PROCS]=$(envoy "$store" chain --processes "$PROCS" --latency-probe 0); done
fi
if [ "$PROBE" = 1 ]; then
  # Eager start off and --probe-remote: the scheduling process only schedules during the probe, so every probe job is woken
  # and started in the other process (LISTEN/NOTIFY or Redis). The in-process figure (eager start on) is printed as well.
  for store in postgres postgres+redis; do RES[$store/probe/p2]=$(N=2000 envoy "$store" single --processes 2 --warmup 500 --latency-probe 200 --eager-start off --probe-remote); done
  RES[postgres/probe/eager]=$(N=2000 envoy postgres single --warmup 500 --latency-probe 200)
fi
if [ "$BACKLOG" -gt 0 ]; then
  RES[postgres/chain/backlog1000]=$(envoy postgres chain --latency-probe 0 --pending-backlog 1000)
  RES[postgres/chain/backlog$BACKLOG]=$(envoy postgres chain --latency-probe 0 --pending-backlog "$BACKLOG")
fi

cat "$TMP/envoy.log" >&2 2>/dev/null || true
echo
echo "================ results (same server, same run) ================"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pgbench tps (c=8): $PGB_TPS"
echo "Hangfire single: $HF_SINGLE"
echo "Hangfire chain:  $HF_CHAIN"
for k in "${!RES[@]}"; do echo "Envoy $k: ${RES[$k]}"; done | sort
HF_SINGLE_JPS=$(hf_field "$HF_SINGLE" MedianJobsPerSec); HF_CHAIN_JPS=$(hf_field "$HF_CHAIN" MedianJobsPerSec)
for store in postgres postgres+redis; do
  s=${RES[$store/single]}; c=${RES[$store/chain]}
  echo "RATIO store=$store chain_steps_per_sec=$(field "$c" steps_per_sec) / pgbench_tps=$PGB_TPS = $(ratio "$(field "$c" steps_per_sec)" "$PGB_TPS")"
  echo "RATIO store=$store single_jobs_per_sec=$(field "$s" jobs_per_sec) / hangfire_single_jobs_per_sec=$HF_SINGLE_JPS = $(ratio "$(field "$s" jobs_per_sec)" "$HF_SINGLE_JPS")"
  echo "RATIO store=$store chains_per_sec=$(field "$c" jobs_per_sec) / hangfire_chains_per_sec=$HF_CHAIN_JPS = $(ratio "$(field "$c" jobs_per_sec)" "$HF_CHAIN_JPS")"
done
if [ "$BACKLOG" -gt 0 ]; then
  a=$(field "${RES[postgres/chain/backlog$BACKLOG]}" steps_per_sec); b=$(field "${RES[postgres/chain/backlog1000]}" steps_per_sec)
  echo "RATIO chain steps/s with $BACKLOG pending ($a) / with 1000 pending ($b) = $(ratio "$a" "$b")"
fi
