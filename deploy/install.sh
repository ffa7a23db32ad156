#!/usr/bin/env bash
# Installs Hato as a systemd service (docs/operations.md, "Installing as a service"):
#   sudo deploy/install.sh [JAR]        JAR defaults to gateway/target/hato-exec.jar (mvn -B -DskipTests package)
# Puts the jar in /opt/hato, the settings in /etc/hato (an existing hato.properties is kept), the unit in
# /etc/systemd/system, an administration command in /usr/local/bin/hato, and creates the system user hato.
# It neither enables nor starts the service: edit /etc/hato/hato.properties first.
# DESTDIR=/some/dir puts the files under that directory instead and skips the user, ownership and systemctl
# (for packaging, and for trying the script out).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="${1:-$here/../gateway/target/hato-exec.jar}"
dest="${DESTDIR:-}"

[[ -f "$jar" ]] || { echo "install.sh: no jar at $jar (build it: mvn -B -DskipTests package)" >&2; exit 1; }
if [[ -z "$dest" && "$(id -u)" -ne 0 ]]; then
  echo "install.sh: run as root (or with DESTDIR set)" >&2
  exit 1
fi

# owner USER:GROUP MODE PATH...: ownership only on a real installation.
owner() {
  local who="$1" mode="$2"; shift 2
  chmod "$mode" "$@"
  if [[ -z "$dest" ]]; then chown "$who" "$@"; fi
}

if [[ -z "$dest" ]] && ! getent passwd hato >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/hato --no-create-home --shell /usr/sbin/nologin \
      --comment "Hato mail gateway" hato
fi

mkdir -p "$dest/opt/hato/docs" "$dest/etc/hato" "$dest/var/lib/hato" "$dest/var/log/hato" \
    "$dest/etc/systemd/system" "$dest/usr/local/bin"
install -m 0644 "$jar" "$dest/opt/hato/hato.jar"
# The administration commands run from an extracted copy of the jar (deploy/hato-cli: docs/operations.md, "CLI
# start-up"); the JVM's class caches for it are kept in /var/lib/hato/cli-cache.
rm -rf "$dest/opt/hato/cli"
java -Djarmode=tools -jar "$dest/opt/hato/hato.jar" extract --destination "$dest/opt/hato/cli" >/dev/null
install -m 0755 "$here/hato-cli" "$dest/opt/hato/hato-cli"
cp "$here/../docs/"*.md "$dest/opt/hato/docs/"
owner root:root 0755 "$dest/opt/hato" "$dest/opt/hato/docs" "$dest/opt/hato/cli"

owner root:hato 0750 "$dest/etc/hato"
if [[ ! -e "$dest/etc/hato/hato.properties" ]]; then
  install -m 0640 "$here/hato.properties.example" "$dest/etc/hato/hato.properties"
  owner root:hato 0640 "$dest/etc/hato/hato.properties"
  fresh=1
fi
# The service creates these itself (StateDirectory, LogsDirectory); made here so that hato commands work before
# the first start.
owner hato:hato 0750 "$dest/var/lib/hato" "$dest/var/log/hato"

install -m 0644 "$here/systemd/hato.service" "$dest/etc/systemd/system/hato.service"
cat > "$dest/usr/local/bin/hato" <<'WRAPPER'
#!/bin/sh
# hato administration on this server (hato user add, hato queue list, ...): runs as the service's user, in its
# working directory, with its settings (/etc/hato/hato.properties is read when no --config is given).
set -e
if [ "$(id -un)" != hato ]; then
  if [ "$(id -u)" = 0 ]; then exec runuser -u hato -- "$0" "$@"; fi
  echo "hato: run this as root or as the hato user (sudo hato $*)" >&2
  exit 1
fi
cd /var/lib/hato
if [ "${1:-}" = serve ]; then exec java ${HATO_JAVA_OPTS:-} -jar /opt/hato/hato.jar "$@"; fi
exec /opt/hato/hato-cli /opt/hato/cli/hato.jar /var/lib/hato/cli-cache "$@"
WRAPPER
chmod 0755 "$dest/usr/local/bin/hato"

if [[ -z "$dest" ]] && [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
fi

echo "Hato installed in ${dest:-}/opt/hato."
if [[ -n "${fresh:-}" ]]; then
  echo "Next: edit ${dest:-}/etc/hato/hato.properties (hato.host-name, certificate), then:"
else
  echo "Kept the existing ${dest:-}/etc/hato/hato.properties. Next:"
fi
echo "  systemctl enable --now hato    # first start; later: systemctl restart hato"
echo "  hato domain add example.org    # administration, as root or hato"
