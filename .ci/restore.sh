#!/usr/bin/env bash
# make test-restore: the backup and restore of docs/DEPLOY.md against the
# private Redis, versitygw and PostgreSQL of `confmedia services` (run as
# `bin/confmedia services -- .ci/restore.sh`). One `serve` and one `worker`
# process a batch of photos; then pg_dump of the catalog and a copy of the
# bucket; everything stopped; database dropped, bucket emptied, Redis
# flushed; pg_restore and the bucket put back; and the catalog, the bucket
# and a sign-in checked again. RESTORE_PHOTOS (default 100) sets the batch.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CONFMEDIA_TEST_DATABASE_URL:?no private PostgreSQL: run under bin/confmedia services with postgresql installed}"
: "${CONFMEDIA_TEST_REDIS_URL:?run under bin/confmedia services}"
BIN=${CONFMEDIA_BIN:-$PWD/bin/confmedia}
PHOTOS=${RESTORE_PHOTOS:-100}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGBIN=${PGBIN:-$(dirname "$(command -v pg_dump)")}
WORK=$(mktemp -d /tmp/confmedia-restore.XXXXXX)
PIDS=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
stop_all() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
}
cleanup() {
	local rc=$?
	set +e
	stop_all
	if [ "$rc" != 0 ]; then
		echo "test-restore FAILED (exit $rc)" >&2
		for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }; done
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A database of our own beside the server's "postgres" one.
ADMIN_URL=$CONFMEDIA_TEST_DATABASE_URL
DB_URL=${ADMIN_URL/\/postgres\?/\/confmedia_restore?}
[ "$DB_URL" != "$ADMIN_URL" ] || { echo "unexpected database URL $ADMIN_URL" >&2; exit 2; }
PSQL=("$PGBIN/psql" -X -q -At)
"${PSQL[@]}" "$ADMIN_URL" -c 'DROP DATABASE IF EXISTS confmedia_restore' -c 'CREATE DATABASE confmedia_restore'

PORT=""
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 30000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port" >&2; exit 1; }

export CONFMEDIA_DATABASE_URL=$DB_URL
export CONFMEDIA_REDIS_URL=$CONFMEDIA_TEST_REDIS_URL
export CONFMEDIA_S3_ENDPOINT=$CONFMEDIA_TEST_S3_ENDPOINT CONFMEDIA_S3_REGION=$CONFMEDIA_TEST_S3_REGION
export CONFMEDIA_S3_ACCESS_KEY=$CONFMEDIA_TEST_S3_ACCESS_KEY CONFMEDIA_S3_SECRET_KEY=$CONFMEDIA_TEST_S3_SECRET_KEY
export CONFMEDIA_S3_BUCKET=confmedia-restore-$$
export CONFMEDIA_SESSION_KEY=$(head -c 36 /dev/urandom | base64)
export CONFMEDIA_TOKEN=cm_restore_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CONFMEDIA_ADDR=127.0.0.1:$PORT CONFMEDIA_DATA=$WORK/data
export CONFMEDIA_SERVER=http://127.0.0.1:$PORT
URL=$CONFMEDIA_SERVER

start() {
	"$BIN" serve >>"$WORK/serve.log" 2>&1 &
	PIDS+=($!)
	[ "${1:-}" = serve-only ] || { "$BIN" worker >>"$WORK/worker.log" 2>&1 & PIDS+=($!); }
	for _ in $(seq 300); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ] && return 0
		sleep 0.1
	done
	echo "$URL/healthz is not 200" >&2
	return 1
}
statuses() { "${PSQL[@]}" "$DB_URL" -c "SELECT status || ' ' || count(*) FROM media GROUP BY status ORDER BY status" | paste -sd,; }

KIT=$WORK/clusterkit
go build -tags cluster -o "$KIT" ./cmd/confmedia/internal/clusterkit
"$KIT" photos -dir "$WORK/photos" -n "$PHOTOS" -schedule "$WORK/schedule.csv"
start
log "serve on $URL and a worker; catalog $CONFMEDIA_S3_BUCKET / confmedia_restore"
"$BIN" schedule import --timezone UTC "$WORK/schedule.csv" >/dev/null
"$BIN" upload --room "Main Hall" --photographer "Restore Test" "$WORK/photos" 2>/dev/null
"$BIN" wait --timeout 5m >/dev/null
"$KIT" check -dirs "$WORK/photos"
before=$(statuses)

log "backup: pg_dump, bucket copy"
"$PGBIN/pg_dump" -Fc -f "$WORK/catalog.dump" "$DB_URL"
"$KIT" bucket backup -dir "$WORK/bucket"
stop_all
log "wipe: database dropped, bucket emptied, Redis flushed"
"${PSQL[@]}" "$ADMIN_URL" -c 'DROP DATABASE confmedia_restore WITH (FORCE)'
"$KIT" bucket wipe
redis-cli -s "${CONFMEDIA_REDIS_URL#redis-socket://}" FLUSHALL >/dev/null
if "${PSQL[@]}" "$DB_URL" -c 'SELECT 1' >/dev/null 2>&1; then echo "the database survived the wipe" >&2; exit 1; fi

log "restore"
"${PSQL[@]}" "$ADMIN_URL" -c 'CREATE DATABASE confmedia_restore'
"$PGBIN/pg_restore" --no-owner -d "$DB_URL" "$WORK/catalog.dump"
"$KIT" bucket restore -dir "$WORK/bucket"
after=$(statuses)
[ "$before" = "$after" ] || { echo "status counts before ($before) and after ($after) differ" >&2; exit 1; }
start serve-only
"$KIT" check -dirs "$WORK/photos"
"$KIT" session -login "$URL" -other "$URL" -token "$CONFMEDIA_TOKEN" >/dev/null
"$KIT" bucket wipe >/dev/null
"${PSQL[@]}" "$ADMIN_URL" -c 'DROP DATABASE confmedia_restore WITH (FORCE)'
log "test-restore: passed ($after before and after; bucket and catalog agree; sign-in works)"
