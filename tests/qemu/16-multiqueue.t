#!/usr/bin/env bash
# Network functions on two cores, each core on its own queue pair of a
# multi-queue tap (scripts/lab up --queues 2, scripts/run --net
# tap:IF,queues=2): pktgen's frames per flow as tshark decodes them, rxcount
# counting a many-flow tcpreplay and pktgen's probes exactly over both
# queues, echo answering ping and UDP from many source ports, and the
# errors: more cores than CPUs or than the NIC's queue pairs, taps of the
# wrong kind. Work is bounded by count: TCG with 2 vCPUs on 2 host cores is
# slow.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/lab.sh"
lab_require
command -v mergecap >/dev/null 2>&1 ||
	skip_all "missing mergecap: install with scripts/deps test (apt-get install wireshark-common)"

MAC0=52:54:00:c6:12:02 MAC1=52:54:00:c6:12:03
SINK=02:00:00:00:00:99		# nobody: frames to it are captured, then dropped
MQ0=tap0,queues=2 MQ1=tap1,queues=2

# field LINE KEY: the value of KEY= in a report line.
field() { sed -n "s/.* $2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
# last_line OUT REGEX: the last line of OUT matching REGEX.
last_line() { grep -E -- "$2" <<<"$1" | tail -1; }
# qemu_of WORD: the pid of the QEMU in this lab whose command line has WORD.
qemu_of() {
	local p
	for p in $(ip netns pids "$LAB_NS"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = qemu-system-x86 ] &&
			tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$1" && echo "$p" && return
	done
}
# busiest_vcpu PID SECONDS: the largest share of one host core any of QEMU's
# threads but the main one (its vCPUs) used over SECONDS of host time.
busiest_vcpu() {
	local pid=$1 t
	sample() { for t in /proc/"$pid"/task/*; do [ "${t##*/}" = "$pid" ] ||
		echo "${t##*/} $(awk '{ print $14 + $15 }' "$t/stat")"; done; }
	local a b
	a=$(sample); sleep "$2"; b=$(sample)
	join <(sort <<<"$a") <(sort <<<"$b") |
		awk -v s="$2" -v hz="$(getconf CLK_TCK)" '{ x = ($3 - $2) / hz / s; if (x > m) m = x } END { printf "%.2f\n", m }'
}

lab_up 3 1500 --queues 2
lab_exec bridge fdb add $SINK dev tap2 master static

# --- multi-queue taps in the lab and the launcher ------------------------------
like "$(lab_exec ip -d link show tap0)" ' multi_queue ' "lab up --queues 2: tap0 is a multi-queue tap"
out=$(lab_exec scripts/run --dry-run --cpus 2 --net "tap:$MQ0" "$BUILD/pktgen.elf")
like "$out" '-netdev tap\\?,id=net0\\?,ifname=tap0.*\\?,queues=2 ' "run: queues=2 reaches -netdev tap"
like "$out" 'virtio-net-pci.*\\?,mq=on\\?,vectors=6( |$)' "run: the device gets mq=on and 2N+2 vectors"
out=$(lab_exec scripts/run --net tap:tap0 "$BUILD/pktgen.elf" 2>&1)
is "$?" 64 "a multi-queue tap opened with one queue: refused before QEMU (64)"
like "$out" 'tap0 is a multi-queue tap .* --net tap:tap0,queues=N' "  and the message says how to open it"
lab_exec ip tuntap add dev single0 mode tap
out=$(lab_exec scripts/run --net tap:single0,queues=2 "$BUILD/pktgen.elf" 2>&1)
is "$?" 64 "a single-queue tap opened with queues=2: refused (64)"
like "$out" 'single0 is a single-queue tap: queues=2 needs .*multi_queue' "  and the message says why"
out=$(scripts/run --net sink,queues=2 "$BUILD/pktgen.elf" 2>&1)
is "$?" 64 "queues= on the drop sink: refused (64)"

