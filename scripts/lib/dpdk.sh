# shellcheck shell=bash
# scripts/lib/dpdk.sh — the lab's DPDK switch: dpdk-testpmd inside a lab,
# polling vhost-user ports that Skiff guests attach to (scripts/lab dpdk ...;
# docs/vhost-user.md). Sourced by scripts/lab, whose say, die, die_usage,
# need_root, check_name, check_number and is_lab it uses; lab_down calls
# dpdk_down.
#
# Everything of one lab's switch lives in /run/skiff-lab/NAME:
#   switch              testpmd, or ovs (Open vSwitch: scripts/lib/ovs.sh)
#   pid, role, log      testpmd's pid, role and console (stdout and stderr)
#   ctl                 a FIFO on testpmd's stdin: its interactive CLI
#   ports               one line per port: NAME PORT_ID DEVICE [SOCKET]
#   vhost0.sock ...     the vhost-user sockets (testpmd listens, QEMU connects)
#   dpdk/lab/           EAL's runtime directory (RUNTIME_DIRECTORY=this dir,
#                       --file-prefix lab): config, mp_socket, telemetry socket
#   huge/               a hugetlbfs mount when hugepages are used
#   hugepages.added     how many 2 MiB pages were reserved for it, to release
#   final.PORT          PORT's counters taken at stop

# shellcheck source=scripts/lib/ovs.sh
source "$(dirname "${BASH_SOURCE[0]}")/ovs.sh"

DPDK_ROOT=/run/skiff-lab
DPDK_PREFIX=lab		# each lab has its own runtime directory, so one name does
DPDK_PAGE_KB=2048
DPDK_CAPTURE_PAGES=64	# testpmd took 26 with 16384 mbufs, dpdk-dumpcap 2 more

