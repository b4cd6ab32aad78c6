#!/usr/bin/env bash
# The vhost-user datapath (docs/vhost-user.md): Skiff guests on vhost-user
# ports of the lab's DPDK switch (dpdk-testpmd), each count checked against
# testpmd's own counters: pktgen into a sink, a testpmd source into rxcount,
# pktgen -> wire -> rxcount, fwd between the tester's two ports, echo through
# the tap bridge, dpdk-dumpcap on a port, and sockets that are missing,
# refused or closed while a guest runs.
# shellcheck disable=SC2154  # lab_dpdk_counters PORT PREFIX sets PREFIX_* variables
# shellcheck source=tests/lib/tap.sh
source "$(dirname "$0")/../lib/tap.sh"
# shellcheck source=tests/lib/lab.sh
source "$(dirname "$0")/../lib/lab.sh"
lab_require
lab_dpdk_require

MAC0=52:54:00:c6:12:02 MAC1=52:54:00:c6:12:03
field() { sed -n "s/.*[ ]$2=\\([0-9]*\\).*/\\1/p" <<<"$1" | tail -1; }	# text key
summary_of() { grep -E "^$1 summary " <<<"$2"; }	# nf output
hugepages() { cat /proc/sys/vm/nr_hugepages; }

# ---------------------------------------------------------------- launcher
out=$(scripts/run --dry-run --net vhost-user:/x/v.sock,queues=2 "$BUILD/hello.elf"); rc=$?
is "$rc" 0 "run --dry-run with a vhost-user NIC"
like "$out" 'memory-backend-memfd\\,id=skiffmem\\,size=64M\\,share=on -machine memory-backend=skiffmem' \
	"vhost-user: guest memory is a shared memfd of --mem MiB"
like "$out" 'chardev socket\\,id=vhu0\\,path=/x/v.sock -netdev vhost-user\\,id=net0\\,chardev=vhu0\\,queues=2' \
	"vhost-user: the chardev and the netdev with queues=2"
