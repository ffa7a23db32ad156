#!/usr/bin/env bash
# Webmail side by side, in one run (issue 15 item 8): Hato's webmail (embedded PostgreSQL) and Roundcube from
# Debian on Dovecot from Debian (Maildir), the same 100,000 messages in one account's INBOX on both. WebmailLoad
# (benchmarks jar) measures, per target: one session alone (first page of the folder, then open one message on it,
# sequentially, nothing else running), then SESSIONS sessions doing the same in a loop while a background sender
# delivers BG_RATE messages a second to another account of the same server (Hato: its MTA port over SMTP;
# Dovecot: its LMTP port, which is where Postfix would hand the mail over); then the page weight of the list page.
# Hato gets the messages over SMTP (SEED_CONNECTIONS at once), Dovecot as Maildir files it then indexes.
# Writes a CSV; docs/benchmarks.md explains the figures.
#
#   mvn -B -DskipTests package                       # gateway/target/hato-exec.jar, benchmarks/target/benchmarks.jar
#   DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-lmtpd roundcube roundcube-sqlite3 \
#     apache2 libapache2-mod-php                     # the Roundcube side; TARGETS=hato needs none of it
#   benchmarks/scripts/webmail-load.sh [WORK_DIR]   # as root; ~30 minutes with 100,000 messages
#
# Knobs (environment): TARGETS ("hato roundcube"), MESSAGES (100000 in the big INBOX), SESSIONS (200), DURATION
# (60 s measured with SESSIONS sessions), WARMUP (30 s of 20 sessions per target first, not recorded; a further 5 s
# before each measurement), SINGLE (30 s of one session, no think time), THINK_MS (0; the SESSIONS sessions' pause
# after each opened message, their starts spread over one such pause), BG_RATE (20 messages/s of 10 KiB during the
# SESSIONS measurement), SEED_CONNECTIONS (8 connections per server while seeding), REUSE=1 (keep WORK_DIR's
# seeded servers from an earlier run with the same MESSAGES: start them again instead of seeding), HATO_POOL_SIZE
# (hato.store.pool-size, 10 as Hato ships), MAX_ERROR_PERCENT (100: errors are recorded, never end the run; lower
# to stop at a measurement with more failed requests than that), SEED_ONLY=1 (stop after seeding, for REUSE=1
# later), PYTHON, OUT
# (docs/img), HATO_ROOT (the checkout, when running a copy of this script), HATO_JAVA_OPTS, ports HATO_HTTPS
# (12443), HATO_SMTP (12025), DOVECOT_IMAP (12143), DOVECOT_IMAPS (12993), DOVECOT_LMTP (12024), ROUNDCUBE_HTTPS
# (12444).
# Roundcube runs in an Apache of its own over HTTPS, with Roundcube's own .htaccess (so mod_deflate compresses its
# responses as Debian's install would), configured in WORK_DIR (ROUNDCUBE_CONFIG_DIR, an SQLite database there);
# /etc/roundcube, the system's Apache and PHP-FPM are not changed. ROUNDCUBE_PHP=prefork (default): mpm_prefork +
# mod_php 8.2, what apt-get install roundcube apache2 libapache2-mod-php gives, up to 320 processes (one per
# connection); ROUNDCUBE_PHP=fpm (apt-get install php8.2-fpm): mpm_event keeps the connections and hands PHP to
# FPM_CHILDREN (16) PHP-FPM processes, so that requests queue instead of 200 PHP processes sharing the cores.
# Every response of every request is checked (WebmailLoad counts a wrong one, or none within 60 s, as an error).
set -euo pipefail