dpdk_usage() {
	cat <<'USAGE'
usage: scripts/lab dpdk COMMAND NAME [options]

A DPDK switch in lab NAME: dpdk-testpmd polling vhost-user ports that Skiff
guests attach to (scripts/run --net vhost-user:SOCKET; scripts/lab dpdk socket
prints SOCKET). testpmd runs inside the lab's namespace; its sockets, log,
EAL runtime directory and hugetlbfs mount live in /run/skiff-lab/NAME.
'scripts/lab down NAME' (and gc) stops it and removes them. docs/vhost-user.md
explains the roles, the counters and capture.

commands:
  start NAME ROLE [options]
        start testpmd in one role and print its ports, one line each:
        "PORT SOCKET" (vhost-user) or "PORT -" (dtap0). Roles:
          sink    rxonly on vhost0: counts and frees what the guest sends
          source  txonly on vhost0: UDP frames to the guest, as many as its
                  RX ring takes (--size, --flows, --dst-mac; no rate: testpmd
                  22.11 cannot pace txonly, pktgen rate= can)
          wire    io forwarding vhost0 <-> vhost1: two guests through DPDK
          tap     io forwarding vhost0 <-> dtap0, a tap that net_tap makes on
                  br0: host0's tools (ping, arping, tcpreplay, tshark) reach
                  the guest on vhost0 through DPDK
          tester  flowgen on vhost0 and vhost1: UDP frames into both ports
                  as fast as they take them, and counts and frees whatever
                  comes out of either: a two-port tester for a guest that
                  bridges them (fwd mode=l2), one busy lcore for both
                  directions (--size). testpmd 22.11 fixes the frames'
                  headers: 00:01:02:03:04:00 -> 00:01:02:03:04:01, UDP
                  10.254.0.0 -> 10.253.0.0-255; they exist only inside
                  testpmd and the guest
        options:
          --cores LIST    EAL -l: the main lcore (idle: it reads commands),
                          then one forwarding lcore that busy-polls (default
                          the last two CPUs, e.g. 0,1; on one CPU both share it)
          --queues N      queue pairs per vhost-user port (1; 1..8)
          --client        testpmd connects to the sockets instead of listening:
                          QEMU listens (scripts/run --net vhost-user:SOCKET,server)
          --hugepages N   back testpmd with N 2 MiB hugepages on a hugetlbfs
                          mount of its own, reserving what is not free and
                          releasing it at stop; default none (--no-huge)
          --capture       let dpdk-dumpcap attach (scripts/capture --dpdk); a
                          secondary process cannot map --no-huge memory, so
                          this means --hugepages 64 unless given
          --size BYTES    source: frame size without FCS (60; 60..1514)
          --flows 1|256   source: one UDP flow, or 256 source addresses
                          (testpmd's --txonly-multi-flow)
          --dst-mac MAC   source: destination MAC (ff:ff:ff:ff:ff:ff)
          --mbufs N       mbufs in testpmd's pool (16384)
          --switch ovs    the wire role through Open vSwitch with the DPDK
                          datapath instead of testpmd (openvswitch-switch-dpdk):
                          bridge br-dpdk, dpdkvhostuserclient ports vhost0 and
                          vhost1 and a flow each way. OVS connects, so QEMU
                          listens (--net vhost-user:SOCKET,server); it needs
                          hugepages (--hugepages 128 unless given); no
                          --capture, --queues, --client, cmd
  stop NAME
        pause forwarding, record every port's counters, quit testpmd (SIGTERM
        then SIGKILL if it does not), release its hugepages; prints the
        counters, one line per port "PORT key=value ..."
  counters NAME PORT
        (testpmd) PORT's counters as one line of key=value: rx_packets rx_bytes
        rx_missed rx_errors rx_nombuf tx_packets tx_bytes tx_errors (the
        port's ethdev statistics, from DPDK telemetry; rx is what testpmd
        took from the port, i.e. a guest's TX, tx what it put in) and
        tx_dropped (from testpmd's forward statistics since forwarding
        started: frames the port did not take, because the guest's RX ring
        was full or no guest was attached; the vhost PMD counts them nowhere
        else). Live while testpmd runs, from stop's record afterwards.
        (OVS) rx_packets rx_bytes from the flow that takes PORT's frames,
        tx_dropped from OVS's ovs_tx_*_drops, tx_packets what the other
        port's flow sent to PORT less those drops
  xstats NAME PORT
        every non-zero extended statistic of PORT as key=value, live: the
        vhost library's per-queue counters (guest_notifications: the
        interrupts testpmd sent the guest, size buckets...)
  socket NAME PORT
        the vhost-user socket of PORT
  cmd NAME COMMAND...
        a command for testpmd's interactive CLI, and its output: 'stop'
        pauses forwarding and prints testpmd's forward statistics
        (RX/TX-dropped included), 'start' resumes, 'show port stats all'
  status NAME
        one line: switch=testpmd|ovs role=... pid=... state=running|stopped
        ports=... hugepages=N log=...

PORT is vhost0, vhost1 (wire, tester) or dtap0 (tap). Exit status: 0 ok, 1 failure
(the message says what; testpmd's log is named), 64 bad usage.
USAGE
}

dpdk_dir() { echo "$DPDK_ROOT/$1"; }
dpdk_die_usage() { say "$*"; say "try 'scripts/lab dpdk --help'"; exit 64; }

# Whether a process runs. A zombie does not: once 'dpdk start' has returned,
# the switch's parent is whatever init the machine has, which may reap it late.
dpdk_alive() {	# pid
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st:0:1}" != Z ]
}

# Which switch the lab runs: testpmd, or ovs (scripts/lib/ovs.sh).
dpdk_switch() { cat "$1/switch" 2>/dev/null || echo testpmd; }

# The switch's pid (testpmd's, or ovs-vswitchd's) if it runs, else nothing
# (and status 1).
dpdk_pid() {	# dir
	local pid comm=dpdk-testpmd
	[ "$(dpdk_switch "$1")" = testpmd ] || comm=ovs-vswitchd-dp	# 15 characters
	pid=$(cat "$1/pid" 2>/dev/null) || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && dpdk_alive "$pid" || return 1
	echo "$pid"
}

dpdk_need_tools() {
	local tool
	for tool in dpdk-testpmd python3; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool not found; install it with: apt-get install $([ "$tool" = python3 ] && echo python3 || echo dpdk-dev)"
	done
}

