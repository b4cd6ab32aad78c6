#!/usr/bin/env bash
# RX through a pool that runs dry: nettest hold=MS keeps every frame it
# receives until the pool has been empty for MS milliseconds, then lets
# them all go, while a host tool offers frames throughout. RX must resume
# by itself, and every frame offered to the guest's tap must be accounted
# for exactly: received by the NF, dropped by the driver for want of a
# buffer (rx_nobuf), or dropped by the tap.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/lab.sh"
lab_require

MAC0=52:54:00:c6:12:02
OFFER=40000

lab_up 1
scripts/mkpcap -n 1000 -s 60 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/f.pcap" >/dev/null 2>&1
lab_counters tap0 before
lab_guest_start hold nettest tap0 --timeout 60 --append "rx=$OFFER duration=15 promisc=0 hold=500"
lab_wait_line "$(lab_guest_log hold)" '^nettest: waiting for' 30
# 4 s at 10k frames/s: the pool (the ring plus TX and slack, ~1400 netbufs)
# runs dry in the first 0.2 s, the hold lasts 0.5 s, the rest comes after.
lab_exec tcpreplay -q -i host0 --pps=10000 --loop=$((OFFER / 1000)) "$LAB_DIR/f.pcap" >/dev/null 2>&1
lab_guest_wait hold
lab_counters tap0 after

is "$RC" 0 "hold: nettest exits 0"
like "$OUT" '^nettest: pool empty for 500 ms, released [0-9]+ netbufs' "hold: the pool ran dry and the held netbufs were released"
got=$(sed -n 's/^nettest: net0 received \([0-9]*\) frames.*/\1/p' <<<"$OUT")
before=$(sed -n 's/^nettest: pool empty .* after \([0-9]*\) frames$/\1/p' <<<"$OUT")
nobuf=$(sed -n 's/.* rx_nobuf=\([0-9]*\) .*/\1/p' <<<"$OUT")
offered=$(( after_tx_packets + after_tx_dropped - before_tx_packets - before_tx_dropped ))
dropped=$(( after_tx_dropped - before_tx_dropped ))
diag "offered $offered, received $got (${before:-?} before the release), rx_nobuf $nobuf, tap dropped $dropped"
is "$offered" "$OFFER" "the bridge offered all $OFFER frames to the tap"
is "$(( ${got:-0} + ${nobuf:-0} + dropped ))" "$offered" "received + rx_nobuf + tap drops = offered, exactly"
# After the release about 3 s of traffic remain (30000 frames): a driver
# whose RX died while the pool was dry gets none of them.
ok "$([ $(( ${got:-0} - ${before:-0} )) -ge 10000 ] && echo 0 || echo 1)" \
	"RX resumed after the release: $(( ${got:-0} - ${before:-0} )) frames afterwards"
like "$OUT" "rx_packets=$got .* nudges=0 dev_errors=0 pool_in_use=0" \
	"driver counters agree, no nudge, no device error, every netbuf back"

done_testing