ROOT="${HATO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${1:-/tmp/hato-webmail-load}"
TARGETS="${TARGETS:-hato roundcube}"
MESSAGES="${MESSAGES:-100000}"
SESSIONS="${SESSIONS:-200}"
DURATION="${DURATION:-60}"
WARMUP="${WARMUP:-30}"
SINGLE="${SINGLE:-30}"
THINK_MS="${THINK_MS:-0}"
BG_RATE="${BG_RATE:-20}"
SEED_CONNECTIONS="${SEED_CONNECTIONS:-8}"
REUSE="${REUSE:-0}"
HATO_POOL_SIZE="${HATO_POOL_SIZE:-10}"
ROUNDCUBE_PHP="${ROUNDCUBE_PHP:-prefork}"
FPM_CHILDREN="${FPM_CHILDREN:-16}"
MAX_ERROR_PERCENT="${MAX_ERROR_PERCENT:-100}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="${OUT:-$ROOT/docs/img}"
HATO_HTTPS="${HATO_HTTPS:-12443}"
HATO_SMTP="${HATO_SMTP:-12025}"
DOVECOT_IMAP="${DOVECOT_IMAP:-12143}"
DOVECOT_IMAPS="${DOVECOT_IMAPS:-12993}"
DOVECOT_LMTP="${DOVECOT_LMTP:-12024}"
ROUNDCUBE_HTTPS="${ROUNDCUBE_HTTPS:-12444}"
HATO_JAR="$ROOT/gateway/target/hato-exec.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
SCRIPTS="$ROOT/benchmarks/scripts"
ROUNDCUBE_WEB=/var/lib/roundcube/public_html
APACHE_MODULES=/usr/lib/apache2/modules

tools="java psql $PYTHON"
[[ " $TARGETS " == *" roundcube "* ]] && tools="$tools dovecot doveadm apache2 sqlite3"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "webmail-load: $tool not found (see the header of this script)" >&2; exit 1; }
done
[[ " $TARGETS " == *" roundcube "* && ! -f "$ROUNDCUBE_WEB/index.php" ]] \
  && { echo "webmail-load: Roundcube not installed (see the header of this script)" >&2; exit 1; }
for jar in "$HATO_JAR" "$BENCH_JAR"; do
  [[ -f "$jar" ]] || { echo "webmail-load: $jar missing: mvn -B -DskipTests package" >&2; exit 1; }
done
for n in $MESSAGES $SESSIONS $DURATION $WARMUP $SINGLE $BG_RATE $SEED_CONNECTIONS; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "webmail-load: not a positive number: $n" >&2; exit 1; }
done
# shellcheck source=proc-cpu.sh
source "$SCRIPTS/proc-cpu.sh"  # ticks, per_unit: CPU of a server's process tree

# REUSE=1 keeps what an earlier run seeded with the same MESSAGES (markers seeded-<target>-MESSAGES) and seeds the rest.
if [[ "$REUSE" == 1 ]] && compgen -G "$WORK/seeded-*-$MESSAGES" >/dev/null; then
  rm -f "$WORK/run.log" "$WORK/hato.log"
else
  REUSE=0
  rm -rf "$WORK"
