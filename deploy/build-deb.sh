#!/usr/bin/env bash
# Builds the Debian package masque-relay_<version>_amd64.deb from this checkout's build output
# (cli/target: the cli jar and lib/), with dpkg-deb. Usage: deploy/build-deb.sh [OUTDIR]
#
#   /opt/masque/lib/*.jar                         the cli jar and every runtime dependency
#   /usr/bin/masque                               java -cp '/opt/masque/lib/*' ... MasqueCli "$@"
#   /lib/systemd/system/masque-{ingress,egress,issuer}.service   the units of deploy/systemd
#   /usr/lib/sysusers.d/masque.conf               the masque system user
#   /usr/share/doc/masque-relay/examples/         deploy/config's samples and the monitoring files
#
# The units are installed, not enabled: put the configs and keys in /etc/masque first
# (deploy/README.md), then systemctl enable --now masque-ingress (or -egress, -issuer).
# MASQUE_SKIP_BUILD=1: never build, fail if cli/target is missing (tests set it).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
OUT="${1:-$ROOT/target}"
VERSION_MAVEN=0.1.0-SNAPSHOT
VERSION_DEB=0.1.0~snapshot
JAR="$ROOT/cli/target/cli-$VERSION_MAVEN.jar"
LIB="$ROOT/cli/target/lib"

command -v dpkg-deb >/dev/null 2>&1 || { echo "build-deb: dpkg-deb not found (apt-get install dpkg)" >&2; exit 1; }
if [[ ! -f "$JAR" || ! -d "$LIB" ]]; then
  [[ "${MASQUE_SKIP_BUILD:-}" == 1 ]] && { echo "build-deb: $JAR or $LIB missing" >&2; exit 1; }
  # shellcheck disable=SC2086 # MASQUE_MAVEN_ARGS is a list of arguments
  (cd "$ROOT" && ./mvnw -B -q -DskipTests ${MASQUE_MAVEN_ARGS:-} -pl cli -am package >&2)
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/masque-relay"
install -d "$PKG/DEBIAN" "$PKG/opt/masque/lib" "$PKG/usr/bin" "$PKG/lib/systemd/system" \
  "$PKG/usr/lib/sysusers.d" "$PKG/usr/share/doc/masque-relay/examples"
install -m 0644 "$JAR" "$LIB"/*.jar "$PKG/opt/masque/lib/"
install -m 0644 "$ROOT"/deploy/systemd/masque-*.service "$PKG/lib/systemd/system/"
install -m 0644 "$ROOT/deploy/systemd/masque.sysusers.conf" "$PKG/usr/lib/sysusers.d/masque.conf"
install -m 0644 "$ROOT"/deploy/config/* "$ROOT/deploy/prometheus/masque-alerts.yaml" \
  "$ROOT/deploy/grafana/masque-dashboard.json" "$PKG/usr/share/doc/masque-relay/examples/"
install -m 0644 "$ROOT/deploy/README.md" "$PKG/usr/share/doc/masque-relay/README.deploy.md"
cat > "$PKG/usr/bin/masque" <<'LAUNCHER'
#!/bin/sh
# masque-relay's command (see masque --help). Runs the jars the package installed.
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${MASQUE_JAVA_OPTS:-} -Dio.netty.leakDetection.level=disabled \
  -cp '/opt/masque/lib/*' org.masquerelay.cli.MasqueCli "$@"
LAUNCHER
chmod 0755 "$PKG/usr/bin/masque"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: masque-relay
Version: $VERSION_DEB
Architecture: amd64
Maintainer: The masque-relay authors
Depends: openjdk-17-jre-headless | java17-runtime-headless
Section: net
Priority: optional
Description: two-hop MASQUE privacy relay (ingress, egress, Privacy Pass issuer)
 A client tunnels through two relays run by different operators (RFC 9298 connect-udp over
 QUIC, nested QUIC inside), so that no single party learns both who the user is and what they
 reach. Ships the masque command, hardened systemd units and sample configs.
CONTROL
cat > "$PKG/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if command -v systemd-sysusers >/dev/null 2>&1; then systemd-sysusers masque.conf || true; fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
POSTINST
chmod 0755 "$PKG/DEBIAN/postinst"
mkdir -p "$OUT"
DEB="$OUT/masque-relay_${VERSION_DEB}_amd64.deb"
dpkg-deb --root-owner-group --build "$PKG" "$DEB" >&2
echo "$DEB"