# The lab's port NAME: "ID DEVICE SOCKET" from the ports file.
dpdk_port() {	# dir port
	local line
	line=$(awk -v p="$2" '$1 == p { print $2, $3, $4 }' "$1/ports" 2>/dev/null)
	[ -n "$line" ] || die "no port $2 in this lab's DPDK switch (ports: $(awk '{ printf "%s ", $1 }' "$1/ports" 2>/dev/null))"
	echo "$line"
}

# /ethdev/xstats of a port from testpmd's telemetry socket (the protocol
# dpdk-telemetry.py speaks: a JSON greeting, then one JSON reply per
# request) as one line of its non-zero key=value. Status 1 when it does not
# answer or has none (a vhost port without a guest).
DPDK_XSTATS_PY='
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
    size = json.loads(s.recv(1024))["max_output_len"]
    s.send(("/ethdev/xstats," + sys.argv[2]).encode())
    val = json.loads(s.recv(size))["/ethdev/xstats"]
    print(" ".join("%s=%d" % kv for kv in val.items() if kv[1]))
except (OSError, ValueError, KeyError, AttributeError):
    sys.exit(1)
'

# A port's counters from testpmd's own statistics: 'show port stats ID'
# (the ethdev counters) and TX-dropped of its forward statistics in
# FWD_TEXT (the text of 'stop' or 'show fwd stats all'): the frames the
# forwarding loop freed because the port did not take them, which the vhost
# PMD counts nowhere else. The CLI rather than telemetry: no interpreter to
# start, which on a busy 2-core machine takes seconds.
dpdk_stats_line() {	# dir port-id fwd-text
	local port dropped
	port=$(dpdk_cli "$1" show port stats "$2") || return 1
	dropped=$(awk -v p="$2" '$0 ~ "Forward statistics for port " p " " { f = 1 }
		f && /TX-dropped:/ { for (i = 1; i < NF; i++) if ($i == "TX-dropped:") print $(i + 1); exit }' <<<"$3")
	awk -v dropped="${dropped:-0}" '
		{ for (i = 1; i < NF; i++) if ($i ~ /^(RX|TX)-[a-z]+:$/) v[$i] = $(i + 1) }
		END {
			if (!("RX-packets:" in v)) exit 1
			printf "rx_packets=%s rx_bytes=%s rx_missed=%s rx_errors=%s rx_nombuf=%s", v["RX-packets:"],
				v["RX-bytes:"], v["RX-missed:"], v["RX-errors:"], v["RX-nombuf:"]
			printf " tx_packets=%s tx_bytes=%s tx_errors=%s tx_dropped=%s\n", v["TX-packets:"],
				v["TX-bytes:"], v["TX-errors:"], dropped
		}' <<<"$port"
}

# ---------------------------------------------------------------- hugepages
# The pool is global: reservations are read-modify-write under a lock, and a
# lab releases exactly what it added.
dpdk_huge_free() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }

dpdk_huge_reserve() {	# dir pages
	local dir=$1 want=$2 free total added=0
	(
		flock 9
		free=$(dpdk_huge_free)
		if [ "$free" -lt "$want" ]; then
			total=$(cat /proc/sys/vm/nr_hugepages)
			added=$((want - free))
			echo $((total + added)) >/proc/sys/vm/nr_hugepages
			echo "$added" >"$dir/hugepages.added"
			free=$(dpdk_huge_free)
		fi
		[ "$free" -ge "$want" ]
	) 9>"$DPDK_ROOT/.hugepages.lock" || {
		dpdk_huge_release "$dir"
		die "cannot reserve $want hugepages of 2 MiB (free: $(dpdk_huge_free); memory too fragmented?)"
	}
	mkdir -p "$dir/huge"
	mount -t hugetlbfs -o "pagesize=2M,size=$((want * 2))M" nodev "$dir/huge" ||
		{ dpdk_huge_release "$dir"; die "cannot mount hugetlbfs on $dir/huge"; }
}