fi
seeded() { [[ -f "$WORK/seeded-$1-$MESSAGES" ]]; }
mkdir -p "$WORK" "$OUT"
CSV="$OUT/webmail-load.csv"
WEIGHT_CSV="$OUT/webmail-weight.csv"
LOG="$WORK/run.log"
echo "target,phase,sessions,request,count,per_s,p50_ms,p99_ms,max_ms,errors,server_cpu_ms_per_request,load1" > "$CSV"
echo "target,resource,status,content_type,octets,sent_octets,content_encoding,gzip_octets,cache_control" > "$WEIGHT_CSV"
say() { echo "$*" | tee -a "$LOG"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

DOVECOT_DIR="$WORK/dovecot"
APACHE_DIR="$WORK/apache"
HATO_PID=""
FPM_PID=""
TRICKLE_PID=""
cleanup() {
  trap '' TERM INT  # a second signal must not cut the clean-up short
  [[ -n "$TRICKLE_PID" ]] && kill "$TRICKLE_PID" 2>/dev/null || true
  [[ -f "$APACHE_DIR/httpd.pid" ]] && apache2 -f "$APACHE_DIR/httpd.conf" -k stop 2>/dev/null || true
  [[ -n "${FPM_PID:-}" ]] && kill "$FPM_PID" 2>/dev/null || true
  [[ -f "$DOVECOT_DIR/dovecot.conf" ]] && doveadm -c "$DOVECOT_DIR/dovecot.conf" stop 2>/dev/null || true
  if [[ -n "$HATO_PID" ]]; then
    kill "$HATO_PID" 2>/dev/null || true  # SIGTERM: Hato stops its listeners and its PostgreSQL
    wait "$HATO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

say "webmail-load: $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "  targets [$TARGETS], $MESSAGES messages in the big INBOX, $SESSIONS sessions for $DURATION s with $BG_RATE msg/s" \
    "in the background, one session for $SINGLE s, think time $THINK_MS ms"

# --- accounts: "big" holds the folder every session browses; "trickle" receives the background mail ----------------
cat > "$WORK/people.csv" <<CSV
address,display_name,auth_id,password
big@hato.bench.example,Big Folder,big,pw-big-folder
trickle@hato.bench.example,Background,trickle,pw-trickle-in
CSV
printf 'big\tpw-big-folder\tbig@hato.bench.example\n' > "$WORK/hato-big.tsv"
printf 'big\tpw-big-folder\tbig@dovecot.bench.example\n' > "$WORK/dovecot-big.tsv"

# --- Hato ----------------------------------------------------------------------------------------------------------
HATO_DATA="$WORK/hato-data"
if [[ " $TARGETS " == *" hato "* ]]; then
  if ! seeded hato; then
    rm -rf "$HATO_DATA"
    java -jar "$HATO_JAR" domain add hato.bench.example --data-dir "$HATO_DATA" >>"$LOG" 2>&1
    java -jar "$HATO_JAR" user import "$WORK/people.csv" --out "$WORK/issued.csv" --data-dir "$HATO_DATA" >>"$LOG" 2>&1
  fi
  # shellcheck disable=SC2086
  java ${HATO_JAVA_OPTS:-} -jar "$HATO_JAR" serve --data-dir "$HATO_DATA" --hato.host-name=localhost \
    --hato.ports.smtp="$HATO_SMTP" --hato.ports.https="$HATO_HTTPS" --hato.ports.imaps=0 --hato.ports.managesieve=0 --hato.ports.imap=0 \
    --hato.ports.submissions=0 --hato.ports.submission=0 --hato.ports.pop3=0 --hato.ports.pop3s=0 \
    --hato.ports.http=0 --hato.max-connections-per-address=1000 --hato.store.pool-size="$HATO_POOL_SIZE" \
    > "$WORK/hato.log" 2>&1 &
  HATO_PID=$!
  for _ in $(seq 1 240); do
    grep -q "Stop with Ctrl-C" "$WORK/hato.log" && break
    kill -0 "$HATO_PID" 2>/dev/null || { echo "webmail-load: Hato did not start, see $WORK/hato.log" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "Stop with Ctrl-C" "$WORK/hato.log" || { echo "webmail-load: Hato not up after 120 s" >&2; exit 1; }
  PGPORT="$(sed -n 4p "$HATO_DATA/postgres/postmaster.pid")"
  PG_PID="$(sed -n 1p "$HATO_DATA/postgres/postmaster.pid")"
  say "  Hato pid $HATO_PID (PostgreSQL $PG_PID, pool of $HATO_POOL_SIZE connections), HTTPS 127.0.0.1:$HATO_HTTPS, SMTP 127.0.0.1:$HATO_SMTP"
fi
hato_sql() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq \
  -v ON_ERROR_STOP=1 -c "$1"; }
hato_count() { # messages in an account's INBOX
  hato_sql "SELECT count(*) FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN account a ON a.id = b.account_id
            WHERE a.auth_id = '$1' AND b.name = 'INBOX'"
}

# --- Dovecot and Roundcube -----------------------------------------------------------------------------------------
if [[ " $TARGETS " == *" roundcube "* ]]; then
  seeded roundcube || rm -rf "$DOVECOT_DIR/home" "$WORK/roundcube"
  DOVECOT_IMAPS="$DOVECOT_IMAPS" DOVECOT_IMAP="$DOVECOT_IMAP" DOVECOT_LMTP="$DOVECOT_LMTP" DOVECOT_VERY_DIRTY_SYNCS=yes \
    "$SCRIPTS/dovecot-setup.sh" "$DOVECOT_DIR" big:pw-big-folder trickle:pw-trickle-in >>"$LOG"
  DOVECOT_PID="$(cat "$DOVECOT_DIR/run/master.pid")"
  say "  Dovecot $(dovecot --version | cut -d' ' -f1) pid $DOVECOT_PID, IMAP 127.0.0.1:$DOVECOT_IMAP, LMTP 127.0.0.1:$DOVECOT_LMTP"

  RC="$WORK/roundcube"
  mkdir -p "$RC/config" "$RC/db" "$RC/logs" "$RC/temp" "$APACHE_DIR"
  ln -sf /etc/roundcube/defaults.inc.php /etc/roundcube/mimetypes.php "$RC/config/"
  # Roundcube's Debian defaults, except: IMAP is this Dovecot (plain IMAP on loopback, which Dovecot counts as
  # secure, as a Roundcube next to its Dovecot is usually set up), the database and logs are in WORK_DIR.
  cat > "$RC/config/config.inc.php" <<PHP
<?php
// Written by benchmarks/scripts/webmail-load.sh; throwaway.
\$config = [];
\$config['db_dsnw'] = 'sqlite:///$RC/db/roundcube.db?mode=0640';
\$config['imap_host'] = '127.0.0.1:$DOVECOT_IMAP';
\$config['smtp_host'] = '127.0.0.1:$HATO_SMTP';
\$config['support_url'] = '';
\$config['des_key'] = '$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')';
\$config['plugins'] = [];
\$config['skin'] = 'elastic';
\$config['enable_spellcheck'] = false;
\$config['log_dir'] = '$RC/logs/';
\$config['temp_dir'] = '$RC/temp/';
\$config['session_lifetime'] = 30;
PHP
  [[ -f "$RC/db/roundcube.db" ]] || sqlite3 "$RC/db/roundcube.db" < /usr/share/roundcube/SQL/sqlite.initial.sql
  chown -R www-data:www-data "$RC/db" "$RC/logs" "$RC/temp"
  chmod 755 "$WORK" "$RC" "$RC/config"
  [[ -f "$APACHE_DIR/key.pem" ]] || cp "$DOVECOT_DIR/cert.pem" "$DOVECOT_DIR/key.pem" "$APACHE_DIR/"
  cat > "$APACHE_DIR/httpd.conf" <<CONF
# Written by benchmarks/scripts/webmail-load.sh; throwaway. Roundcube over HTTPS on 127.0.0.1:$ROUNDCUBE_HTTPS.
ServerRoot /etc/apache2
ServerName localhost
PidFile $APACHE_DIR/httpd.pid
Mutex file:$APACHE_DIR default
DefaultRuntimeDir $APACHE_DIR
ErrorLog $APACHE_DIR/error.log
LogLevel warn
User www-data
Group www-data
Listen 127.0.0.1:$ROUNDCUBE_HTTPS
$(for m in authz_core authz_host mime dir alias env setenvif rewrite filter deflate expires headers \
    socache_shmcb ssl; do echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"; done)
$(if [[ "$ROUNDCUBE_PHP" == fpm ]]; then cat <<FPM
LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule proxy_module $APACHE_MODULES/mod_proxy.so
LoadModule proxy_fcgi_module $APACHE_MODULES/mod_proxy_fcgi.so
# Threads keep the connections (kept alive cheaply by the event MPM); PHP runs in PHP-FPM's FPM_CHILDREN processes.
ServerLimit 16
StartServers 4
ThreadsPerChild 25
MaxRequestWorkers 400
FPM
else cat <<PREFORK
LoadModule mpm_prefork_module $APACHE_MODULES/mod_mpm_prefork.so
LoadModule php_module $APACHE_MODULES/libphp8.2.so
# One process per connection (mod_php needs prefork): room for every session's keep-alive connection.
StartServers 64
MinSpareServers 16
MaxSpareServers 256
ServerLimit 320
MaxRequestWorkers 320
MaxConnectionsPerChild 0
PREFORK
fi)
TypesConfig /etc/mime.types
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 15
SSLSessionCache shmcb:$APACHE_DIR/ssl_scache(512000)
SSLEngine on
SSLCertificateFile $APACHE_DIR/cert.pem
SSLCertificateKeyFile $APACHE_DIR/key.pem
SSLProtocol -all +TLSv1.2 +TLSv1.3
SetEnv ROUNDCUBE_CONFIG_DIR $RC/config
DocumentRoot $ROUNDCUBE_WEB
DirectoryIndex index.php
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory /var/lib/roundcube/>
  Options +FollowSymLinks
  AllowOverride All
  Require all granted
</Directory>
<FilesMatch "\.php\$">
  SetHandler $( [[ "$ROUNDCUBE_PHP" == fpm ]] && echo "\"proxy:unix:$APACHE_DIR/php-fpm.sock|fcgi://localhost\"" || echo application/x-httpd-php)
</FilesMatch>
CONF
  rm -f "$APACHE_DIR/httpd.pid" "$APACHE_DIR/php-fpm.pid" "$APACHE_DIR/php-fpm.sock"
  if [[ "$ROUNDCUBE_PHP" == fpm ]]; then
    command -v php-fpm8.2 >/dev/null || { say "webmail-load: ROUNDCUBE_PHP=fpm needs apt-get install php8.2-fpm"; exit 1; }
    cat > "$APACHE_DIR/php-fpm.conf" <<FPMCONF
; Written by benchmarks/scripts/webmail-load.sh; throwaway.
[global]
pid = $APACHE_DIR/php-fpm.pid
error_log = $APACHE_DIR/php-fpm.log
daemonize = yes
[roundcube]
user = www-data
group = www-data
listen = $APACHE_DIR/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.backlog = 1024
pm = static
pm.max_children = $FPM_CHILDREN
env[ROUNDCUBE_CONFIG_DIR] = $RC/config
FPMCONF
    php-fpm8.2 -y "$APACHE_DIR/php-fpm.conf" -c /etc/php/8.2/fpm/php.ini
    for _ in $(seq 1 50); do [[ -f "$APACHE_DIR/php-fpm.pid" ]] && break; sleep 0.1; done
    FPM_PID="$(cat "$APACHE_DIR/php-fpm.pid")"
  fi
  apache2 -f "$APACHE_DIR/httpd.conf" -t >>"$LOG" 2>&1 || { say "webmail-load: Apache's configuration is wrong"; exit 1; }
  apache2 -f "$APACHE_DIR/httpd.conf" -k start
  for _ in $(seq 1 50); do [[ -f "$APACHE_DIR/httpd.pid" ]] && break; sleep 0.1; done
  APACHE_PID="$(cat "$APACHE_DIR/httpd.pid")"
  if [[ "$ROUNDCUBE_PHP" == fpm ]]; then how="event, PHP-FPM $(php -r 'echo PHP_VERSION;') x $FPM_CHILDREN, pid $FPM_PID"
  else how="prefork, mod_php $(php -r 'echo PHP_VERSION;')"; fi
  say "  Roundcube $(sed -n "s/.*define('RCMAIL_VERSION', '\([^']*\)'.*/\1/p" /usr/share/roundcube/program/include/iniset.php)" \
      "in Apache $(apache2 -v | sed -n 's/.*Apache\/\([^ ]*\).*/\1/p') ($how) pid $APACHE_PID, HTTPS 127.0.0.1:$ROUNDCUBE_HTTPS"
fi
dovecot_count() { doveadm -c "$DOVECOT_DIR/dovecot.conf" -f flow mailbox status -u "$1" messages INBOX | sed 's/.*=//'; }

# --- the same messages in both --------------------------------------------------------------------------------------
t0=$(date +%s)
pids=()
if [[ " $TARGETS " == *" roundcube "* ]] && ! seeded roundcube; then
  # The message files straight into the Maildir, then Dovecot indexes the folder once: LMTP into one folder with
  # 8 connections slowed from 300 to under 30 messages/s past 20,000 messages here (every delivery re-reads the
  # growing dovecot-uidlist that the others changed), which would take hours for 100,000.
  ( "$PYTHON" "$SCRIPTS/imap-seed.py" --maildir "$DOVECOT_DIR/home/%u/Maildir" "$WORK/dovecot-big.tsv" "$MESSAGES" 1 \
    && chown -R "$(stat -c %u:%g "$DOVECOT_DIR/home")" "$DOVECOT_DIR/home" \
    && doveadm -c "$DOVECOT_DIR/dovecot.conf" force-resync -u big INBOX \
    && doveadm -c "$DOVECOT_DIR/dovecot.conf" index -u big INBOX ) > "$WORK/seed-dovecot.out" 2>&1 &
  pids+=($!)
fi
if [[ " $TARGETS " == *" hato "* ]] && ! seeded hato; then
  "$PYTHON" "$SCRIPTS/imap-seed.py" --smtp "$HATO_SMTP" "$WORK/hato-big.tsv" "$MESSAGES" 1 \
    "$SEED_CONNECTIONS" > "$WORK/seed-hato.out" 2>&1 &
  pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p" || { say "webmail-load: seeding failed:"; cat "$WORK"/seed-*.out | tee -a "$LOG"; exit 1; }; done
(( ${#pids[@]} == 0 )) || say "  seeded in $(( $(date +%s) - t0 )) s ($SEED_CONNECTIONS connections per server, both at once)"
[[ " $TARGETS " == *" hato "* ]] && { n=$(hato_count big); say "  Hato: $n messages in big's INBOX"
  (( n >= MESSAGES )) || { say "webmail-load: Hato holds $n, not $MESSAGES"; exit 1; }; touch "$WORK/seeded-hato-$MESSAGES"; }
[[ " $TARGETS " == *" roundcube "* ]] && { n=$(dovecot_count big); say "  Dovecot: $n messages in big's INBOX"
  (( n >= MESSAGES )) || { say "webmail-load: Dovecot holds $n, not $MESSAGES"; exit 1; }; touch "$WORK/seeded-roundcube-$MESSAGES"; }
[[ "${SEED_ONLY:-0}" == 1 ]] && { say "webmail-load: seeded; SEED_ONLY=1 stops here $(date -u +%FT%TZ)"; exit 0; }

webmail() { # webmail TARGET ARGS...
  local target=$1 port
  shift
  case "$target" in
    hato) port=$HATO_HTTPS ;;
    roundcube) port=$ROUNDCUBE_HTTPS ;;
  esac
  java -Xmx1g -cp "$BENCH_JAR" dev.hato.bench.load.WebmailLoad --target "$target" \
    --url "https://127.0.0.1:$port" --user big --password pw-big-folder --think-ms "$THINK_MS" "$@"
}
server_pids() {
  case "$1" in
    hato) echo "$HATO_PID $PG_PID" ;;
    roundcube) echo "$APACHE_PID $DOVECOT_PID $FPM_PID" ;;
  esac
}
trickle() { # trickle TARGET SECONDS: background mail to the other account, in the background; sets TRICKLE_PID
  local how port to
  case "$1" in
    hato) how=--smtp; port=$HATO_SMTP; to=trickle@hato.bench.example ;;
    roundcube) how=--lmtp; port=$DOVECOT_LMTP; to=trickle@dovecot.bench.example ;;
  esac
  "$PYTHON" "$SCRIPTS/mail-trickle.py" "$how" "$port" "$to" "$BG_RATE" "$2" > "$WORK/trickle-$1.out" 2>&1 &
  TRICKLE_PID=$!
}