# --- pktgen cores=2: every flow's frames on the wire, in order -----------------
# pktgen_check NAME FLOWS COUNT SETTINGS: one run on tap0's two queues; tshark
# must see exactly the frames one core would send, each core its flows.
pktgen_check() {
	local name=$1 flows=$2 count=$3 settings=$4 c0 c1
	lab_capture_start "$LAB_DIR/$name.pcap" "udp"
	lab_guest_start "$name" pktgen "$MQ0,mac=$MAC0" --cpus 2 \
		--append "cores=2 flows=$flows count=$count dst_mac=$SINK $settings"
	lab_guest_wait "$name"
	lab_capture_stop
	is "$RC" 0 "pktgen cores=2 $settings: exit 0"
	is "$(lab_flows_exact "$LAB_DIR/$name.pcap" "$flows" "$count")" ok \
		"  tshark: $count frames, each of $flows flows numbered from 0 in order"
	c0=$(( (flows + 1) / 2 )) c1=$(( flows / 2 ))	# flows per core: f mod 2
	c0=$(( count / flows * c0 + (count % flows + 1) / 2 ))
	c1=$(( count - c0 ))
	like "$OUT" "^pktgen core=0 summary .* tx_pkts=$c0 " "  core 0 sent the even flows: $c0"
	like "$OUT" "^pktgen core=1 summary .* tx_pkts=$c1 " "  core 1 sent the odd flows: $c1"
	like "$OUT" "^pktgen summary elapsed=[0-9.]+ tx_pps=[0-9]+ tx_mbps=[0-9.]+ tx_pkts=$count " \
		"  the total line as with one core"
	like "$OUT" "net0 queue 0 .* tx_packets=$c0 " "  TX queue 0 carried core 0's frames"
	like "$OUT" "net0 queue 1 .* tx_packets=$c1 " "  TX queue 1 carried core 1's"
}
pktgen_check copy 6 3000 "mode=copy"
pktgen_check generate 5 2001 "mode=generate size=1514"
pktgen_check zerocopy 3 4000 "mode=zerocopy udp_csum=0"

lab_guest_start free pktgen "$MQ0,mac=$MAC0" --cpus 2 \
	--append "cores=2 flows=2 count=200000 output=free"
lab_guest_wait free
is "$RC" 0 "pktgen cores=2 output=free: exit 0"
like "$OUT" '^pktgen core=0 summary .* tx_pkts=100000 ' "  each core freed its 100000"
like "$OUT" '^pktgen core=1 summary .* tx_pkts=100000 ' "  (core 1)"
like "$OUT" '^pktgen summary .* tx_pkts=200000 ' "  200000 in all"
like "$OUT" 'net0 stats .* tx_packets=0 .* pool_in_use=0$' "  nothing reached the NIC, every netbuf back"

# One core on a NIC with two queue pairs: the device stays on pair 0.
lab_capture_start "$LAB_DIR/one.pcap" "udp"
lab_guest_start one pktgen "$MQ0,mac=$MAC0" --cpus 2 --append "count=1000 flows=2 dst_mac=$SINK"
lab_guest_wait one
lab_capture_stop
is "$RC" 0 "pktgen cores=1 on a 2-queue tap: exit 0"
like "$OUT" 'link up, 1 of 2 queue pairs' "  it uses 1 of the 2 queue pairs"
is "$(lab_flows_exact "$LAB_DIR/one.pcap" 2 1000)" ok "  tshark: all 1000 frames in order"
unlike "$OUT" '^pktgen core=' "  no per-core lines with one core"

# --- pktgen cores=2 -> rxcount cores=2: paced, exact over both queues -----------
lab_guest_start rx rxcount "$MQ1,mac=$MAC1" --cpus 2 --timeout 60 \
	--append "cores=2 expect=16000 idle=3 duration=50 halt_us=1000"
lab_wait_line "$(lab_guest_log rx)" '^rxcount: counting' 30
# Idle, each core halts 1 ms per empty poll on its own timer: no vCPU
# thread of QEMU keeps a host core busy (one that spins takes what it gets,
# a whole core on a quiet machine).
busy=$(busiest_vcpu "$(qemu_of rxcount.elf)" 2)
ok "$(within 0 "$busy" 0.3)" "rxcount cores=2 idle: the busiest vCPU used ${busy:-?} of a host core (halting)"
lab_capture_start "$LAB_DIR/rate.pcap" "udp and ether dst $MAC1"
lab_guest_start tx pktgen "$MQ0,mac=$MAC0" --cpus 2 \
	--append "cores=2 count=16000 rate=8000 flows=16 dst_mac=$MAC1"