like "$out" 'tx_queue_size=1024\\,mq=on\\,vectors=6' "vhost-user: TX ring 1024, multi-queue with 2N+2 vectors"
out=$(scripts/run --dry-run -M q35 --net vhost-user:/x/v.sock,server "$BUILD/hello.elf")
like "$out" 'path=/x/v.sock\\,server=on -netdev' "server: QEMU listens on the socket"
out=$(scripts/run --dry-run -M microvm --net vhost-user:/x/v.sock "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 64 "microvm with vhost-user: usage error"
like "$out" 'microvm has no PCI bus' "microvm: says why"
out=$(scripts/run --dry-run --net sink,queues=2 "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 64 "queues= on a sink: usage error"

lab_up 0 || { diag "no lab; stopping"; done_testing; exit 1; }
huge_before=$(hugepages)

# ---------------------------------------------------------------- missing, refused
start=$SECONDS
lab_guest_start nosock hello none --net "vhost-user:$LAB_DIR/none.sock"
lab_guest_wait nosock
is "$RC" 126 "missing socket: status 126"
like "$OUT" "run: hello: vhost-user socket $LAB_DIR/none.sock: No such file or directory" \
	"missing socket: named, with the reason"
# A socket file nobody listens on, as a killed backend leaves it.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$LAB_DIR/stale.sock"
lab_guest_start stale hello none --net "vhost-user:$LAB_DIR/stale.sock"
lab_guest_wait stale
is "$RC" 126 "nobody listening: status 126"
like "$OUT" "vhost-user socket $LAB_DIR/stale.sock: Connection refused" "nobody listening: named, refused"
took=$((SECONDS - start))
ok "$([ "$took" -le 10 ] && echo 0 || echo 1)" "both fail fast (${took}s)"

# ---------------------------------------------------------------- sink
# Two queue pairs per port: a guest NIC with one or with two works on it.
lab_dpdk_start sink --capture --queues 2 || { done_testing; exit 1; }
ok "$([ "$(hugepages)" -ge 64 ] && echo 0 || echo 1)" "sink --capture: hugepages in use ($(hugepages))"
N=20000
lab_guest_start tx pktgen none --net "$(lab_dpdk_net vhost0)" --append "count=$N rate=50000"
lab_guest_wait tx
is "$RC" 0 "pktgen count=$N into the sink: exit 0"
lab_dpdk_counters vhost0 s
is "${s_rx_packets:-}/${s_rx_bytes:-}" "$N/$((N * 60))" "testpmd counted exactly $N frames, $((N * 60)) bytes"

lab_guest_start tx35 pktgen none -M q35 --net "$(lab_dpdk_net vhost0 queues=2)" --append "count=5000 size=1514 rate=20000"
lab_guest_wait tx35
is "$RC" 0 "-M q35, queues=2: pktgen count=5000 size=1514: exit 0"
lab_dpdk_counters vhost0 s
is "$s_rx_packets/$s_rx_bytes" "$((N + 5000))/$((N * 60 + 5000 * 1514))" "-M q35, queues=2: 5000 more frames of 1514 bytes"

pid=$(scripts/capture --lab "$LAB_NS" --dpdk vhost0 -w "$LAB_DIR/sink.pcapng" --background 2>"$LAB_DIR/cap.err")
ok $? "dpdk-dumpcap attached to testpmd"
lab_guest_start txc pktgen none --net "$(lab_dpdk_net vhost0)" \
	--append "count=1000 size=128 flows=4 rate=20000 dst_mac=$MAC1"
lab_guest_wait txc
scripts/capture --stop "$pid" 2>>"$LAB_DIR/cap.err"
is "$(lab_pcap_count "$LAB_DIR/sink.pcapng")" 1000 "capture: exactly the 1000 frames sent"
is "$(lab_pcap_count "$LAB_DIR/sink.pcapng" "eth.src == $MAC0 && eth.dst == $MAC1 && frame.len == 128 && udp.srcport >= 5001 && udp.srcport <= 5004")" \
	1000 "capture: each frame's MACs, size and ports as pktgen sent them"
out=$(scripts/capture -r "$LAB_DIR/sink.pcapng" --summary 2>&1)
like "$out" 'summary frames=1000 bytes=128000 malformed=0 bad_checksum=0' "capture: tshark finds nothing malformed"

# The backend goes away while the guest sends: the run ends, named.
lab_guest_start lost pktgen none --timeout 60 --net "$(lab_dpdk_net vhost0)" --append "duration=40 rate=10000"
lab_wait_line "$(lab_guest_log lost)" '^pktgen t=' 30
start=$SECONDS
kill -KILL "$(cat "/run/skiff-lab/$LAB_NS/pid")"
lab_guest_wait lost
took=$((SECONDS - start))
is "$RC" 126 "testpmd killed mid-run: status 126"
like "$OUT" "run: pktgen: the vhost-user backend closed the connection while the guest ran \\(socket /run/skiff-lab/$LAB_NS/vhost0.sock\\); QEMU stopped" \
	"testpmd killed mid-run: the socket named"
ok "$([ "$took" -le 10 ] && echo 0 || echo 1)" "testpmd killed mid-run: the guest stopped ${took}s later, not at its end"
lab_dpdk_stop
is "$(hugepages)" "$huge_before" "stop: the hugepages are released"
ok "$(mountpoint -q "/run/skiff-lab/$LAB_NS/huge"; echo $(( ! $? )))" "stop: the hugetlbfs mount is gone"

# ---------------------------------------------------------------- source
lab_dpdk_start source --size 64 || { done_testing; exit 1; }
lab_guest_start rx rxcount none --net "$(lab_dpdk_net vhost0)" --append "idle=2 duration=40"
lab_wait_line "$(lab_guest_log rx)" '^rxcount t=.* rx_pkts=[1-9]' 30
fwd=$(scripts/lab dpdk cmd "$LAB_NS" stop)	# pauses: the guest stays attached
lab_guest_wait rx
rx_sum=$(summary_of rxcount "$OUT")
lab_dpdk_counters vhost0 s
sent=$(sed -n 's/^ *TX-packets: *\([0-9]*\) *TX-dropped: *\([0-9]*\).*/\1 \2/p' <<<"$fwd" | head -1)
is "$RC" 0 "rxcount after the source paused: exit 0"
ok "$([ "${s_tx_packets:-0}" -gt 0 ] && echo 0 || echo 1)" "the source sent ${s_tx_packets:-0} frames"
is "${sent%% *} ${sent##* }" "$s_tx_packets $s_tx_dropped" \
	"testpmd: forward statistics and the counters line agree, sent and dropped"
is "$(field "$rx_sum" rx_pkts)+$(field "$rx_sum" dev_errors)" "$s_tx_packets+0" \
	"rxcount counted every frame testpmd sent, none in error"
is "$(field "$rx_sum" rx_bytes)" "$s_tx_bytes" "and every byte"
is "$(field "$OUT" rx_packets)" "$s_tx_packets" "the guest's device counted the same"
diag "source: sent $s_tx_packets, dropped ${sent##* } (the guest's ring full or not yet attached;" \
	"rx_nobuf $(field "$OUT" rx_nobuf), rx_ring_dry $(field "$OUT" rx_ring_dry))"
lab_dpdk_stop

# ---------------------------------------------------------------- wire
# Paced so that rxcount's 1024-slot ring covers 200 ms of the guest not
# running: on a busy machine a TCG vCPU is off its CPU for tens of ms, and
# at 20000 frames/s testpmd once dropped 864 that the ring had no room for.
lab_dpdk_start wire || { done_testing; exit 1; }
N=10000
lab_guest_start rx rxcount none --net "$(lab_dpdk_net vhost1)" --append "expect=$N idle=2 duration=40"
lab_wait_line "$(lab_guest_log rx)" '^rxcount: counting' 30
lab_guest_start tx pktgen none --net "$(lab_dpdk_net vhost0)" --append "count=$N rate=5000 flows=4 dst_mac=$MAC1"
lab_guest_wait tx
is "$RC" 0 "wire: pktgen count=$N rate=5000: exit 0"
lab_guest_wait rx
is "$RC" 0 "wire: rxcount expect=$N: exit 0"
like "$OUT" "rxcount summary .* probes=$N flows=4 lost=0 reordered=0 dups=0 " \
	"wire: every frame, no loss, reordering or duplicates"
lab_dpdk_counters vhost0 a
lab_dpdk_counters vhost1 b
is "$a_rx_packets/$b_tx_packets/$b_tx_dropped" "$N/$N/0" "wire: testpmd took $N from vhost0, gave $N to vhost1, dropped none"
lab_dpdk_stop

# ---------------------------------------------------------------- tester
# fwd mode=l2 between the two ports of testpmd's tester role (flowgen into
# both, counting what comes out of both). fwd stops by itself while testpmd
# still polls, so every frame fwd put on a port's TX ring must reach
# testpmd's count of that port, and only those.
lab_dpdk_start tester || { done_testing; exit 1; }
lab_guest_start fwd fwd none --net "$(lab_dpdk_net vhost0)" --net "$(lab_dpdk_net vhost1)" \
	--append "mode=l2 duration=3"
lab_guest_wait fwd
is "$RC" 0 "tester: fwd l2 between vhost0 and vhost1 for 3 s: exit 0"
sm=$(summary_of fwd "$OUT")
lab_dpdk_counters vhost0 a
lab_dpdk_counters vhost1 b
tx0=$(field "$sm" tx0) tx1=$(field "$sm" tx1) rx0=$(field "$sm" rx0) rx1=$(field "$sm" rx1)
ok "$([ "${tx0:-0}" -gt 1000 ] && [ "${tx1:-0}" -gt 1000 ] && echo 0 || echo 1)" \
	"tester: fwd forwarded both ways (tx0=${tx0:-?} tx1=${tx1:-?})"
is "${a_rx_packets:-?}/${b_rx_packets:-?}" "${tx0:-x}/${tx1:-x}" \
	"tester: testpmd took from each port exactly what fwd sent on it"
is "$tx0/$tx1" "$rx1/$rx0" "tester: fwd sent out of each port what came in on the other (no drops)"
lab_dpdk_stop

# ---------------------------------------------------------------- tap bridge
lab_dpdk_start tap || { done_testing; exit 1; }
like "$(ip -n "$LAB_NS" -d link show dtap0)" 'master br0 ' "tap: dtap0 is on br0"
lab_guest_start echo echo none --timeout 90 --net "$(lab_dpdk_net vhost0)" --append "ip=198.18.0.2 duration=80"
lab_wait_line "$(lab_guest_log echo)" '^echo: answering' 30
# Generous waits: testpmd's forwarding lcore runs only when the scheduler
# lets it, and on a busy 2-core machine replies took from 1 ms to 2 s. So
# one ping at a time, each waiting up to 10 s for its reply.
answered=0
for i in $(seq 10); do
	lab_exec ping -c 1 -W 10 -q 198.18.0.2 >/dev/null 2>&1 && answered=$((answered + 1))
done
is "$answered" 10 "tap: ping through DPDK, 10 of 10 answered"
out=$(lab_exec arping -c 3 -w 15 -I host0 198.18.0.2 2>&1)
like "$out" "bytes from $MAC0 \\(198.18.0.2\\)" "tap: arping answered by the echo's MAC"
head -c 1000 /dev/urandom >"$LAB_DIR/dgram"
back=$(lab_exec socat -T 5 -t 5 - UDP:198.18.0.2:7777 <"$LAB_DIR/dgram" 2>/dev/null | od -An -tx1 | tr -d ' \n')
is "$back" "$(od -An -tx1 "$LAB_DIR/dgram" | tr -d ' \n')" "tap: a 1000-byte UDP datagram reflected byte-identical"
lab_dpdk_counters vhost0 v
lab_dpdk_counters dtap0 t
ok "$([ "$v_rx_packets" -ge 14 ] && [ "$v_rx_packets" = "$t_tx_packets" ] && echo 0 || echo 1)" \
	"tap: testpmd carried the replies ($v_rx_packets from vhost0, $t_tx_packets to dtap0)"
# A backend stopped in order closes the connection too.
lab_dpdk_stop
lab_guest_wait echo
is "$RC" 126 "tap: testpmd stopped under a running guest: status 126"

# ---------------------------------------------------------------- Open vSwitch
# Optional (openvswitch-switch-dpdk is not in scripts/deps: on a machine with
# systemd its package starts a system-wide OVS): the wire through OVS-DPDK.
if [ -x /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk ]; then
	lab_dpdk_start wire --switch ovs || { done_testing; exit 1; }
	N=10000
	lab_guest_start rx rxcount none --net "$(lab_dpdk_net vhost1 server)" --append "expect=$N idle=2 duration=40"
	lab_wait_line "$(lab_guest_log rx)" '^rxcount: counting' 30
	lab_guest_start tx pktgen none --net "$(lab_dpdk_net vhost0 server)" --append "count=$N rate=5000 flows=4 dst_mac=$MAC1"
	lab_guest_wait tx
	is "$RC" 0 "ovs: pktgen count=$N rate=5000 into OVS: exit 0"
	lab_guest_wait rx
	like "$OUT" "rxcount summary .* probes=$N flows=4 lost=0 reordered=0 dups=0 " \
		"ovs: rxcount got every frame, no loss, reordering or duplicates"
	lab_dpdk_counters vhost0 a
	lab_dpdk_counters vhost1 b
	is "$a_rx_packets/$b_tx_packets/$b_tx_dropped" "$N/$N/0" "ovs: OVS took $N from vhost0, gave $N to vhost1"
	lab_dpdk_stop
	is "$(hugepages)" "$huge_before" "ovs: stop releases its hugepages"
else
	diag "Open vSwitch with DPDK not installed (apt-get install openvswitch-switch-dpdk): its part not run"
fi

# ---------------------------------------------------------------- cleanup
ns=$LAB_NS
lab_cleanup
ok "$([ -e "/run/skiff-lab/$ns" ] && echo 1 || echo 0)" "lab down: /run/skiff-lab/$ns is gone"
is "$(pgrep -f "/run/skiff-lab/$ns/" | wc -l)" 0 "lab down: no testpmd or OVS left"
is "$(hugepages)" "$huge_before" "lab down: hugepages as before"

done_testing
