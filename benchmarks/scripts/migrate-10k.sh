#!/usr/bin/env bash
# Benchmark of issue 17's copier: one person's 10,000 messages copied from Dovecot (the Debian package, set up by
# dovecot-setup.sh) by `hato migrate copy` over IMAPS, next to Dovecot's own `doveadm backup` (dsync) of the same
# mailbox into a fresh Maildir on the same machine. Then `hato migrate verify` (every message fetched again and
# its SHA-256 compared) and a second, incremental `hato migrate copy` (nothing new to copy).
#
#   benchmarks/scripts/migrate-10k.sh [DIR]        (default /tmp/hato-migrate-bench; it is deleted first)
#
# Needs gateway/target/hato-exec.jar (mvn -B -DskipTests package) and root (Dovecot's mail user). MESSAGES
# (10000) and SEED (17) choose the mailbox: imap-seed.py's messages, 1 to about 24 KiB, written as Maildir files.
# `hato migrate copy` starts the embedded PostgreSQL in DIR/hato itself (no server runs); its wall time includes
# that start (about 3 s, see "Start-up of the hato commands"), so the script also prints a `hato migrate status`
# run, whose time is the fixed cost alone. dsync reads the files directly; Hato reads over IMAP with TLS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/gateway/target/hato-exec.jar"
dir="${1:-/tmp/hato-migrate-bench}"
messages="${MESSAGES:-10000}"
seed="${SEED:-17}"
[[ -f "$jar" ]] || { echo "missing $jar: run mvn -B -DskipTests package" >&2; exit 1; }
doveadm -c "$dir/dovecot/dovecot.conf" stop 2>/dev/null || true
rm -rf "$dir"
mkdir -p "$dir"
export DOVECOT_IMAPS="${DOVECOT_IMAPS:-11993}" DOVECOT_IMAP="${DOVECOT_IMAP:-11143}" DOVECOT_LMTP="${DOVECOT_LMTP:-11024}"
mail_user="${DOVECOT_MAIL_USER:-hatobench}"

"$root/benchmarks/scripts/dovecot-setup.sh" "$dir/dovecot" "bench:bench-pw" >/dev/null
trap 'doveadm -c "$dir/dovecot/dovecot.conf" stop 2>/dev/null || true' EXIT
printf 'bench\tbench-pw\tbench@bench.example\n' > "$dir/accounts.tsv"
python3 "$root/benchmarks/scripts/imap-seed.py" --maildir "$dir/dovecot/home/%u/Maildir" "$dir/accounts.tsv" \
  "$messages" "$seed" >/dev/null
chown -R "$mail_user:" "$dir/dovecot/home"
octets=$(find "$dir/dovecot/home/bench/Maildir/cur" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "== $(nproc) cores, $(java -version 2>&1 | head -1), $messages messages, $octets octets in the source"

hato() { java ${HATO_JAVA_OPTS:-} -jar "$jar" "$@" --data-dir "$dir/hato"; }
timed() { # LABEL COMMAND...
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" -v n="$messages" -v o="$octets" 'BEGIN {
    t = e - s; printf "%s: %.2f s, %.0f messages/s, %.1f MB/s\n", l, t, n / t, o / t / 1e6 }'
}

hato domain add bench.example >/dev/null
echo "hato-bench-pw" | hato user add bench@bench.example --auth-id bench.hato --password-stdin >/dev/null
hato legacy add bench-old --imap "127.0.0.1:$DOVECOT_IMAPS" --imap-tls implicit --trust "$dir/dovecot/cert.pem" >/dev/null
hato legacy login bench.hato bench >/dev/null
hato route set bench.hato legacy bench-old >/dev/null
# Dovecot indexes the new Maildir on first access; do that before timing either side.
doveadm -c "$dir/dovecot/dovecot.conf" mailbox status -u bench messages INBOX

timed "fixed cost (hato migrate status)" sh -c "java ${HATO_JAVA_OPTS:-} -jar '$jar' migrate status \
  --data-dir '$dir/hato' > /dev/null"
timed "hato migrate copy (IMAPS, UIDs kept)" sh -c "echo bench-pw | java ${HATO_JAVA_OPTS:-} -jar '$jar' migrate copy \
  bench.hato --password-stdin --data-dir '$dir/hato' > '$dir/copy.out'"
tail -1 "$dir/copy.out"
timed "hato migrate verify (every message's SHA-256)" sh -c "echo bench-pw | java ${HATO_JAVA_OPTS:-} -jar '$jar' \
  migrate verify bench.hato --password-stdin --data-dir '$dir/hato' > '$dir/verify.out'"
tail -1 "$dir/verify.out"
timed "hato migrate copy again (nothing new)" sh -c "echo bench-pw | java ${HATO_JAVA_OPTS:-} -jar '$jar' migrate \
  copy bench.hato --password-stdin --data-dir '$dir/hato' > '$dir/again.out'"
tail -1 "$dir/again.out"

mkdir -p "$dir/dsync"
chown "$mail_user:" "$dir/dsync"
timed "doveadm backup (dsync, Maildir to Maildir)" doveadm -c "$dir/dovecot/dovecot.conf" backup -u bench \
  "maildir:$dir/dsync/Maildir"
echo "dsync copy: $(find "$dir/dsync/Maildir" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l) message files"
