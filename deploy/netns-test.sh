#!/usr/bin/env bash
# deploy/netns-test.sh: the multi-host acceptance test (issue 3). Needs root; skips otherwise.
#
# Six network namespaces stand for six hosts, each with its own IPv4 and IPv6 subnet, joined by
# veth pairs to a router namespace ("the internet"):
#
#   client  192.0.2.130      2001:db8:c::130  ─┐
#   ingress 192.0.2.1        2001:db8:1::1    ─┤
#   egress  198.51.100.10    2001:db8:e::10   ─┼─ net (router; routes the egress's pools to it)
#   origin  198.51.100.80    2001:db8:5::80   ─┤
#   dns     198.51.100.153   2001:db8:53::53  ─┘
#
# The relays run the sample configs of deploy/config/ unchanged except for file paths, the
# client's server names (the test's CA issues *.localhost names) and the egress's destination
# allow-list (documentation space, where the origin lives, is refused by default). The egress
# holds London's pool, 203.0.113.64/28 and 2001:db8:100::/64, as AnyIP routes on lo; the ingress's
# geo.csv places the client in London; dnsmasq serves v6.origin.test (AAAA and A) and
# v4.origin.test (A only). Through both hops, the origin must see a London pool address of the
# target's family, never the client's. Prints a report; exits non-zero on any failure, with the
# relays' logs.
#
#   sudo deploy/netns-test.sh          # about a minute; KEEP=1 keeps the work directory,
#                                      # MQ_NETNS_ID=x names the namespaces mq-x-* (default: the PID)
#
# The DNS server has a namespace of its own rather than sharing the origin's: the egress must
# reach its resolver over the network, as in production, and a resolver answering from the
# origin's own host could hide a routing mistake between the egress and everything else.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # ip, ss and dnsmasq live there

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MASQUE="$ROOT/masque"
SAMPLES="$ROOT/deploy/config"

if [[ "$(id -u)" -ne 0 ]]; then
  echo "SKIP: deploy/netns-test.sh needs root (it creates network namespaces)"
  exit 0
fi
for tool in ip dnsmasq curl java ss timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: deploy/netns-test.sh needs $tool (apt-get install -y iproute2 dnsmasq-base curl coreutils)" >&2
    exit 1
  fi
done

# ---- names and addresses -------------------------------------------------------------------
ID="${MQ_NETNS_ID:-$$}"
NS_NET="mq-$ID-net" NS_CLIENT="mq-$ID-client" NS_INGRESS="mq-$ID-ingress"
NS_EGRESS="mq-$ID-egress" NS_ORIGIN="mq-$ID-origin" NS_DNS="mq-$ID-dns"

CLIENT4=192.0.2.130 CLIENT6=2001:db8:c::130
UNKNOWN4=192.0.2.170                       # also the client's, but outside geo.csv's 192.0.2.128/27
INGRESS4=192.0.2.1 INGRESS6=2001:db8:1::1
EGRESS4=198.51.100.10 EGRESS6=2001:db8:e::10
ORIGIN4=198.51.100.80 ORIGIN6=2001:db8:5::80
DNS4=198.51.100.153 DNS6=2001:db8:53::53
POOL4=203.0.113.64/28 POOL6=2001:db8:100::/64
ORIGIN_PORT=8080
INGRESS_ADMIN=127.0.0.1:9433 EGRESS_ADMIN=127.0.0.1:9434   # as in the samples, inside each namespace
WAIT_SECONDS=60                            # every readiness wait is bounded by this

WORK="$(mktemp -d "/tmp/mq-netns-$ID.XXXXXX")"
NAMESPACES=()
declare -A PID=() LOG=()
PASSED=0 FAILED=0
REPORT=()

