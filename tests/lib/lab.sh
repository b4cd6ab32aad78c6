# shellcheck shell=bash disable=SC2034
# Network-lab helpers for the in-QEMU tests (bash). Source it after tap.sh:
#
#   lab_require                      skip the whole file unless root with the tools
#                                    (fail it with SKIFF_STRICT=1: see tap.sh)
#   lab_up [NTAPS [MTU [OPTIONS...]]] new lab (scripts/lab; 1 tap, MTU 1500) named
#                                    skiff-<pid>-<n>; sets LAB_NS, LAB_PEER and LAB_DIR
#                                    (a scratch directory, removed at exit). Call it
#                                    again for a second lab: LAB_NS then names that one.
#                                    OPTIONS go to 'scripts/lab up' (--segments 2...).
#   lab_exec CMD...                  run CMD in the lab namespace (lab_peer_exec: the peer)
#   lab_spawn CMD...                 start CMD in the background in the lab namespace
#                                    (lab_peer_spawn: the peer); LAB_PID is its pid.
#                                    (Not "lab_exec CMD &": $! would be a subshell's.)
#   lab_guest_start NAME IMAGE TAP [scripts/run options...]
#                                    boot IMAGE (a path, or an NF name under $BUILD)
#                                    in the background on TAP ("tap0"; "tap0,mac=..."
#                                    or other --net properties; "none" for no NIC);
#                                    tapK gets MAC 52:54:00:c6:12:(K+2) unless given.
#                                    The console goes to $(lab_guest_log NAME).
#   lab_guest_wait NAME              wait for it (bounded by its --timeout, default
#                                    GUEST_TIMEOUT or 30 s); sets RC and OUT (console
#                                    and launcher messages) like run_guest; returns RC
#   lab_guest_stop NAME              stop it now (SIGTERM to scripts/run), then as wait
#   lab_wait_line FILE REGEX SECONDS wait until a line of FILE matches REGEX (grep -E)
#   lab_capture_start FILE [FILTER]  tshark -i br0 into FILE (pcap), with a capture
#                                    filter; returns once tshark is capturing
#   lab_capture_stop                 stop it; FILE is complete when this returns
#   lab_capture_on IFACE FILE [FILTER]  the same on IFACE (br1, peer0...); one per
#                                    interface, several at once, besides the above
#   lab_capture_off IFACE            stop the one on IFACE
#   lab_counters IFACE [PREFIX]      IFACE's statistics (host0, veth0, tap0, peer0...):
#                                    without PREFIX one line "rx_packets=N rx_bytes=N
#                                    ..."; with it, sets PREFIX_rx_packets etc.
#   lab_counter IFACE KEY            one of them, e.g. lab_counter peer0 rx_packets
#   lab_pcap_count FILE [DISPLAY_FILTER]  frames in FILE (matching the filter)
#   lab_pcap_probes FILE [DISPLAY_FILTER] "flow seq" of pktgen's probe, one line per
#                                    UDP frame in capture order (nf/lib/probe.h)
#   lab_flows_exact FILE FLOWS COUNT "ok" if FILE holds exactly the COUNT frames pktgen
#                                    sends over FLOWS flows: flow f has sequences
#                                    0..n_f-1 in order, n_f = COUNT/FLOWS (+1 for the
#                                    first COUNT%FLOWS flows); else what differs
#
# The lab's DPDK switch (scripts/lab dpdk; docs/vhost-user.md):
#   lab_dpdk_require                 skip the whole file unless the DPDK tools are there
#   lab_dpdk_start ROLE [options]    dpdk-testpmd in the current lab (scripts/lab dpdk
#                                    start); returns once it forwards
#   lab_dpdk_socket PORT             the vhost-user socket of PORT (vhost0, vhost1)
#   lab_dpdk_net PORT [PROPS]        a scripts/run --net value for the guest on PORT,
#                                    MAC 52:54:00:c6:12:(K+2) for vhostK, like tapK
#   lab_dpdk_counters PORT [PREFIX]  PORT's counters, as lab_counters
#   lab_dpdk_stop                    stop it (its counters stay readable)
#
# Everything a test starts here is undone when it exits, fails or is
# interrupted (EXIT, INT, TERM): guests and captures are stopped and every lab
# it made is removed. A test killed with SIGKILL leaves its lab marked with its
# pid; 'scripts/lab gc' removes such labs.

LAB_NS="" LAB_PEER="" LAB_DIR=""
LAB_ALL=() LAB_N=0 LAB_CAPTURE_PID="" LAB_TRAPPED=0
declare -A LAB_GUEST_PID=() LAB_CAPTURES=()

