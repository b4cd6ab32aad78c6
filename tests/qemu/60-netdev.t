#!/usr/bin/env bash
# The virtio-net driver through the netdev API, with real traffic in a
# private lab: frames sent by the guest as seen by tshark on the bridge;
# frames sent by a host tool as counted by the guest; every transport; two
# NICs; and bad input (no NIC, oversize frames, a pool too small).
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/lab.sh"
lab_require

MAC0=52:54:00:c6:12:02
MAC1=52:54:00:c6:12:03

# tx_check NAME PCAP COUNT SIZE SRC: every test frame decoded as sent.
tx_check() {
	local name=$1 pcap=$2 count=$3 size=$4 src=$5
	is "$(lab_pcap_count "$pcap" "eth.type == 0x88b5 && eth.src == $src")" "$count" \
		"$name: tshark sees exactly $count frames from $src"
	# Frame i: to broadcast, from the NIC, 0x88b5, SIZE bytes, payload
	# seq i (32 bits), NIC index (16 bits), then bytes 6, 7, 8... mod 256.
	local bad
	bad=$(tshark -r "$pcap" -Y "eth.src == $src" -T fields -e eth.dst -e eth.type \
		-e frame.len -e data.data 2>/dev/null | awk -v size="$size" '
		BEGIN { pat = ""; for (k = 6; k < size - 14; k++) pat = pat sprintf("%02x", k % 256) }
		{ want = sprintf("%08x", NR - 1) substr($4, 9, 4) pat
		  if ($1 != "ff:ff:ff:ff:ff:ff" || $2 != "0x88b5" || $3 != size || $4 != want) bad++ }
		END { print bad + 0 }')
	is "$bad" 0 "$name: every frame has the addresses, length and payload pattern"
}

lab_up 2

# --- TX: exact counts and contents, 60 and 1514 bytes -----------------------
for size in 60 1514; do
	lab_capture_start "$LAB_DIR/tx$size.pcap" "ether proto 0x88b5"
	lab_guest_start tx nettest tap0 --append "count=1000 size=$size"
	lab_guest_wait tx
	lab_capture_stop
	is "$RC" 0 "TX $size: nettest exits 0"
	like "$OUT" "nettest: net0 sent 1000 frames of $size bytes" "TX $size: guest sent 1000"
	like "$OUT" 'tx_packets=1000 .* pool_in_use=0' "TX $size: all buffers back in the pool"
	tx_check "TX $size" "$LAB_DIR/tx$size.pcap" 1000 "$size" "$MAC0"
done

# --- transports ----------------------------------------------------------------
for t in modern legacy transitional; do
	lab_capture_start "$LAB_DIR/$t.pcap" "ether proto 0x88b5"
	lab_guest_start "$t" nettest "tap0,mac=$MAC0,transport=$t" --append "count=300"
	lab_guest_wait "$t"
	lab_capture_stop
	is "$RC" 0 "$t: nettest exits 0"
	want=pci-modern
	[ "$t" = legacy ] && want=pci-legacy
	like "$OUT" "nettest: net0 virtio-net $want " "$t: driven through $want"
	tx_check "$t" "$LAB_DIR/$t.pcap" 300 60 "$MAC0"
done

# Device features off: a legacy device without merged RX buffers uses the
# 10-byte header; without EVENT_IDX the driver follows NO_NOTIFY; without
# the control queue promiscuous mode cannot be switched.
for feat in "legacy,mrg_rxbuf=off,event_idx=off,ctrl_vq=off" "modern,event_idx=off,mrg_rxbuf=off"; do
	name=${feat%%,*}-nofeatures
	lab_capture_start "$LAB_DIR/$name.pcap" "ether proto 0x88b5"
	lab_guest_start "$name" nettest "tap0,mac=$MAC0,transport=$feat" --append "count=500 size=1514"
	lab_guest_wait "$name"
	lab_capture_stop
	is "$RC" 0 "$feat: nettest exits 0"
	tx_check "$feat" "$LAB_DIR/$name.pcap" 500 1514 "$MAC0"
	scripts/mkpcap -n 300 -s 1514 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/$name-rx.pcap" >/dev/null 2>&1
	lab_guest_start "$name-rx" nettest "tap0,mac=$MAC0,transport=$feat" --append "rx=300 duration=20"
	lab_wait_line "$(lab_guest_log $name-rx)" '^nettest: waiting for' 20
	lab_exec tcpreplay -q -i host0 --pps=2000 "$LAB_DIR/$name-rx.pcap" >/dev/null 2>&1
	lab_guest_wait "$name-rx"
	like "$OUT" 'nettest: net0 received 300 frames, 454200 bytes' "$feat: 300 frames received exactly"
done

# --- two NICs ---------------------------------------------------------------
lab_capture_start "$LAB_DIR/two.pcap" "ether proto 0x88b5"
lab_guest_start two nettest tap0 --net tap:tap1,mac=$MAC1,transport=legacy --append "count=300"
lab_guest_wait two
lab_capture_stop
is "$RC" 0 "two NICs: nettest exits 0"
tx_check "two NICs, net0" "$LAB_DIR/two.pcap" 300 60 "$MAC0"
tx_check "two NICs, net1" "$LAB_DIR/two.pcap" 300 60 "$MAC1"

# --- RX: a host tool sends, the guest counts ------------------------------------
scripts/mkpcap -n 2000 -s 60 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/rx.pcap" >/dev/null 2>&1
lab_guest_start rx nettest tap0 --append "rx=2000 duration=20 promisc=0"
lab_wait_line "$(lab_guest_log rx)" '^nettest: waiting for' 20
lab_exec tcpreplay -q -i host0 --pps=5000 "$LAB_DIR/rx.pcap" >/dev/null 2>&1
lab_guest_wait rx
is "$RC" 0 "RX: nettest exits 0"
like "$OUT" 'nettest: net0 received 2000 frames, 120000 bytes' "RX: exactly 2000 frames, 120000 bytes"
like "$OUT" 'rx_packets=2000 rx_bytes=120000 rx_errors=0' "RX: device counters agree"

# promisc=0: a frame for another MAC does not get in; promisc=1: it does.
scripts/mkpcap -n 50 -s 60 --dst-mac 02:00:00:00:00:99 -o "$LAB_DIR/other.pcap" >/dev/null 2>&1
for p in 0 1; do
	lab_guest_start "promisc$p" nettest tap0 --append "rx=50 duration=3 promisc=$p"
	lab_wait_line "$(lab_guest_log promisc$p)" '^nettest: waiting for' 20
	lab_exec tcpreplay -q -i host0 --pps=1000 "$LAB_DIR/other.pcap" >/dev/null 2>&1
	lab_guest_wait "promisc$p"
	want=$([ $p = 1 ] && echo 50 || echo 0)
	like "$OUT" "nettest: net0 received $want frames" "promisc=$p: $want of 50 frames for another MAC"
done

# Full speed: whatever the guest misses, the tap dropped (QEMU stops reading
# when the ring is empty), so received + tap drops = sent.
scripts/mkpcap -n 1000 -s 60 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/fast.pcap" >/dev/null 2>&1
lab_counters tap0 before
lab_guest_start fast nettest tap0 --append "rx=60000 duration=6 promisc=0"
lab_wait_line "$(lab_guest_log fast)" '^nettest: waiting for' 20
lab_exec tcpreplay -q -i host0 --topspeed --loop=50 "$LAB_DIR/fast.pcap" >/dev/null 2>&1
lab_guest_wait fast
lab_counters tap0 after
got=$(sed -n 's/^nettest: net0 received \([0-9]*\) frames.*/\1/p' <<<"$OUT")
sent=$(( after_tx_packets + after_tx_dropped - before_tx_packets - before_tx_dropped ))
dropped=$(( after_tx_dropped - before_tx_dropped ))
diag "full speed: host sent $sent, guest received $got, tap dropped $dropped"
is "$sent" 50000 "full speed: the bridge offered all 50000 frames to the tap"
ok "$([ $(( got + dropped )) -ge $(( sent - 300 )) ] && [ $(( got + dropped )) -le "$sent" ] && echo 0 || echo 1)" \
	"full speed: received + dropped at the tap = sent (within QEMU's 256-frame queue)"
# received + dropped = sent also holds for a driver that receives nothing,
# or stops refilling its ring. A working driver keeps the ring posted, so
# the tap drops only what arrives while QEMU's I/O thread is not scheduled:
# on this 2-core machine it received 66-92% of the 50000 in runs next to
# other builds and QEMUs (load average 1-3), 91-93% with three more busy
# loops (they slow tcpreplay down too).
# A quarter (12500, over 12 times the 1024-slot ring) leaves a margin of
# more than 2.5 and fails a driver that stops after a ring or two.
ok "$([ "${got:-0}" -ge $(( sent / 4 )) ]; echo $?)" \
	"full speed: the guest received at least a quarter of them (${got:-0} of $sent)"
like "$OUT" "rx_packets=$got rx_bytes=$((got * 60)) rx_errors=0 " \
	"full speed: the driver's counters agree with the frames the NF got"
diag "full speed: ring-dry polls in the guest: $(sed -n 's/.* rx_ring_dry=\([0-9]*\) .*/\1/p' <<<"$OUT")"

# --- lost notifications -------------------------------------------------------
# With a single CPU slot QEMU's TCG drops the guest's memory barriers and the
# EVENT_IDX handshake loses kicks (scripts/run avoids it with maxcpus=2).
# The driver must still never hang: 2 million burst-1 frames into the drop
# sink on exactly that QEMU command line.
cmd=$(scripts/run --dry-run --net sink --append "count=2000000 burst=1 duration=60" \
	"$BUILD/pktgen.elf" | sed 's/\\,maxcpus=2//')
if [[ "$cmd" == *maxcpus* ]]; then
	ok 1 "could not remove maxcpus from scripts/run's command line"
else
	out=$(eval "timeout 60 $cmd" </dev/null 2>&1 | tr -d '\r')
	like "$out" '^pktgen summary .* tx_pkts=2000000 ' \
		"-smp 1 under TCG: all 2 million frames sent, no permanent stall"
	diag "$(grep -o 'nudges=[0-9]*' <<<"$out") (kicks the driver sent unasked to recover)"
fi

# --- bad input ------------------------------------------------------------
lab_guest_start nonic nettest none --append "count=10"
lab_guest_wait nonic
is "$RC" 1 "no NIC: exit status 1"
like "$OUT" 'nettest: no network device net0 \(found 0\); boot with a NIC' "no NIC: said so"

lab_guest_start small nettest tap0 --append "count=10 pool=200"
lab_guest_wait small
is "$RC" 1 "pool too small for the RX ring: exit status 1"
like "$OUT" "pool 'net0' could fill only 200 of the 1024 RX descriptors" "small pool: reported at set-up"

# Jumbo frames (MTU 9000 on the lab) do not fit a buffer: with MRG_RXBUF
# the device spreads each over several, the driver drops them all, counts
# them, and goes on receiving normal frames.
lab_up 1 9000
scripts/mkpcap -n 20 -s 9000 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/jumbo.pcap" >/dev/null 2>&1
scripts/mkpcap -n 100 -s 1514 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/after.pcap" >/dev/null 2>&1
lab_guest_start jumbo nettest tap0 --append "rx=100 duration=20 promisc=0"
lab_wait_line "$(lab_guest_log jumbo)" '^nettest: waiting for' 20
lab_exec tcpreplay -q -i host0 --pps=200 "$LAB_DIR/jumbo.pcap" >/dev/null 2>&1
lab_exec tcpreplay -q -i host0 --pps=500 "$LAB_DIR/after.pcap" >/dev/null 2>&1
lab_guest_wait jumbo
is "$RC" 0 "jumbo: the guest kept running and exits 0"
like "$OUT" 'nettest: net0 received 100 frames, 151400 bytes' "jumbo: the 100 normal frames after them counted exactly"
like "$OUT" 'rx_errors=20 rx_oversize=20 ' "jumbo: 20 oversize frames dropped and counted"
like "$OUT" 'pool_in_use=0' "jumbo: every buffer they used went back to the pool"

done_testing