lab_guest_wait tx
tx_out=$OUT tx_rc=$RC
lab_capture_stop
lab_guest_wait rx
is "$tx_rc" 0 "pktgen cores=2 rate=8000: exit 0"
is "$RC" 0 "rxcount cores=2 expect=16000: exit 0"
like "$OUT" 'rxcount: expect=16000: PASS \(16000 frames, 0 lost\)' "rxcount: all 16000, none lost"
sum=$(last_line "$OUT" '^rxcount summary ')
like "$sum" ' probes=16000 flows=16 lost=0 reordered=0 dups=0 ' \
	"rxcount: 16 flows over 2 queues, no loss, reordering or duplicates"
is "$(field "$sum" split_flows)" 0 "rxcount: each flow stayed on one queue (split_flows=0)"
p0=$(field "$(last_line "$OUT" '^rxcount core=0 summary ')" probes)
p1=$(field "$(last_line "$OUT" '^rxcount core=1 summary ')" probes)
ok "$([ "${p0:-0}" -gt 0 ] && [ "${p1:-0}" -gt 0 ] && [ $((p0 + p1)) = 16000 ] && echo 0 || echo 1)" \
	"rxcount: both cores counted probes ($p0 + $p1 = 16000)"
# The rate by the host's clock: each flow's sequence span over its capture
# timestamps (frames the capture missed do not matter), summed over flows.
hpps=$(tshark -r "$LAB_DIR/rate.pcap" -T fields -e frame.time_epoch -e udp.payload 2>/dev/null |
	perl -ane '$f = hex(substr($F[1], 8, 4)); $s = hex(substr($F[1], 12, 8));
		($t0{$f}, $s0{$f}) = ($F[0], $s) unless exists $t0{$f}; ($t1{$f}, $s1{$f}) = ($F[0], $s);
		END { for (keys %t0) { $r += ($s1{$_} - $s0{$_}) / ($t1{$_} - $t0{$_}) if $t1{$_} > $t0{$_} }
		      printf "%.0f\n", $r if defined $r }')
ok "$(within 7200 "${hpps:-}" 8800)" \
	"rate=8000 on 2 cores: ${hpps:-?} frames/s by the host's clock (within 10%)"
like "$tx_out" '^pktgen core=1 summary .* tx_pkts=8000 ' "pktgen: each core sent half"

# --- rxcount cores=2: a many-flow tcpreplay counted exactly ------------------------
for ((p = 9000; p < 9016; p++)); do
	scripts/mkpcap -n 100 --sport $p --dst-mac $MAC1 --dst-ip 198.18.0.3 \
		-o "$LAB_DIR/flow$p.pcap" >/dev/null 2>&1
done
mergecap -a -w "$LAB_DIR/flows.pcap" "$LAB_DIR"/flow9*.pcap
is "$(capinfos -c -M "$LAB_DIR/flows.pcap" | awk '/Number of packets/ { print $NF }')" 1600 \
	"mkpcap: 16 flows (source ports 9000..9015) x 100 frames"
# dst_port=5001: mkpcap's payloads start with SKIF too, but are not probes.
lab_guest_start rx2 rxcount "$MQ1,mac=$MAC1" --cpus 2 --append "cores=2 idle=2 duration=40 dst_port=5001"
lab_wait_line "$(lab_guest_log rx2)" '^rxcount: counting' 30
lab_exec tcpreplay -q -i host0 --pps=2000 "$LAB_DIR/flows.pcap" >/dev/null 2>&1
lab_guest_wait rx2
is "$RC" 0 "rxcount cores=2 after tcpreplay: exit 0"
like "$(last_line "$OUT" '^rxcount summary ')" ' rx_pkts=1600 rx_bytes=96000 ' "rxcount: exactly 1600 frames, 96000 bytes"
q0=$(field "$(last_line "$OUT" 'net0 queue 0 ')" rx_packets)
q1=$(field "$(last_line "$OUT" 'net0 queue 1 ')" rx_packets)
ok "$([ "${q0:-0}" -gt 0 ] && [ "${q1:-0}" -gt 0 ] && echo 0 || echo 1)" \
	"the tap spread the flows: both RX queues got some ($q0 and $q1)"
is "$((q0 + q1))" "$(field "$(last_line "$OUT" 'net0 stats ')" rx_packets)" "per-queue counters add up to the NIC's total"
is "$(field "$(last_line "$OUT" '^rxcount core=0 summary ')" rx_pkts) $(field "$(last_line "$OUT" '^rxcount core=1 summary ')" rx_pkts)" \
	"$q0 $q1" "core k counted exactly what arrived on queue k"

# --- echo cores=2: ping and UDP from many source ports -------------------------
lab_guest_start echo echo "$MQ1,mac=$MAC1" --cpus 2 --timeout 60 --append "cores=2 ip=198.18.0.3 duration=20"
lab_wait_line "$(lab_guest_log echo)" '^echo: answering' 30
out=$(lab_exec ping -c 10 -i 0.05 -W 2 198.18.0.3 2>&1)
like "$out" '10 packets transmitted, 10 received' "ping: 10 of 10 answered by echo on 2 cores"
head -c 700 /dev/urandom >"$LAB_DIR/dgram"
socats=()
for ((p = 4000; p < 4016; p++)); do
	lab_exec socat -T 3 -t 3 - "UDP:198.18.0.3:7777,sourceport=$p" <"$LAB_DIR/dgram" \
		>"$LAB_DIR/back.$p" 2>/dev/null &
	socats+=("$!")
done
wait "${socats[@]}"
same=0
for ((p = 4000; p < 4016; p++)); do cmp -s "$LAB_DIR/dgram" "$LAB_DIR/back.$p" && same=$((same + 1)); done
is "$same" 16 "UDP from 16 source ports: every datagram back byte-identical"
lab_guest_wait echo
is "$RC" 0 "echo cores=2 duration=20: exit 0"
for k in 0 1; do
	c=$(last_line "$OUT" "^echo core=$k summary ") q=$(last_line "$OUT" "net0 queue $k ")
	is "$(field "$c" rx_pkts) $(field "$c" tx_pkts)" "$(field "$q" rx_packets) $(field "$q" tx_packets)" \
		"echo core $k: received on RX queue $k, answered on TX queue $k"
done
u0=$(field "$(last_line "$OUT" '^echo core=0 summary ')" udp_replies)
u1=$(field "$(last_line "$OUT" '^echo core=1 summary ')" udp_replies)
ok "$([ "${u0:-0}" -gt 0 ] && [ "${u1:-0}" -gt 0 ] && [ $((u0 + u1)) = 16 ] && echo 0 || echo 1)" \
	"both cores reflected UDP ($u0 + $u1 = 16)"

# --- cores= beyond the CPUs or the NIC's queue pairs -------------------------------
run_guest pktgen --net sink --append "cores=2 flows=2 count=10"
is "$RC" 2 "pktgen cores=2 on 1 CPU: exit 2"
like "$OUT" 'cores=2, but 1 CPU runs Skiff: .*scripts/run --cpus 2' "  says how to get the CPUs"
run_guest pktgen --cpus 2 --net sink --append "cores=2 flows=2 count=10"
is "$RC" 2 "pktgen cores=2 on the drop sink's one queue pair: exit 2"
like "$OUT" 'cores=2 needs 2 queue pairs, but net0 has 1; .*queues=2' "  says how to get the queues"
run_guest pktgen --cpus 2 --net sink --append "cores=2 count=10"
is "$RC" 2 "pktgen cores=2 with one flow: exit 2"
like "$OUT" 'every core needs a flow \(flows=2 or more\)' "  says why"
run_guest rxcount --cpus 2 --net sink --append "cores=3"
is "$RC" 2 "rxcount cores=3 on 2 CPUs: exit 2"
like "$OUT" 'rxcount: cores=3, but 2 CPUs run Skiff' "  named"
run_guest echo --cpus 2 --net sink --append "cores=2"
is "$RC" 2 "echo cores=2 on one queue pair: exit 2"
like "$OUT" 'echo: cores=2 needs 2 queue pairs, but net0 has 1' "  named"

done_testing
