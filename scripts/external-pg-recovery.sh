#!/usr/bin/env bash
# The external-PostgreSQL recipes of docs/operations.md ("External PostgreSQL: pg_dump and point-in-time recovery")
# played against a real Hato: PostgreSQL 15 from Debian (package postgresql-15) in a temporary cluster with WAL
# archiving, Hato on it through hato.store.url, mail delivered with swaks, then
#   1. pg_dump -Fc while Hato runs, pg_restore into a new database, Hato started on it: the mail of the dump is there;
#   2. pg_basebackup, more mail, the WAL archived, the cluster lost; the base backup restored with restore_command and
#      recovery to the end of the archive, Hato started on it: all the mail is there, the last message included.
# Run by hand (about two minutes; it needs root for the postgres system user, and swaks, curl, python3):
#   apt-get install -y postgresql-15 swaks curl
#   mvn -B -DskipTests package && scripts/external-pg-recovery.sh [path/to/hato-exec.jar]
# Prints one line per check and "N passed, M failed"; exits 1 when a check failed. Loopback only, free ports.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$root/gateway/target/hato-exec.jar}"
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
work="$(mktemp -d /tmp/hato-pg-recovery.XXXXXX)"
chown postgres: "$work"
passed=0 failed=0 pg_pid_dir="" server_pid=""