# Skips the file (fails it with SKIFF_STRICT=1) unless root with every tool
# the network tests use; the message names what is missing and the package.
lab_require() {
	[ "$(id -u)" = 0 ] ||
		skip_all "not root: the lab needs root for its network namespaces, bridge and taps (run: sudo make test)"
	local dep missing=() pkgs=()
	for dep in ip:iproute2 tshark:tshark text2pcap:wireshark-common capinfos:wireshark-common \
		tcpreplay:tcpreplay tcprewrite:tcpreplay ping:iputils-ping arping:arping socat:socat; do
		command -v "${dep%%:*}" >/dev/null 2>&1 && continue
		missing+=("${dep%%:*}")
		[[ " ${pkgs[*]} " == *" ${dep#*:} "* ]] || pkgs+=("${dep#*:}")
	done
	[ ${#missing[@]} = 0 ] ||
		skip_all "missing ${missing[*]}: install with scripts/deps test (apt-get install ${pkgs[*]})"
}

lab_up() {
	# $BASHPID here, not inside $(...) below: that is a subshell's.
	local ntaps=${1:-1} mtu=${2:-1500} name=skiff-$BASHPID-$LAB_N owner=$BASHPID err
	local opts=("${@:3}")
	LAB_N=$((LAB_N + 1))
	if [ "$LAB_TRAPPED" = 0 ]; then
		LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/skiff-lab.XXXXXX")
		trap '_lab_on_exit' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		LAB_TRAPPED=1
	fi
	if ! err=$(scripts/lab up --name "$name" --taps "$ntaps" --mtu "$mtu" --owner "$owner" "${opts[@]}" 2>&1 >/dev/null); then
		diag "lab_up: $err"
		return 1
	fi
	LAB_ALL+=("$name")
	LAB_NS=$name LAB_PEER=$name-peer
}

_lab_on_exit() {
	local rc=$?
	lab_cleanup
	exit "$rc"
}

# Stop what this test started and remove its labs. Runs on exit; a test may
# also call it to check that cleaning up works.
lab_cleanup() {
	local name pids=()
	if [ -n "$LAB_CAPTURE_PID" ]; then
		SKIFF_CAPTURE_SETTLE=0 scripts/capture --stop "$LAB_CAPTURE_PID" >/dev/null 2>&1
		LAB_CAPTURE_PID=""
	fi
	for name in "${!LAB_CAPTURES[@]}"; do
		SKIFF_CAPTURE_SETTLE=0 scripts/capture --stop "${LAB_CAPTURES[$name]}" >/dev/null 2>&1
	done
	LAB_CAPTURES=()
	for name in "${!LAB_GUEST_PID[@]}"; do pids+=("${LAB_GUEST_PID[$name]}"); done
	if [ ${#pids[@]} -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
	fi
	LAB_GUEST_PID=()
	# scripts/lab down also stops anything still running inside the namespaces.
	for name in "${LAB_ALL[@]}"; do scripts/lab down "$name" >/dev/null 2>&1; done
	LAB_ALL=() LAB_NS="" LAB_PEER=""
	[ -z "$LAB_DIR" ] || rm -rf "$LAB_DIR"
	LAB_DIR=""
}

lab_exec() { ip netns exec "$LAB_NS" "$@"; }
lab_peer_exec() { ip netns exec "$LAB_PEER" "$@"; }
# ip netns exec execs CMD, so $! is CMD's pid. 'lab down' stops whatever is
# still running in the namespaces.
lab_spawn() { ip netns exec "$LAB_NS" "$@" & LAB_PID=$!; }
lab_peer_spawn() { ip netns exec "$LAB_PEER" "$@" & LAB_PID=$!; }

lab_guest_log() { echo "$LAB_DIR/$1.log"; }

lab_guest_start() {
	local name=$1 image=$2 tap=$3 net=()
	shift 3
	[[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || { diag "lab_guest_start: bad name '$name'"; return 1; }
	[ -z "${LAB_GUEST_PID[$name]:-}" ] || { diag "lab_guest_start: $name is running"; return 1; }
	[ -f "$image" ] || image=$BUILD/$image.elf
	if [ "$tap" != none ]; then
		# tapK gets the MAC that scripts/lab run would give guest K.
		if [[ "$tap" =~ ^tap([0-9]+)$ ]]; then
			tap+=$(printf ',mac=52:54:00:c6:12:%02x' $((BASH_REMATCH[1] + 2)))
		fi
		net=(--net "tap:$tap")
	fi
	: >"$LAB_DIR/$name.log"
	ip netns exec "$LAB_NS" scripts/run --timeout "${GUEST_TIMEOUT:-30}" --log "$LAB_DIR/$name.log" \
		"${net[@]}" "$@" "$image" >"$LAB_DIR/$name.out" 2>&1 </dev/null &
	LAB_GUEST_PID[$name]=$!
}

lab_guest_wait() {
	local name=$1 pid=${LAB_GUEST_PID[$1]:-}
	[ -n "$pid" ] || { diag "lab_guest_wait: no guest $name"; RC=255; OUT=""; return 255; }
	wait "$pid"
	RC=$?
	unset "LAB_GUEST_PID[$name]"
	OUT=$(cat "$LAB_DIR/$name.out")
	return "$RC"
}

lab_guest_stop() {
	local pid=${LAB_GUEST_PID[$1]:-}
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null
	lab_guest_wait "$1"
}

lab_wait_line() {	# file regex seconds
	local file=$1 re=$2 i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	grep -qE -- "$re" "$file" 2>/dev/null
}

lab_capture_start() {	# file [capture filter]
	local args=(--lab "$LAB_NS" -w "$1" -d "${LAB_CAPTURE_LIMIT:-120}" --background)
	[ -z "${2:-}" ] || args+=(-f "$2")
	[ -z "$LAB_CAPTURE_PID" ] || { diag "lab_capture_start: a capture is running"; return 1; }
	LAB_CAPTURE_PID=$(scripts/capture "${args[@]}" 2>"$LAB_DIR/capture.err") || {
		diag "lab_capture_start: $(cat "$LAB_DIR/capture.err")"
		LAB_CAPTURE_PID=""
		return 1
	}
}

lab_capture_stop() {
	[ -n "$LAB_CAPTURE_PID" ] || { diag "lab_capture_stop: no capture running"; return 1; }
	scripts/capture --stop "$LAB_CAPTURE_PID" 2>"$LAB_DIR/capture.err"
	local rc=$?
	LAB_CAPTURE_PID=""
	return "$rc"
}

lab_capture_on() {	# iface file [capture filter]
	local args=(--lab "$LAB_NS" -i "$1" -w "$2" -d "${LAB_CAPTURE_LIMIT:-120}" --background) pid
	[ -z "${3:-}" ] || args+=(-f "$3")
	[ -z "${LAB_CAPTURES[$1]:-}" ] || { diag "lab_capture_on: $1 is being captured"; return 1; }
	pid=$(scripts/capture "${args[@]}" 2>"$LAB_DIR/capture-$1.err") || {
		diag "lab_capture_on $1: $(cat "$LAB_DIR/capture-$1.err")"
		return 1
	}
	LAB_CAPTURES[$1]=$pid
}

lab_capture_off() {	# iface
	local pid=${LAB_CAPTURES[$1]:-} rc
	[ -n "$pid" ] || { diag "lab_capture_off: no capture on $1"; return 1; }
	unset "LAB_CAPTURES[$1]"
	scripts/capture --stop "$pid" 2>"$LAB_DIR/capture-$1.err"
	rc=$?
	return "$rc"
}

lab_counters() {	# iface [prefix]
	local line
	line=$(scripts/lab counters "$LAB_NS" "$1") || return 1
	_lab_kv "$line" "${2:-}"
}

# A key=value line on stdout, or with PREFIX into PREFIX_key variables.
_lab_kv() {	# line prefix
	local kv
	if [ -z "$2" ]; then
		echo "$1"
		return 0
	fi
	for kv in $1; do
		[[ "$kv" =~ ^([a-z_]+)=([0-9]+)$ ]] || continue
		printf -v "${2}_${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
	done
}

lab_counter() {	# iface key
	local line
	line=$(scripts/lab counters "$LAB_NS" "$1") || return 1
	sed -n "s/.*\\b$2=\\([0-9]*\\).*/\\1/p" <<<"$line"
}

lab_pcap_count() {	# file [display filter]
	local args=(-n -r "$1" -T fields -e frame.number)
	[ -z "${2:-}" ] || args+=(-Y "$2")
	tshark "${args[@]}" 2>/dev/null | wc -l
}

lab_dpdk_require() {
	local tool
	for tool in dpdk-testpmd dpdk-dumpcap dpdk-telemetry.py python3; do
		command -v "$tool" >/dev/null 2>&1 ||
			skip_all "$tool missing (scripts/deps test installs dpdk-dev)"
	done
}

lab_dpdk_start() {	# role [options]
	local err
	if ! err=$(scripts/lab dpdk start "$LAB_NS" "$@" 2>&1 >/dev/null); then
		diag "lab_dpdk_start: $err"
		return 1
	fi
}

lab_dpdk_socket() { scripts/lab dpdk socket "$LAB_NS" "$1"; }

lab_dpdk_net() {	# port [props]
	local sock
	sock=$(lab_dpdk_socket "$1") || return 1
	printf 'vhost-user:%s,mac=52:54:00:c6:12:%02x%s' "$sock" $((${1#vhost} + 2)) "${2:+,$2}"
}

lab_dpdk_counters() {	# port [prefix]
	local line
	line=$(scripts/lab dpdk counters "$LAB_NS" "$1") || return 1
	_lab_kv "$line" "${2:-}"
}

lab_dpdk_stop() { scripts/lab dpdk stop "$LAB_NS" 2>&1 >/dev/null | sed "s/^/# /"; }

lab_pcap_probes() {	# file [display filter]
	tshark -r "$1" -Y "${2:-udp}" -T fields -e udp.payload 2>/dev/null |
		perl -ne 'printf "%d %d\n", hex(substr($_, 8, 4)), hex(substr($_, 12, 8))'
}

lab_flows_exact() {	# file flows count
	lab_pcap_probes "$1" | awk -v flows="$2" -v n="$3" '
		{ if ($1 >= flows || $2 != seen[$1]++) bad++ }
		END {
			for (f = 0; f < flows; f++) {
				want = int(n / flows) + (f < n % flows)
				if (seen[f] != want) short = short " flow " f ": " seen[f] + 0 "/" want
			}
			print (NR == n && !bad && short == "") ? "ok" : "frames " NR ", out of order " bad + 0 short
		}'
}
