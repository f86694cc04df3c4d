#!/usr/bin/env bash
# make test-cluster: confmedia spread over six network namespaces of this
# machine, joined by veth pairs on one bridge that lives inside the "host"
# namespace (nothing is added to the machine's own network namespace, and
# every address is one of CLUSTER_NET's, inside the namespaces):
#
#   host   CLUSTER_NET.1   Redis (appendonly), versitygw (S3), PostgreSQL
#   web1   CLUSTER_NET.11  confmedia serve
#   web2   CLUSTER_NET.12  confmedia serve
#   work1  CLUSTER_NET.21  confmedia worker   (pinned with taskset to core 0)
#   work2  CLUSTER_NET.22  confmedia worker   (core 1, or 0 again on one core)
#   work3  CLUSTER_NET.23  confmedia worker   (core 2 mod the cores there are)
#
# Every node is configured only with CONFMEDIA_* settings. The run
#   1. measures throughput: a batch of CLUSTER_BENCH_PHOTOS is uploaded while
#      no worker runs, then 1, 2 or 3 workers are started and timed until the
#      catalog has nothing pending;
#   2. uploads CLUSTER_PHOTOS through both web nodes at once (half each) with
#      three workers, and deletes work3's namespace (its processes killed)
#      once a third of the batch is processed;
#   3. checks every photo is one item, processed in its first generation,
#      none pending or failed, the bucket holding exactly the objects the
#      catalog names, and that a session made on web1 works on web2;
#   4. backs up (pg_dump + a copy of the bucket), wipes the catalog database
#      and the bucket, restores both, and checks all of it again.
# Namespaces and processes are removed at the end, on failure too.
#
# Needs root, iproute2, taskset, redis-server, PostgreSQL's server programs,
# versitygw and bin/confmedia (the Makefile target installs and builds them).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "test-cluster needs root (network namespaces)" >&2; exit 2; fi
cd "$(dirname "$0")/../.."
BIN=${CONFMEDIA_BIN:-$PWD/bin/confmedia}
VGW=${VERSITYGW:-$PWD/.tools/bin/versitygw}
PHOTOS=${CLUSTER_PHOTOS:-2000}
BENCH=${CLUSTER_BENCH_PHOTOS:-300}
CONC=${CLUSTER_WORKER_CONCURRENCY:-2}
WIDTH=${CLUSTER_PHOTO_WIDTH:-320}   # pixels; the height is 3/4 of it
NET=${CLUSTER_NET:-10.231.7}
P=cm$$-
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server programs not found under /usr/lib/postgresql" >&2; exit 2; }
[ -x "$BIN" ] && [ -x "$VGW" ] || { echo "need $BIN and $VGW (make build deps)" >&2; exit 2; }
CORES=$(nproc)