now_ms() { date +%s%3N; }
T0=$(now_ms)
say() { printf '[%6.1fs] %s\n' "$(( $(now_ms) - T0 ))e-3" "$*"; }
pass() { PASSED=$((PASSED + 1)); say "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); say "FAIL $*"; }
die() { say "FAIL $*"; FAILED=$((FAILED + 1)); exit 1; }

# ---- cleanup: always, even on failure or Ctrl-C --------------------------------------------
# stop_pid NAME SIGNAL SECONDS: signals, waits up to SECONDS, then SIGKILLs; sets STOP_STATUS.
stop_pid() {
  local name=$1 sig=$2 seconds=$3 pid=${PID[$1]:-} i
  STOP_STATUS=
  [[ -n "$pid" ]] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  STOP_STATUS=0
  wait "$pid" 2>/dev/null || STOP_STATUS=$?
  unset "PID[$name]"
}

cleanup() {
  local rc=$? name ns p
  trap - EXIT
  trap '' INT TERM   # a second Ctrl-C must not cut the cleanup short; it is bounded anyway
  set +e
  for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null; done
  for name in "${!PID[@]}"; do stop_pid "$name" TERM 15; done
  # Anything else still running in our namespaces was started by this script too.
  for ns in "${NAMESPACES[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  [[ "${DEB_INSTALLED_HERE:-0}" == 1 ]] && dpkg -r masque-relay >/dev/null 2>&1
  if [[ $rc -ne 0 || $FAILED -ne 0 ]]; then
    for name in egress ingress origin dns; do
      [[ -n "${LOG[$name]:-}" && -f "${LOG[$name]}" ]] || continue
      echo "----- $name log, last 80 lines -----"
      tail -n 80 "${LOG[$name]}"
    done
    [[ $rc -ne 0 ]] || rc=1
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  echo "netns: $PASSED passed, $FAILED failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers ---------------------------------------------------------------------------------
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

start() {  # start NAME NAMESPACE COMMAND...: runs in the background, output to WORK/NAME.log
  local name=$1 ns=$2; shift 2
  LOG[$name]="$WORK/$name.log"
  ip netns exec "$ns" "$@" >"${LOG[$name]}" 2>&1 &
  PID[$name]=$!
}

wait_until() {  # wait_until NAME DESCRIPTION COMMAND...: retries for WAIT_SECONDS while NAME runs
  local name=$1 what=$2 deadline=$(( $(now_ms) + WAIT_SECONDS * 1000 )); shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited before $what"
    (( $(now_ms) < deadline )) || die "$name: no $what within ${WAIT_SECONDS}s"
    sleep 0.3
  done
}

# render SRC DST [FROM TO]...: copies a sample, replacing each FROM (which must occur) by TO.
render() {
  local src=$1 dst=$2 text; shift 2
  text="$(cat "$src")"
  while (($#)); do
    [[ "$text" == *"$1"* ]] || die "sample $src no longer contains '$1'; update deploy/netns-test.sh"
    text="${text//"$1"/"$2"}"
    shift 2
  done
  mkdir -p "$(dirname "$dst")"
  printf '%s\n' "$text" >"$dst"
}

# in_prefix4 ADDRESS PREFIX/LEN
in_prefix4() {
  local a=$1 net=${2%/*} len=${2#*/} x y
  [[ "$a" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  IFS=. read -r a1 a2 a3 a4 <<<"$a"; IFS=. read -r n1 n2 n3 n4 <<<"$net"
  x=$(( (a1 << 24) | (a2 << 16) | (a3 << 8) | a4 )); y=$(( (n1 << 24) | (n2 << 16) | (n3 << 8) | n4 ))
  (( (x >> (32 - len)) == (y >> (32 - len)) ))
}

expand6() {  # prints the 8 groups of an IPv6 address, 4 hex digits each, colon-separated
  local a=${1,,} head tail i missing out=""
  [[ "$a" =~ ^[0-9a-f:]+$ && "$a" == *:* ]] || return 1
  if [[ "$a" == *::* ]]; then head=${a%%::*} tail=${a#*::}; else head=$a tail=""; fi
  local -a H=() T=()
  [[ -z "$head" ]] || IFS=: read -ra H <<<"$head"
  [[ -z "$tail" ]] || IFS=: read -ra T <<<"$tail"
  missing=$(( 8 - ${#H[@]} - ${#T[@]} ))
  [[ "$a" == *::* ]] || (( missing == 0 )) || return 1
  (( missing >= 0 )) || return 1
  for i in "${H[@]}"; do out+=$(printf '%04x:' "0x$i"); done
  for ((i = 0; i < missing; i++)); do out+="0000:"; done
  for i in "${T[@]}"; do out+=$(printf '%04x:' "0x$i"); done
  echo "${out%:}"
}

in_prefix64() {  # in_prefix64 ADDRESS PREFIX/64
  local a p
  a=$(expand6 "$1") || return 1
  p=$(expand6 "${2%/*}") || return 1
  [[ "${2#*/}" == 64 && "${a:0:19}" == "${p:0:19}" ]]
}

# ---- build once, outside the namespaces -----------------------------------------------------
say "work directory $WORK"
"$MASQUE" --version >/dev/null    # builds on first use; the namespaced runs then start at once
export MASQUE_JAVA_OPTS="${MASQUE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

# ---- the relays run from the Debian package, installed as an operator would ----------------------
# deploy/build-deb.sh packs this build; dpkg installs it (and removes it at the end if it was not
# installed before). MQ_NETNS_DEB=0 runs the relays from ./masque instead, e.g. where dpkg is absent.
RELAY="$MASQUE"
if [[ "${MQ_NETNS_DEB:-1}" == 1 ]]; then
  command -v dpkg >/dev/null 2>&1 || die "dpkg is needed to install the package (or set MQ_NETNS_DEB=0)"
  dpkg -s masque-relay >/dev/null 2>&1 || DEB_INSTALLED_HERE=1
  DEB=$("$ROOT/deploy/build-deb.sh" "$WORK/deb" 2>/dev/null) || die "deploy/build-deb.sh failed"
  dpkg -i "$DEB" >"$WORK/dpkg.log" 2>&1 || die "dpkg -i $DEB failed: $(tail -5 "$WORK/dpkg.log")"
  [[ -x /usr/bin/masque ]] || die "the package installed no /usr/bin/masque"
  RELAY=/usr/bin/masque
  [[ "$("$RELAY" --version)" == "$("$MASQUE" --version)" ]] || die "the installed masque is another version"
  pass "the .deb ($(basename "$DEB")) installs with dpkg; the relays run from /usr/bin/masque"
fi

# ---- the network -----------------------------------------------------------------------------
for ns in "$NS_NET" "$NS_CLIENT" "$NS_INGRESS" "$NS_EGRESS" "$NS_ORIGIN" "$NS_DNS"; do
  ip netns add "$ns"
  NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
done
in_ns "$NS_NET" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# link NS ROUTER_IF HOST4/LEN ROUTER4 HOST6/64 ROUTER6: a veth from the router to a host.
link() {
  local ns=$1 rif=$2 h4=$3 r4=$4 h6=$5 r6=$6 len4=${3#*/}
  ip link add "$rif" netns "$NS_NET" type veth peer name eth0 netns "$ns"
  ip -n "$NS_NET" addr add "$r4/$len4" dev "$rif"
  ip -n "$NS_NET" -6 addr add "$r6/64" dev "$rif" nodad
  ip -n "$NS_NET" link set "$rif" up
  ip -n "$ns" addr add "$h4" dev eth0
  ip -n "$ns" -6 addr add "$h6" dev eth0 nodad
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$r4"
  ip -n "$ns" -6 route add default via "$r6"
}
link "$NS_INGRESS" mq-ingress "$INGRESS4/26" 192.0.2.62     "$INGRESS6/64" 2001:db8:1::ff
link "$NS_CLIENT"  mq-client  "$CLIENT4/26"  192.0.2.190    "$CLIENT6/64"  2001:db8:c::ff
link "$NS_EGRESS"  mq-egress  "$EGRESS4/26"  198.51.100.62  "$EGRESS6/64"  2001:db8:e::ff
link "$NS_ORIGIN"  mq-origin  "$ORIGIN4/26"  198.51.100.126 "$ORIGIN6/64"  2001:db8:5::ff
link "$NS_DNS"     mq-dns     "$DNS4/26"     198.51.100.190 "$DNS6/64"     2001:db8:53::ff
ip -n "$NS_CLIENT" addr add "$UNKNOWN4/26" dev eth0
# The pools are routed to the egress, which can bind every address in them (AnyIP).
ip -n "$NS_NET" route add "$POOL4" via "$EGRESS4"
ip -n "$NS_NET" -6 route add "$POOL6" via "$EGRESS6"
ip -n "$NS_EGRESS" route add local "$POOL4" dev lo
ip -n "$NS_EGRESS" -6 route add local "$POOL6" dev lo
in_ns "$NS_EGRESS" sysctl -qw net.ipv6.ip_nonlocal_bind=1
say "namespaces up: ${NAMESPACES[*]}"

# ---- keys, certificates and configs, one directory per host --------------------------------
# A test CA and relay certificates (names ingress.localhost and egress.localhost) from `init`;
# only its PKI files are used.
"$MASQUE" init "$WORK/pki" >/dev/null
KEY_ID=ingress-2026a
[[ "$("$MASQUE" keys generate --out "$WORK/ingress/geo" --key-id "$KEY_ID" 2>/dev/null)" == "$KEY_ID" ]] \
  || die "masque keys generate did not print the key id"
install -D -m 0644 "$WORK/ingress/geo/$KEY_ID.pub" "$WORK/egress/geo/$KEY_ID.pub"
install -D -m 0644 "$WORK/pki/ingress.crt" "$WORK/ingress/tls/ingress.crt"
install -D -m 0600 "$WORK/pki/ingress.key" "$WORK/ingress/tls/ingress.key"
install -D -m 0644 "$WORK/pki/egress.crt" "$WORK/egress/tls/egress.crt"
install -D -m 0600 "$WORK/pki/egress.key" "$WORK/egress/tls/egress.key"
install -D -m 0644 "$WORK/pki/ca.crt" "$WORK/client/ca.crt"

render "$SAMPLES/ingress.yaml" "$WORK/ingress/ingress.yaml" /etc/masque/ "$WORK/ingress/"
render "$SAMPLES/geo.csv" "$WORK/ingress/geo.csv"
render "$SAMPLES/egress.yaml" "$WORK/egress/egress.yaml" /etc/masque/ "$WORK/egress/" \
  "allow: []" "allow: [198.51.100.64/26, \"2001:db8:5::/64\"]   # the test origin (documentation space)"
render "$SAMPLES/pool.yaml" "$WORK/egress/pool.yaml"
render "$SAMPLES/client.yaml" "$WORK/client/client.yaml" \
  ingress.example.net ingress.localhost egress.example.net egress.localhost

for f in ingress egress; do
  if out=$("$RELAY" "$f" --config "$WORK/$f/$f.yaml" --check-config 2>&1); then
    pass "deploy/config/$f.yaml passes --check-config"
  else
    fail "deploy/config/$f.yaml: $out"
  fi
done
if out=$("$MASQUE" pool check --config "$WORK/egress/pool.yaml" 2>&1); then
  pass "deploy/config/pool.yaml passes pool check ($out)"
else
  fail "deploy/config/pool.yaml: $out"
fi
((FAILED == 0)) || die "the sample configs are invalid"

# ---- start dnsmasq, the origin and both relays -------------------------------------------------
mkdir -p "$WORK/dns"
start dns "$NS_DNS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
  --pid-file= --user=nobody --group=nogroup --bind-interfaces --port=53 \
  --listen-address="$DNS4" --listen-address="$DNS6" --local=/test/ \
  --host-record="v6.origin.test,$ORIGIN4,$ORIGIN6" --host-record="v4.origin.test,$ORIGIN4" \
  --log-queries --log-facility=-
start origin "$NS_ORIGIN" "$MASQUE" origin --listen "$ORIGIN4:$ORIGIN_PORT" --listen "[$ORIGIN6]:$ORIGIN_PORT"
start egress "$NS_EGRESS" "$RELAY" egress --config "$WORK/egress/egress.yaml"
start ingress "$NS_INGRESS" "$RELAY" ingress --config "$WORK/ingress/ingress.yaml"

T_START=$(now_ms)
wait_until dns "DNS listener" in_ns "$NS_DNS" sh -c "ss -Hlun 'sport = :53' | grep -q ."
wait_until origin "HTTP listener" in_ns "$NS_ORIGIN" curl -sf --max-time 2 "http://$ORIGIN4:$ORIGIN_PORT/whoami"
wait_until origin "HTTP listener on IPv6" in_ns "$NS_ORIGIN" curl -sf --max-time 2 "http://[$ORIGIN6]:$ORIGIN_PORT/whoami"
wait_until egress "/healthz" in_ns "$NS_EGRESS" curl -sf --max-time 2 "http://$EGRESS_ADMIN/healthz"
wait_until ingress "/healthz" in_ns "$NS_INGRESS" curl -sf --max-time 2 "http://$INGRESS_ADMIN/healthz"
STARTUP_MS=$(( $(now_ms) - T_START ))
pass "dnsmasq, origin, egress and ingress are up in $((STARTUP_MS))ms"

# ---- control: the origin reports the peer it sees -------------------------------------------
direct=$(in_ns "$NS_CLIENT" curl -sf --max-time 10 "http://$ORIGIN4:$ORIGIN_PORT/whoami" || true)
if [[ "$direct" == "$CLIENT4" ]]; then
  pass "control: a direct fetch from the client is seen from $direct"
else
  fail "control: a direct fetch from the client was seen from '$direct', expected $CLIENT4"
fi

# ---- through both hops -----------------------------------------------------------------------
# fetch NAME URL [ARGS...]: sets BODY, ERR, STATUS and FETCH_MS
fetch() {
  local name=$1 url=$2 t; shift 2
  t=$(now_ms)
  STATUS=0
  timeout -k 5 90 ip netns exec "$NS_CLIENT" "$MASQUE" fetch "$url" --config "$WORK/client/client.yaml" \
    --timeout-seconds 60 "$@" >"$WORK/$name.body" 2>"$WORK/$name.err" || STATUS=$?
  FETCH_MS=$(( $(now_ms) - t ))
  BODY=$(tr -d '\r\n' <"$WORK/$name.body")
  # The outcome line: "200 13 bytes in 963.1 ms" or "error: ...".
  ERR=$(grep -E '^(error: |[0-9]{3} [0-9]+ bytes)' "$WORK/$name.err" | tail -n 1 || true)
}

check_fetch() {  # check_fetch NAME HOST FAMILY_CHECK POOL
  local name=$1 host=$2 check=$3 pool=$4
  fetch "$name" "http://$host:$ORIGIN_PORT/whoami"
  if [[ $STATUS -ne 0 ]]; then
    fail "$host: masque fetch exited $STATUS: $ERR"
  elif [[ "$BODY" == "$CLIENT4" || "$BODY" == "$CLIENT6" || "$BODY" == "$UNKNOWN4" ]]; then
    fail "$host: the origin saw the client's own address $BODY"
  elif ! "$check" "$BODY" "$pool"; then
    fail "$host: the origin saw '$BODY', not an address in London's $pool"
  else
    pass "$host: the origin saw $BODY, inside London's $pool"
  fi
  REPORT+=("$(printf '%-18s -> %-34s %5sms with JVM start; %s' "$host" "${BODY:-none}" "$FETCH_MS" "$ERR")")
}
check_fetch v6 v6.origin.test in_prefix64 "$POOL6"
check_fetch v4 v4.origin.test in_prefix4 "$POOL4"

# A client address geo.csv does not place: the ingress (unknown-location: deny) refuses it.
fetch unknown "http://v4.origin.test:$ORIGIN_PORT/whoami" --bind "$UNKNOWN4"
if [[ $STATUS -ne 0 && "$ERR" == *403* && "$ERR" == *http_request_denied* && -z "$BODY" ]]; then
  pass "an unplaced client ($UNKNOWN4) is refused by the ingress: $ERR"
else
  fail "an unplaced client ($UNKNOWN4): exit $STATUS, body '$BODY', $ERR (expected 403 http_request_denied)"
fi
REPORT+=("$(printf '%-18s -> %-34s %5sms with JVM start; %s' "from $UNKNOWN4" "refused" "$FETCH_MS" "$ERR")")

# Informational: what the egress still holds once the clients have exited.
EGRESS_GAUGES=$(in_ns "$NS_EGRESS" curl -sf --max-time 10 "http://$EGRESS_ADMIN/metrics" \
  | grep -E '^masque_egress_(connections|flows)[ {]' | tr '\n' ' ' || true)

# ---- the published geofeed ---------------------------------------------------------------------
csv=$(in_ns "$NS_EGRESS" curl -sf --max-time 10 "http://$EGRESS_ADMIN/egress-ranges.csv" || true)
got=$(grep -v '^#' <<<"$csv" | grep . | sort || true)
want=$(printf '%s\n' "$POOL4,GB,GB-ENG,London," "$POOL6,GB,GB-ENG,London," | sort)
if [[ "$got" == "$want" ]]; then
  pass "GET /egress-ranges.csv lists exactly London's $POOL4 and $POOL6"
else
  fail "GET /egress-ranges.csv: got [$got], expected [$want]"
fi

# ---- UDP blocked between client and ingress: the HTTP/2 fallback -------------------------------
# The same fetch over QUIC first (its time is the baseline), then with every UDP packet from the
# client to the ingress dropped on the way: the client's default transport
# (auto) must fall back to HTTP/2 on TCP 443 and fetch byte-exact, within 500 ms of QUIC's time.
ms_of() { sed -nE 's/^[0-9]{3} [0-9]+ bytes in ([0-9]+)\.[0-9] ms.*/\1/p' <<<"$1"; }
BIG=/bytes/1048576
fetch h3 "http://$ORIGIN4:$ORIGIN_PORT/whoami" --transport h3
H3_ERR=$ERR H3_MS=$(ms_of "$ERR")
fetch h3big "http://$ORIGIN4:$ORIGIN_PORT$BIG" --transport h3 --output "$WORK/h3big.bin"
# The router drops them: a policy rule sends UDP from the client to the ingress to a blackhole
# route, which discards silently, as a firewall that blocks UDP does (no ICMP, so QUIC just
# waits; TCP is untouched).
udp_block() {  # udp_block add|del
  ip -n "$NS_NET" rule "$1" pref 90 ipproto udp from "$CLIENT4" to "$INGRESS4" table 90
  ip -n "$NS_NET" -6 rule "$1" pref 90 ipproto udp from "$CLIENT6" to "$INGRESS6" table 90
}
ip -n "$NS_NET" route add blackhole "$INGRESS4/32" table 90
ip -n "$NS_NET" -6 route add blackhole "$INGRESS6/128" table 90
udp_block add
fetch h2 "http://$ORIGIN4:$ORIGIN_PORT/whoami"
H2_ERR=$ERR H2_MS=$(ms_of "$ERR") H2_STATUS=$STATUS H2_BODY=$BODY
fetch h2big "http://$ORIGIN4:$ORIGIN_PORT$BIG" --output "$WORK/h2big.bin"
H2BIG_ERR=$ERR
fetch h3blocked "http://$ORIGIN4:$ORIGIN_PORT/whoami" --transport h3
H3BLOCKED_STATUS=$STATUS H3BLOCKED_ERR=$ERR
udp_block del
if [[ $H2_STATUS -ne 0 || "$H2_ERR" != *"via h2 capsules"* ]]; then
  fail "UDP blocked: masque fetch exited $H2_STATUS: $H2_ERR (expected a fetch via h2 capsules)"
elif ! in_prefix4 "$H2_BODY" "$POOL4"; then
  fail "UDP blocked: the origin saw '$H2_BODY' over HTTP/2, not an address in London's $POOL4"
elif [[ -z "$H3_MS" || -z "$H2_MS" ]] || (( H2_MS > H3_MS + 500 )); then
  fail "UDP blocked: HTTP/2 took ${H2_MS:-?} ms, QUIC ${H3_MS:-?} ms ($H3_ERR); expected within 500 ms"
else
  pass "UDP blocked: auto fell back to HTTP/2 ($H2_ERR; QUIC: $H3_ERR), $((H2_MS - H3_MS)) ms more, from $H2_BODY"
fi
h3sum=$(sha256sum <"$WORK/h3big.bin" | cut -d' ' -f1)
h2sum=$(sha256sum <"$WORK/h2big.bin" | cut -d' ' -f1)
if [[ "$H2BIG_ERR" == *"1048576 bytes"*"via h2 capsules"* && "$h2sum" == "$h3sum" ]]; then
  pass "UDP blocked: 1 MiB over HTTP/2 is byte-exact (sha256 ${h2sum:0:16}..., as over QUIC)"
else
  fail "UDP blocked: 1 MiB over HTTP/2: $H2BIG_ERR, sha256 $h2sum against QUIC's $h3sum"
fi
if [[ $H3BLOCKED_STATUS -eq 1 && "$H3BLOCKED_ERR" == *"no answer from the ingress"* ]]; then
  pass "UDP blocked: --transport h3 fails, as it must: $H3BLOCKED_ERR"
else
  fail "UDP blocked: --transport h3 exited $H3BLOCKED_STATUS ($H3BLOCKED_ERR), expected no answer from the ingress"
fi
REPORT+=("$(printf '%-18s -> %s ms over QUIC, %s ms over HTTP/2 with UDP dropped' "fallback" "${H3_MS:-?}" "${H2_MS:-?}")")

# ---- SIGTERM: drain and exit 143 (what the systemd units expect) ------------------------------
for name in ingress egress; do
  t=$(now_ms)
  stop_pid "$name" TERM 30
  if [[ "$STOP_STATUS" == 143 ]]; then
    pass "$name drained and exited 143 on SIGTERM in $(( $(now_ms) - t ))ms"
  else
    fail "$name exited $STOP_STATUS on SIGTERM, expected 143"
  fi
done

# ---- report ----------------------------------------------------------------------------------
echo
echo "netns report (client $CLIENT4, ingress $INGRESS4, egress $EGRESS4, origin $ORIGIN4 / $ORIGIN6)"
printf '  %s\n' "relays ready ${STARTUP_MS}ms after start" "${REPORT[@]}" \
  "egress after the fetches: ${EGRESS_GAUGES:-no gauges}"
echo "  total $(( ($(now_ms) - T0) / 1000 ))s"
((FAILED == 0)) || exit 1