# One measurement: prints and records WebmailLoad's rows with the servers' CPU per request.
measure() { # measure TARGET PHASE SESSIONS SECONDS WARMUP THINK_MS
  local target=$1 phase=$2 sessions=$3 seconds=$4 warmup=$5 think=$6 rows s0 s1 requests cpu errors
  s0=$(ticks $(server_pids "$target"))
  rows=$(webmail "$target" --sessions "$sessions" --seconds "$seconds" --warmup "$warmup" --think-ms "$think" --csv 2>>"$LOG") \
    || { say "webmail-load: WebmailLoad against $target ($phase) failed:"; echo "$rows" | tee -a "$LOG"; exit 1; }
  s1=$(ticks $(server_pids "$target"))
  requests=$(echo "$rows" | awk -F, '$2 == "requests" { print $3 }')
  [[ -n "$requests" ]] || { say "webmail-load: no summary from WebmailLoad against $target"; exit 1; }
  errors=$(echo "$rows" | awk -F, '$2 == "requests" { print $8 }')
  (( errors * 100 <= (requests + errors) * MAX_ERROR_PERCENT )) || { say "webmail-load: $errors of $requests requests to $target failed"; echo "$rows" | tee -a "$LOG"; exit 1; }
  # Server CPU over warm-up and measurement, divided by the requests of both (at the measured rate).
  cpu=$(per_unit $(( s1 - s0 )) "$(awk -v c="$requests" -v s="$seconds" -v w="$warmup" 'BEGIN { printf "%d", c * (s + w) / s }')")
  echo "$rows" | awk -F, -v OFS=, -v p="$phase" -v n="$sessions" -v cpu="$cpu" -v load="$(load1)" \
    '{ print $1, p, n, $2, $3, $4, $5, $6, $7, $8, ($2 == "requests" ? cpu : ""), load }' >> "$CSV"
  echo "$rows" | awk -F, -v t="$target" -v n="$sessions" -v cpu="$cpu" -v load="$(load1)" '
    $2 == "requests" { printf "  %-9s %3d sessions: %7.1f requests/s, %d errors; server CPU %s ms per request (load %s)\n", t, n, $4, $8, cpu, load }
    $2 != "requests" { printf "            %-12s n=%-6d %7.1f/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  errors %d\n", $2, $3, $4, $5, $6, $7, $8 }' \
    | tee -a "$LOG"
}