as_pg() { runuser -u postgres -- "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
check() { # check NAME COMMAND...
  local name="$1"; shift
  if "$@" >"$work/check.out" 2>&1; then passed=$((passed + 1)); echo "ok   - $name"
  else failed=$((failed + 1)); echo "FAIL - $name"; sed 's/^/       /' "$work/check.out" | tail -20; fi
}
pg_start() { as_pg "$pgbin/pg_ctl" -D "$1" -l "$1.log" -o "-p $PGPORT -k $work -c listen_addresses=127.0.0.1" -w start >/dev/null; }
pg_stop() { as_pg "$pgbin/pg_ctl" -D "$1" -m "${2:-fast}" -w stop >/dev/null 2>&1; }
psql_() { as_pg "$pgbin/psql" -h "$work" -p "$PGPORT" -X -q -v ON_ERROR_STOP=1 "$@"; }
hato_start() { # hato_start DATABASE DATA_DIR
  read -r SMTP POP3S MGMT < <(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
  java -jar "$jar" serve --data-dir "$2" --hato.host-name=localhost \
    --hato.store.url="r2dbc:postgresql://127.0.0.1:$PGPORT/$1" --hato.store.username=hato \
    --hato.store.password=hato-secret --hato.ports.smtp="$SMTP" --hato.ports.pop3s="$POP3S" \
    --hato.ports.management="$MGMT" --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 \
    --hato.ports.imap=0 --hato.ports.imaps=0 --hato.ports.managesieve=0 --hato.ports.http=0 --hato.ports.https=0 \
    --hato.outbound.enabled=false >"$2.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    grep -q "Stop with Ctrl-C" "$2.log" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
  done
  cat "$2.log"; return 1
}
hato_stop() { [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
hato() { HATO_STORE_URL="r2dbc:postgresql://127.0.0.1:$PGPORT/$DB" HATO_STORE_USERNAME=hato \
  HATO_STORE_PASSWORD=hato-secret java -jar "$jar" "$@"; }
send() { swaks --server "127.0.0.1:$SMTP" --from sender@remote.example --to alice@example.org \
  --header "Subject: $1" --body "message $1" --silent 2; }
subjects() { # the subjects in alice's maildrop over POP3S, one per line, sorted
  local n
  n="$(curl -sSk --user "$AUTH_ID:alice-secret-1" "pop3s://127.0.0.1:$POP3S/" | wc -l)"
  for i in $(seq 1 "$n"); do
    curl -sSk --user "$AUTH_ID:alice-secret-1" "pop3s://127.0.0.1:$POP3S/$i" | sed -n 's/^Subject: //p' | tr -d '\r'
  done | sort
}
cleanup() {
  hato_stop
  for d in "$work/cluster" "$work/restored"; do [[ -f "$d/postmaster.pid" ]] && pg_stop "$d" immediate; done
  rm -rf "$work"
}
trap cleanup EXIT

[[ -x "$pgbin/initdb" ]] || { echo "external-pg-recovery: no PostgreSQL in $pgbin (apt-get install postgresql-15)"; exit 2; }
[[ -f "$jar" ]] || { echo "external-pg-recovery: $jar not found (mvn -B -DskipTests package)"; exit 2; }
PGPORT="$(free_port)"; DB=hato

# A cluster that archives its write-ahead log, as operations.md says.
as_pg mkdir -p "$work/archive"
as_pg "$pgbin/initdb" -D "$work/cluster" -U postgres --auth=trust >/dev/null
cat >>"$work/cluster/postgresql.conf" <<EOF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $work/archive/%f && cp %p $work/archive/%f'
EOF
pg_start "$work/cluster"
psql_ -U postgres -c "CREATE ROLE hato LOGIN PASSWORD 'hato-secret'" -c "CREATE DATABASE hato OWNER hato"

hato_start hato "$work/data" || exit 1
hato domain add example.org >/dev/null
AUTH_ID="$(echo alice-secret-1 | hato user add alice@example.org --password-stdin)"
check "two messages delivered to Hato on PostgreSQL 15" bash -c "$(declare -f send); SMTP=$SMTP; send one && send two"

# 1. pg_dump while Hato runs, restored into a new database.
as_pg "$pgbin/pg_dump" -h "$work" -p "$PGPORT" -U postgres -Fc -d hato -f "$work/hato.dump"
check "pg_dump took a snapshot while Hato ran" test -s "$work/hato.dump"
check "a third message after the dump" bash -c "$(declare -f send); SMTP=$SMTP; send three"

# 2. A base backup, then more mail.
as_pg "$pgbin/pg_basebackup" -h "$work" -p "$PGPORT" -U postgres -D "$work/base" -X none -c fast
check "a fourth message after the base backup" bash -c "$(declare -f send); SMTP=$SMTP; send four"
check "Hato has all four" bash -c "[[ \"\$(echo \$($(declare -f subjects); AUTH_ID=$AUTH_ID POP3S=$POP3S subjects))\" == 'four one three two' ]]"
hato_stop
psql_ -U postgres -c "SELECT pg_switch_wal()" >/dev/null   # the last segment goes to the archive
sleep 2

as_pg "$pgbin/createdb" -h "$work" -p "$PGPORT" -U postgres -O hato hato_restored
as_pg "$pgbin/pg_restore" -h "$work" -p "$PGPORT" -U postgres -d hato_restored --no-owner --role=hato "$work/hato.dump"
hato_start hato_restored "$work/data-dump" || exit 1
check "pg_restore: Hato starts on the restored database with the mail of the dump (one, two)" \
  bash -c "[[ \"\$(echo \$($(declare -f subjects); AUTH_ID=$AUTH_ID POP3S=$POP3S subjects))\" == 'one two' ]]"
hato_stop

# The cluster is lost; the base backup and the archive bring it back to the end of the archive.
pg_stop "$work/cluster" immediate
as_pg mv "$work/cluster" "$work/lost"
as_pg cp -a "$work/base" "$work/restored"
cat >>"$work/restored/postgresql.conf" <<EOF
archive_mode = off
restore_command = 'cp $work/archive/%f %p'
recovery_target_timeline = 'latest'
EOF
as_pg touch "$work/restored/recovery.signal"
pg_start "$work/restored"
for _ in $(seq 1 60); do
  [[ "$(psql_ -U postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" == f ]] && break; sleep 1
done
hato_start hato "$work/data-pitr" || exit 1
check "point-in-time recovery: Hato finds all four messages, the one after the base backup too" \
  bash -c "[[ \"\$(echo \$($(declare -f subjects); AUTH_ID=$AUTH_ID POP3S=$POP3S subjects))\" == 'four one three two' ]]"
hato_stop
pg_stop "$work/restored"

echo "external-pg-recovery: $passed passed, $failed failed"
(( failed == 0 ))