dpdk_huge_release() {	# dir
	local dir=$1 added total m
	# Whatever is mounted in the directory (its hugetlbfs, normally).
	for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" || say "cannot unmount $m (still in use?)"
	done
	rmdir "$dir/huge" 2>/dev/null || true
	added=$(cat "$dir/hugepages.added" 2>/dev/null) || return 0
	(
		flock 9
		total=$(cat /proc/sys/vm/nr_hugepages)
		echo $((total > added ? total - added : 0)) >/proc/sys/vm/nr_hugepages
	) 9>"$DPDK_ROOT/.hugepages.lock"
	rm -f "$dir/hugepages.added"
}

# ---------------------------------------------------------------- start
DPDK_PENDING=""

dpdk_default_cores() {
	local n
	n=$(nproc)
	if [ "$n" -ge 2 ]; then echo "$((n - 2)),$((n - 1))"; else echo "(0,1)@0"; fi
}

dpdk_start() {
	[ $# -ge 2 ] || dpdk_die_usage "dpdk start wants a lab name and a role (sink, source, wire, tap, tester)"
	local name=$1 role=$2 cores="" queues=1 client=0 pages=0 capture=0
	local size=60 flows=1 dst_mac=ff:ff:ff:ff:ff:ff mbufs=16384 switch=testpmd
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--cores) cores=${2-}; shift ;;
		--queues) queues=${2-}; shift ;;
		--client) client=1 ;;
		--hugepages) pages=${2-}; shift ;;
		--capture) capture=1 ;;
		--size) size=${2-}; shift ;;
		--flows) flows=${2-}; shift ;;
		--dst-mac) dst_mac=${2-}; shift ;;
		--mbufs) mbufs=${2-}; shift ;;
		--switch) switch=${2-}; shift ;;
		*) dpdk_die_usage "dpdk start: unknown argument '$1'" ;;
		esac
		shift
	done
	check_name "$name"
	case "$role" in sink|source|wire|tap|tester) ;; *) dpdk_die_usage "dpdk start: no role '$role' (sink, source, wire, tap or tester)" ;; esac
	check_number --queues "$queues" 1 8
	check_number --hugepages "$pages" 0 4096
	check_number --size "$size" 60 1514
	check_number --mbufs "$mbufs" 1024 1048576
	case "$flows" in 1|256) ;; *) dpdk_die_usage "--flows is 1 or 256 (what testpmd's txonly can do), not '$flows'" ;; esac
	[[ "$dst_mac" =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || dpdk_die_usage "--dst-mac wants a MAC, not '$dst_mac'"
	[ -z "$cores" ] || [[ "$cores" =~ ^[0-9,@()-]+$ ]] || dpdk_die_usage "--cores wants a core list like 0,1, not '$cores'"
	[ "$capture" = 0 ] || [ "$pages" -gt 0 ] || pages=$DPDK_CAPTURE_PAGES
	case "$switch" in
	testpmd) ;;
	ovs)
		[ "$role" = wire ] || dpdk_die_usage "--switch ovs: the wire role only"
		[ "$capture$queues$client" = 010 ] ||
			dpdk_die_usage "--switch ovs takes no --capture, --queues or --client (OVS connects to QEMU's sockets)"
		[ "$pages" -gt 0 ] || pages=$OVS_PAGES ;;
	*) dpdk_die_usage "--switch is testpmd or ovs, not '$switch'" ;;
	esac
	need_root
	is_lab "$name" || die "no lab $name (scripts/lab list shows them)"
	dpdk_need_tools

	local dir pid
	dir=$(dpdk_dir "$name")
	if pid=$(dpdk_pid "$dir"); then
		die "lab $name already runs $(dpdk_switch "$dir") (pid $pid, role $(cat "$dir/role")); scripts/lab dpdk stop $name first"
	fi
	# What a stopped or killed switch left: its record goes with a new one.
	dpdk_release "$dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 700 "$DPDK_ROOT" "$dir"
	echo "$switch" >"$dir/switch"
	if [ "$switch" = ovs ]; then
		echo "$role" >"$dir/role"
		DPDK_PENDING=$dir
		trap '[ -z "$DPDK_PENDING" ] || dpdk_stop_quiet "$DPDK_PENDING"; on_exit' EXIT
		dpdk_huge_reserve "$dir" "$pages"
		ovs_start "$name" "$dir" "$pages" "${cores:-$(dpdk_default_cores)}"
		DPDK_PENDING=""
		say "$name: Open vSwitch (ovs-vswitchd-dpdk pid $(cat "$dir/pid")) wire, $pages hugepages;" \
		    "QEMU must listen: --net vhost-user:SOCKET,server; logs in $dir/ovs"
		awk '{ print $1, $4 }' "$dir/ports"
		return 0
	fi

	# Ports in the order of the --vdev arguments, which is their port id.
	local vdevs=() fwd=() k=0 sock devargs
	vhost_port() {	# port name
		sock=$dir/$1.sock
		devargs="net_$1,iface=$sock,queues=$queues"
		[ "$client" = 0 ] || devargs+=",client=1"
		vdevs+=(--vdev "$devargs")
		echo "$1 $k net_$1 $sock" >>"$dir/ports"
		k=$((k + 1))
	}
	vhost_port vhost0
	case "$role" in
	sink) fwd=(--forward-mode=rxonly) ;;
	source)
		fwd=(--forward-mode=txonly --txpkts="$size" "--tx-ip=198.18.0.1,198.18.0.2"
		     "--tx-udp=5001,5001" --eth-peer="0,$dst_mac")
		[ "$flows" = 1 ] || fwd+=(--txonly-multi-flow) ;;
	wire)
		vhost_port vhost1
		fwd=(--forward-mode=io) ;;
	tester)
		vhost_port vhost1
		fwd=(--forward-mode=flowgen --txpkts="$size" --flowgen-flows=256) ;;
	tap)
		vdevs+=(--vdev "net_tap0,iface=dtap0")
		echo "dtap0 $k net_tap0 -" >>"$dir/ports"
		fwd=(--forward-mode=io) ;;
	esac
	echo "$role" >"$dir/role"

	DPDK_PENDING=$dir
	trap '[ -z "$DPDK_PENDING" ] || dpdk_stop_quiet "$DPDK_PENDING"; on_exit' EXIT
	local mem=(--no-huge -m 256)
	if [ "$pages" -gt 0 ]; then
		dpdk_huge_reserve "$dir" "$pages"
		mem=(--huge-dir "$dir/huge")
	fi
	mkfifo "$dir/ctl"
	# Interactive, so that 'cmd' can pause and resume forwarding without
	# closing the ports (a closed port is a closed vhost-user connection);
	# its stdin is the FIFO opened read-write, so it never sees EOF. setsid:
	# a Ctrl-C meant for the shell does not reach it. stdbuf: its output
	# reaches the log line by line.
	# The vhost library logs every vhost-user message at info level.
	local eal=(-l "${cores:-$(dpdk_default_cores)}" "${mem[@]}" --no-pci --file-prefix="$DPDK_PREFIX"
		--log-level=lib.vhost.config:notice "${vdevs[@]}")
	local app=(-i --auto-start --disable-link-check --no-mlockall --nb-cores=1
		--rxq="$queues" --txq="$queues" --total-num-mbufs="$mbufs" "${fwd[@]}")
	RUNTIME_DIRECTORY=$dir setsid ip netns exec "$name" stdbuf -oL \
		dpdk-testpmd "${eal[@]}" -- "${app[@]}" <>"$dir/ctl" >"$dir/log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/pid"

	# Ready once it prompts, after starting to forward. Bounded: 60 s.
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q '^testpmd> ' "$dir/log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^testpmd> ' "$dir/log" || ! dpdk_pid "$dir" >/dev/null; then
		say "testpmd did not start in lab $name; from its log ($dir/log):"
		grep -E -i 'error|fail|cannot|invalid|no such|cause' "$dir/log" | tail -n 10 >&2 ||
			tail -n 10 "$dir/log" >&2
		exit 1
	fi
	if [ "$role" = tap ]; then
		local mtu
		mtu=$(ip -n "$name" -o link show br0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
		ip -n "$name" link set dtap0 mtu "$mtu" master br0 up ||
			die "cannot put dtap0 on br0 (testpmd's log: $dir/log)"
	fi
	DPDK_PENDING=""
	say "$name: testpmd (pid $pid) $role, $([ "$pages" = 0 ] && echo "no hugepages" || echo "$pages hugepages")," \
	    "cores ${cores:-$(dpdk_default_cores)}; log $dir/log"
	awk '{ print $1, ($4 == "" ? "-" : $4) }' "$dir/ports"
}