WORK=$(mktemp -d /tmp/confmedia-cluster.XXXXXX)
chmod 711 "$WORK"
NODES=(host web1 web2 work1 work2 work3)
declare -A ADDR=([host]=$NET.1 [web1]=$NET.11 [web2]=$NET.12 [work1]=$NET.21 [work2]=$NET.22 [work3]=$NET.23)
declare -A PID=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
ns() { echo "$P$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

# kill_ns sends the processes of namespace $1 signal $2 (they are all ours:
# the namespace was made by this run).
kill_ns() {
	local pids
	pids=$(ip netns pids "$(ns "$1")" 2>/dev/null || true)
	[ -z "$pids" ] || kill "-$2" $pids 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	# confmedia first (it stops its work cleanly while Redis and the rest
	# are there), then the host's servers.
	for group in "work1 work2 work3 web1 web2" host; do
		for n in $group; do kill_ns "$n" TERM; done
		for _ in $(seq 50); do
			local left=""
			for n in $group; do left+=$(ip netns pids "$(ns "$n")" 2>/dev/null); done
			[ -z "$left" ] && break
			sleep 0.2
		done
	done
	for n in "${NODES[@]}"; do kill_ns "$n" KILL; done
	sleep 0.2
	for n in "${NODES[@]}"; do ip netns del "$(ns "$n")" 2>/dev/null; done
	if [ "$rc" != 0 ]; then
		echo "test-cluster FAILED (exit $rc); last log lines:" >&2
		for f in "$WORK"/logs/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }; done
	fi
	if [ -n "${CLUSTER_KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network -------------------------------------------------------------
log "namespaces ${P}{${NODES[*]}} on $NET.0/24"
ip netns add "$(ns host)"
in_ns host ip link set lo up
in_ns host ip link add br0 type bridge
in_ns host ip addr add "${ADDR[host]}/24" dev br0
in_ns host ip link set br0 up
for n in web1 web2 work1 work2 work3; do
	ip netns add "$(ns "$n")"
	in_ns "$n" ip link set lo up
	in_ns host ip link add "v-$n" type veth peer name eth0 netns "$(ns "$n")"
	in_ns host ip link set "v-$n" master br0 up
	in_ns "$n" ip addr add "${ADDR[$n]}/24" dev eth0
	in_ns "$n" ip link set eth0 up
done

# wait_tcp NODE HOST PORT: until HOST:PORT accepts a connection from NODE.
wait_tcp() {
	for _ in $(seq 300); do
		in_ns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$2:$3 does not answer" >&2
	return 1
}

# ---- the host: Redis, S3, PostgreSQL --------------------------------------
mkdir -p "$WORK"/{logs,redis,s3/objects,s3/meta,pg,nodes,photos,backup}
in_ns host redis-server --bind "${ADDR[host]}" --port 6379 --protected-mode no \
	--appendonly yes --appendfsync everysec --save '' --dir "$WORK/redis" \
	--logfile "$WORK/logs/redis.log" &
S3KEY=cluster$RANDOM$RANDOM
S3SECRET=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
in_ns host env ROOT_ACCESS_KEY_ID="$S3KEY" ROOT_SECRET_ACCESS_KEY="$S3SECRET" \
	"$VGW" --port "${ADDR[host]}:7070" --region us-east-1 --health /health --quiet \
	posix --sidecar "$WORK/s3/meta" "$WORK/s3/objects" >"$WORK/logs/versitygw.log" 2>&1 &
chown postgres: "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust \
	--encoding=UTF8 --locale=C --no-sync >"$WORK/logs/initdb.log"
echo "host all all $NET.0/24 trust" >>"$WORK/pg/data/pg_hba.conf"
in_ns host runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg/data" -k "$WORK/pg" \
	-c listen_addresses="${ADDR[host]}" -c fsync=off -c full_page_writes=off -c max_connections=200 \
	>"$WORK/logs/postgres.log" 2>&1 &
wait_tcp host "${ADDR[host]}" 6379
wait_tcp host "${ADDR[host]}" 7070
wait_tcp host "${ADDR[host]}" 5432
PSQL=("$PGBIN/psql" -h "${ADDR[host]}" -U postgres -X -q -At)
for _ in $(seq 100); do in_ns host "${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
in_ns host "$PGBIN/createdb" -h "${ADDR[host]}" -U postgres confmedia
log "host: redis ${ADDR[host]}:6379 (appendonly), versitygw ${ADDR[host]}:7070, postgresql ${ADDR[host]}:5432"

# ---- the settings every node shares ---------------------------------------
TOKEN=cm_cluster_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CONFMEDIA_DATABASE_URL="postgres://postgres@${ADDR[host]}:5432/confmedia?sslmode=disable"
export CONFMEDIA_REDIS_URL="redis://${ADDR[host]}:6379/0"
export CONFMEDIA_S3_ENDPOINT="http://${ADDR[host]}:7070"
export CONFMEDIA_S3_BUCKET=confmedia CONFMEDIA_S3_REGION=us-east-1
export CONFMEDIA_S3_ACCESS_KEY=$S3KEY CONFMEDIA_S3_SECRET_KEY=$S3SECRET
export CONFMEDIA_SESSION_KEY=$(head -c 36 /dev/urandom | base64)
export CONFMEDIA_TOKEN=$TOKEN
export CONFMEDIA_RECONCILE_INTERVAL=5s
WEB1=http://${ADDR[web1]}:8080
WEB2=http://${ADDR[web2]}:8080

# start_node NAME serve|worker [CORE]: confmedia in NAME's namespace, its own
# CONFMEDIA_DATA; a worker pinned to CORE.
start_node() {
	local n=$1 cmd=$2 core=${3:-}
	mkdir -p "$WORK/nodes/$n"
	local pin=()
	[ -z "$core" ] || pin=(taskset -c "$core")
	# ip netns exec, env and taskset each exec the next: $! is confmedia's pid.
	ip netns exec "$(ns "$n")" env CONFMEDIA_DATA="$WORK/nodes/$n" CONFMEDIA_ADDR="${ADDR[$n]}:8080" \
		CONFMEDIA_PUBLIC_URL="http://${ADDR[$n]}:8080" CONFMEDIA_CONCURRENCY="$CONC" \
		"${pin[@]}" "$BIN" "$cmd" >>"$WORK/logs/$n.log" 2>&1 &
	PID[$n]=$!
}
stop_node() {
	local n=$1
	[ -n "${PID[$n]:-}" ] || return 0
	kill -TERM "${PID[$n]}" 2>/dev/null || true
	wait "${PID[$n]}" 2>/dev/null || true
	unset "PID[$n]"
}
core_of() { echo $((($1 - 1) % CORES)); }
wait_healthy() {
	for _ in $(seq 300); do
		[ "$(in_ns host curl -s -o /dev/null -w '%{http_code}' "$1/healthz" 2>/dev/null)" = 200 ] && return 0
		sleep 0.1
	done
	echo "$1/healthz is not 200" >&2
	return 1
}
# cli NODE-URL ARGS...: the confmedia CLI, from the host namespace, against one web node.
cli() { local url=$1; shift; in_ns host env CONFMEDIA_SERVER="$url" "$BIN" "$@"; }

start_node web1 serve
start_node web2 serve
wait_healthy "$WEB1"
wait_healthy "$WEB2"
log "web1 $WEB1, web2 $WEB2: healthy"

# ---- photos and schedule ---------------------------------------------------
KIT=$WORK/clusterkit
go build -tags cluster -o "$KIT" ./cmd/confmedia/internal/clusterkit
kit() { in_ns host "$KIT" "$@"; }
"$KIT" photos -dir "$WORK/photos/main" -n "$PHOTOS" -first 0 -width "$WIDTH" -schedule "$WORK/schedule.csv"
BENCH_DIRS=()
if [ "$BENCH" -gt 0 ]; then
	for k in 1 2 3; do
		"$KIT" photos -dir "$WORK/photos/bench$k" -n "$BENCH" -first $((PHOTOS + (k - 1) * BENCH)) -width "$WIDTH"
		BENCH_DIRS+=("$WORK/photos/bench$k")
	done
fi
log "made $PHOTOS photos (+3 x $BENCH for the throughput runs) of ${WIDTH}x$((WIDTH * 3 / 4)), $(du -sh "$WORK/photos" | cut -f1)"
cli "$WEB1" schedule import --timezone UTC "$WORK/schedule.csv" >"$WORK/logs/import.log"
upload() { cli "$1" upload --room "Main Hall" --photographer "Cluster Test" "${@:2}"; }

# ---- 1. throughput with 1, 2, 3 workers ------------------------------------
RESULTS=()
total=0
if [ "$BENCH" -gt 0 ]; then
	log "throughput: $BENCH photos queued with no worker running, then drained by 1, 2, 3 workers ($CORES cores; concurrency $CONC each)"
	for k in 1 2 3; do
		upload "$WEB1" "$WORK/photos/bench$k" 2>>"$WORK/logs/upload-bench.log"
		total=$((total + BENCH))
		pins=""
		t0=$(date +%s.%N)
		for i in $(seq "$k"); do
			start_node "work$i" worker "$(core_of "$i")"
			pins+=" work$i@cpu$(core_of "$i")"
		done
		RESULTS+=("$(kit drain -want "$total" -n "$BENCH" -since "$t0" -label "$k worker(s) [${pins# }]: ")")
		log "${RESULTS[-1]}"
		for i in $(seq "$k"); do stop_node "work$i"; done
	done
fi

# ---- 2. the batch through both web nodes, one worker lost ------------------
log "batch: $PHOTOS photos, half through web1 and half through web2, 3 workers"
mkdir -p "$WORK/photos/half1" "$WORK/photos/half2"
i=0
for f in "$WORK"/photos/main/*.jpg; do
	if ((i % 2 == 0)); then ln "$f" "$WORK/photos/half1/"; else ln "$f" "$WORK/photos/half2/"; fi
	i=$((i + 1))
done
for i in 1 2 3; do start_node "work$i" worker "$(core_of "$i")"; done
start=$(date +%s.%N)
upload "$WEB1" "$WORK/photos/half1" >"$WORK/logs/upload1.out" 2>"$WORK/logs/upload1.log" &
UP1=$!
upload "$WEB2" "$WORK/photos/half2" >"$WORK/logs/upload2.out" 2>"$WORK/logs/upload2.log" &
UP2=$!
count() { in_ns host "${PSQL[@]}" -d confmedia -c "SELECT count(*) FROM media WHERE $1"; }
# Mid-batch: once the catalog has received half the batch, so that the
# uploads and the processing are both under way when work3 goes.
killed=""
for _ in $(seq 6000); do
	if [ "$(count true)" -ge $((total + PHOTOS / 2)) ]; then
		kill_ns work3 KILL
		received=$(($(count true) - total))
		processed=$(($(count "status <> 'pending'") - total))
		wait "${PID[work3]}" 2>/dev/null || true
		unset "PID[work3]"
		ip netns del "$(ns work3)"
		killed="work3 killed (SIGKILL) and its namespace deleted with $received of $PHOTOS photos received and $processed processed"
		log "$killed"
		break
	fi
	sleep 0.05
done
[ -n "$killed" ] || { echo "the batch never reached half" >&2; exit 1; }
rc=0
wait "$UP1" || rc=$?
wait "$UP2" || rc=$?
log "upload via web1: $(cat "$WORK/logs/upload1.out")"
log "upload via web2: $(cat "$WORK/logs/upload2.out")"
[ "$rc" = 0 ] || { echo "an upload failed (exit $rc)" >&2; exit 1; }
uploaded=$(date +%s.%N)
# What work3 had taken and not finished stays pending until asynq sees its
# lease expire (30 s without a heartbeat, checked every minute): note when
# only those are left (no change for 2 s), then wait for them.
last=-1 same=0
for _ in $(seq 6000); do
	left=$(count "status = 'pending'")
	if [ "$left" = "$last" ]; then same=$((same + 1)); else same=0 last=$left; fi
	{ [ "$left" = 0 ] || { [ "$left" -le "$CONC" ] && [ "$same" -ge 20 ]; }; } && break
	sleep 0.1
done
rest=$(date +%s.%N)
cli "$WEB2" wait --timeout 15m >"$WORK/logs/wait.log" 2>&1 || { cat "$WORK/logs/wait.log" >&2; exit 1; }
end=$(date +%s.%N)
BATCH=$(awk -v n="$PHOTOS" -v s="$start" -v u="$uploaded" -v r="$rest" -v e="$end" -v left="$left" 'BEGIN {
	printf "%d photos uploaded through 2 web nodes in %.1f s; ", n, u - s
	if (left > 0) printf "all but %d processed %.1f s after the start (%.1f photos/s); the last %d (work3 had them when it was killed) %.1f s after the start, once their lease expired", left, r - s, (n - left) / (r - s), left, e - s
	else printf "all processed %.1f s after the start (%.1f photos/s); work3 had none in hand", e - s, n / (e - s) }')
log "$BATCH"

# ---- 3. checks ---------------------------------------------------------------
DIRS=$WORK/photos/main
for d in "${BENCH_DIRS[@]}"; do DIRS+=",$d"; done
log "check: catalog and bucket"
kit check -dirs "$DIRS"
log "check: a session made on web1, used on both"
kit session -login "$WEB1" -other "$WEB2" -token "$TOKEN"

# ---- 4. backup, wipe, restore ------------------------------------------------
log "backup: pg_dump of the catalog, copy of the bucket"
in_ns host "$PGBIN/pg_dump" -h "${ADDR[host]}" -U postgres -Fc -f "$WORK/backup/catalog.dump" confmedia
kit bucket backup -dir "$WORK/backup/bucket"
before=$(in_ns host "${PSQL[@]}" -d confmedia -c "SELECT status || ' ' || count(*) FROM media GROUP BY status ORDER BY status" | paste -sd,)
for n in work1 work2 web1 web2; do stop_node "$n"; done
for n in work1 work2 web1 web2; do
	[ -z "$(ip netns pids "$(ns "$n")")" ] || { echo "$n still has processes after stopping" >&2; exit 1; }
done
log "wipe: drop the catalog database, empty the bucket, flush Redis"
in_ns host "$PGBIN/dropdb" -h "${ADDR[host]}" -U postgres --force confmedia
kit bucket wipe
in_ns host redis-cli -h "${ADDR[host]}" FLUSHALL >/dev/null
log "restore"
in_ns host "$PGBIN/createdb" -h "${ADDR[host]}" -U postgres confmedia
in_ns host "$PGBIN/pg_restore" -h "${ADDR[host]}" -U postgres -d confmedia --no-owner "$WORK/backup/catalog.dump"
kit bucket restore -dir "$WORK/backup/bucket"
after=$(in_ns host "${PSQL[@]}" -d confmedia -c "SELECT status || ' ' || count(*) FROM media GROUP BY status ORDER BY status" | paste -sd,)
[ "$before" = "$after" ] || { echo "status counts before the backup ($before) and after the restore ($after) differ" >&2; exit 1; }
start_node web1 serve
start_node web2 serve
wait_healthy "$WEB1"
wait_healthy "$WEB2"
kit check -dirs "$DIRS"
kit session -login "$WEB2" -other "$WEB1" -token "$TOKEN" >/dev/null
log "restore: status counts $after, as before; bucket and catalog agree; sessions work"

echo
echo "== test-cluster: passed"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "  $BATCH"
echo "  $killed"