# --- warm-up (JIT, PHP's opcache, both servers' caches of the folder), not recorded ---------------------------------
for target in $TARGETS; do
  # One session first: Roundcube creates its user record at the first login, and concurrent first logins race.
  webmail "$target" --sessions 1 --seconds 2 --warmup 0 >>"$LOG" 2>&1 \
    || { say "webmail-load: one session against $target failed (see $LOG)"; exit 1; }
  say "  warm-up: $WARMUP s of 20 sessions against $target"
  webmail "$target" --sessions 20 --seconds "$WARMUP" --warmup 0 --think-ms 0 >>"$LOG" 2>&1 \
    || { say "webmail-load: the warm-up against $target failed (see $LOG)"; exit 1; }
done

# --- one session alone, no background mail ---------------------------------------------------------------------------
for target in $TARGETS; do
  say "  one session, $SINGLE s, $target:"
  measure "$target" single 1 "$SINGLE" 3 0
done

# --- SESSIONS sessions while mail arrives ----------------------------------------------------------------------------
for target in $TARGETS; do
  say "  $SESSIONS sessions, $DURATION s, $BG_RATE msg/s of background mail, $target:"
  # The background mail runs from before the logins until the measurement has ended (then it is stopped).
  trickle "$target" $(( DURATION + 5 + 600 ))
  sleep 2
  measure "$target" loaded "$SESSIONS" "$DURATION" 5 "$THINK_MS"
  kill -TERM "$TRICKLE_PID" 2>/dev/null || true
  wait "$TRICKLE_PID" || { say "webmail-load: the background mail to $target failed: $(cat "$WORK/trickle-$target.out")"; exit 1; }
  TRICKLE_PID=""
  say "            background mail: $(awk '{ printf "%d delivered, %d refused in %s s", $1, $2, $3 }' "$WORK/trickle-$target.out")"
done

# --- page weight -------------------------------------------------------------------------------------------------------
for target in $TARGETS; do
  webmail "$target" --weight 2>>"$LOG" | sed "s/^/$target,/" | tee -a "$WEIGHT_CSV" >>"$LOG" \
    || { say "webmail-load: page weight of $target failed"; exit 1; }
  awk -F, -v t="$target" '$1 == t { raw += $5; sent += $6; gz += $8; n++ }
    END { printf "  page weight %-9s %d resources: %d octets, %d sent with Accept-Encoding: gzip, %d gzipped here\n", t, n, raw, sent, gz }' \
    "$WEIGHT_CSV" | tee -a "$LOG"
done

say "webmail-load: done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg); $CSV, $WEIGHT_CSV, $LOG"