# ---------------------------------------------------------------- stop
# Send a line to testpmd's CLI and print what it answered, up to its next
# prompt (bounded: 10 s).
dpdk_cli() {	# dir command...
	local dir=$1 off i out lock
	shift
	# One conversation at a time: answers are told apart by position only.
	exec {lock}>"$dir/cli.lock"
	flock -w 15 "$lock" || { exec {lock}>&-; return 1; }
	off=$(stat -c %s "$dir/log")
	# Opened read-write, the FIFO never blocks, even if testpmd just died.
	printf '%s\n' "$*" 1<>"$dir/ctl"
	for ((i = 0; i < 200; i++)); do
		out=$(tail -c +"$((off + 1))" "$dir/log")
		# The echo of the command, its output, then a new prompt.
		[[ "$out" == *$'\n'"testpmd> "* ]] && break
		dpdk_pid "$dir" >/dev/null || break
		sleep 0.05
	done
	exec {lock}>&-
	out=${out#"$*"}
	out=${out%testpmd> }
	tr -d '\r' <<<"$out" | sed '/./,$!d'
}

# Stop testpmd, keeping its counters; release what it held.
dpdk_stop_quiet() {	# dir
	local dir=$1 pid port id i
	if [ "$(dpdk_switch "$dir")" = ovs ]; then
		ovs_stop "$dir"
	elif pid=$(dpdk_pid "$dir"); then
		dpdk_cli "$dir" stop >"$dir/forward-stats" 2>&1 || true
		while read -r port id _; do
			dpdk_stats_line "$dir" "$id" "$(cat "$dir/forward-stats")" >"$dir/final.$port" 2>/dev/null ||
				rm -f "$dir/final.$port"
		done <"$dir/ports"
		printf 'quit\n' 1<>"$dir/ctl"
		for ((i = 0; i < 100; i++)); do
			dpdk_alive "$pid" || break
			sleep 0.1
		done
		if dpdk_alive "$pid"; then
			say "testpmd $pid did not quit in 10 s; terminating it"
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				dpdk_alive "$pid" || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	dpdk_release "$dir"
}

# What a switch holds outside its process: hugepages, EAL's runtime files,
# sockets, the FIFO. The record (log, counters) stays until the lab goes.
dpdk_release() {	# dir
	local dir=$1
	[ -d "$dir" ] || return 0
	dpdk_huge_release "$dir"
	rm -rf "$dir/dpdk" "$dir/ctl"
	rm -f "$dir"/*.sock
}

dpdk_stop() {
	[ $# = 1 ] || dpdk_die_usage "dpdk stop wants a lab name"
	local name=$1 dir port
	check_name "$name"
	need_root
	dir=$(dpdk_dir "$name")
	[ -f "$dir/ports" ] || die "lab $name has no DPDK switch (scripts/lab dpdk start $name ROLE)"
	dpdk_pid "$dir" >/dev/null || say "$(dpdk_switch "$dir") was not running in $name (its log: $dir/log)"
	dpdk_stop_quiet "$dir"
	while read -r port _; do
		[ ! -s "$dir/final.$port" ] || echo "$port $(cat "$dir/final.$port")"
	done <"$dir/ports"
	return 0
}

# Called by lab_down once every process in the lab is gone.
dpdk_down() {	# name
	local dir
	dir=$(dpdk_dir "$1")
	[ -d "$dir" ] || return 0
	dpdk_stop_quiet "$dir"
	rm -rf "$dir" || say "cannot remove $dir"
}

# ---------------------------------------------------------------- queries
dpdk_counters() {
	[ $# = 2 ] || dpdk_die_usage "dpdk counters wants a lab name and a port (vhost0, vhost1, dtap0)"
	local dir id
	check_name "$1"
	need_root
	dir=$(dpdk_dir "$1")
	id=$(dpdk_port "$dir" "$2") || exit 1
	if [ "$(dpdk_switch "$dir")" = ovs ] && dpdk_pid "$dir" >/dev/null; then
		ovs_stats_line "$dir" "$2" || die "Open vSwitch did not answer (its logs: $dir/ovs)"
	elif dpdk_pid "$dir" >/dev/null; then
		dpdk_stats_line "$dir" "${id%% *}" "$(dpdk_cli "$dir" show fwd stats all)" ||
			die "testpmd did not answer (its log: $dir/log)"
	elif [ -s "$dir/final.$2" ]; then
		cat "$dir/final.$2"
	else
		die "the switch is not running in $1 and left no counters (its log: $dir/log)"
	fi
}

dpdk_xstats() {
	[ $# = 2 ] || dpdk_die_usage "dpdk xstats wants a lab name and a port"
	local dir id
	check_name "$1"
	need_root
	dir=$(dpdk_dir "$1")
	id=$(dpdk_port "$dir" "$2") || exit 1
	dpdk_pid "$dir" >/dev/null || die "the switch is not running in $1"
	if [ "$(dpdk_switch "$dir")" = ovs ]; then
		ovs_xstats "$dir" "$2"
		return
	fi
	python3 -c "$DPDK_XSTATS_PY" "$dir/dpdk/$DPDK_PREFIX/dpdk_telemetry.v2" "${id%% *}" ||
		die "no extended statistics for $2 (the vhost library has them only while a guest is attached)"
}

dpdk_socket() {
	[ $# = 2 ] || dpdk_die_usage "dpdk socket wants a lab name and a port"
	local dir line
	check_name "$1"
	dir=$(dpdk_dir "$1")
	line=$(dpdk_port "$dir" "$2") || exit 1
	[ "${line##* }" != - ] || die "$2 is not a vhost-user port"
	echo "${line##* }"
}

dpdk_cmd() {
	[ $# -ge 2 ] || dpdk_die_usage "dpdk cmd wants a lab name and a testpmd command"
	local name=$1 dir
	shift
	check_name "$name"
	need_root
	dir=$(dpdk_dir "$name")
	dpdk_pid "$dir" >/dev/null || die "testpmd is not running in $name"
	[ "$(dpdk_switch "$dir")" = testpmd ] ||
		die "cmd talks to testpmd; for Open vSwitch: OVS_RUNDIR=$dir/ovs ovs-vsctl --db=unix:$dir/ovs/db.sock ..."
	[[ "$*" != quit* ]] || dpdk_die_usage "dpdk cmd: use 'scripts/lab dpdk stop $name' to quit testpmd"
	dpdk_cli "$dir" "$@"
}

dpdk_status() {
	[ $# = 1 ] || dpdk_die_usage "dpdk status wants a lab name"
	local dir pid state=stopped pages=0
	check_name "$1"
	dir=$(dpdk_dir "$1")
	[ -f "$dir/ports" ] || die "lab $1 has no DPDK switch"
	pid=$(cat "$dir/pid" 2>/dev/null) || true
	dpdk_pid "$dir" >/dev/null && state=running
	mountpoint -q "$dir/huge" 2>/dev/null &&
		pages=$(($(stat -f -c '%b' "$dir/huge") * $(stat -f -c '%S' "$dir/huge") / DPDK_PAGE_KB / 1024))
	echo "switch=$(dpdk_switch "$dir") role=$(cat "$dir/role") pid=$pid state=$state ports=$(awk '{ print $1 }' "$dir/ports" | paste -sd,)" \
	     "hugepages=$pages log=$dir/log"
}

cmd_dpdk() {
	local sub=${1-}
	[ $# = 0 ] || shift
	case "$sub" in
	start) dpdk_start "$@" ;;
	stop) dpdk_stop "$@" ;;
	counters) dpdk_counters "$@" ;;
	xstats) dpdk_xstats "$@" ;;
	socket) dpdk_socket "$@" ;;
	cmd) dpdk_cmd "$@" ;;
	status) dpdk_status "$@" ;;
	-h|--help|help) dpdk_usage ;;
	"") dpdk_usage >&2; exit 64 ;;
	*) dpdk_die_usage "dpdk: unknown command '$sub' (scripts/lab dpdk --help)" ;;
	esac
}
