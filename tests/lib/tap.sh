# TAP helpers for the in-QEMU tests (bash). Source it, then:
#   ok COND_EXIT_STATUS "name"      is "$got" "$want" "name"
#   like "$text" 'regex' "name"     unlike "$text" 'regex' "name"
#   skip "name" "reason"            one check that cannot run here
#   skip_all "reason"               the whole file cannot run here
#   done_testing                    (prints the plan, exits non-zero on failure)
# The tests run from the repository root; SKIFF_BUILD points at the images.
#
# A test that cannot run (not root, a tool missing) skips, and says so on
# stderr with what is missing and how to get it. With SKIFF_STRICT=1 (set by
# .ci/run) it fails instead: in CI a skipped test would hide a broken check.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${SKIFF_BUILD:-build}
TAP_N=0
TAP_FAILED=0

tap_result() {	# pass(0/1) name [diagnostics...]
	local pass=$1 name=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if [ "$pass" = 0 ]; then
		echo "ok $TAP_N - $name"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $name"
		local line
		for line in "$@"; do printf '#   %s\n' "$line"; done
	fi
}

ok() { tap_result "$([ "$1" = 0 ] && echo 0 || echo 1)" "$2" "exit status $1"; }
is() { tap_result "$([ "$1" = "$2" ] && echo 0 || echo 1)" "$3" "got '$1'" "want '$2'"; }
like() {
	if grep -qE -- "$2" <<<"$1"; then tap_result 0 "$3"
	else tap_result 1 "$3" "no line matches /$2/ in:" "$(tail -n 15 <<<"$1")"; fi
}
unlike() {
	if grep -qE -- "$2" <<<"$1"; then tap_result 1 "$3" "a line matches /$2/:" "$(grep -E -- "$2" <<<"$1" | head -3)"
	else tap_result 0 "$3"; fi
}
diag() { printf '# %s\n' "$*"; }
_cannot_run() {	# what reason: said on stderr, which prove shows even without -v
	if [ "${SKIFF_STRICT:-0}" = 1 ]; then
		echo "${0#./}: FAILED $1: cannot run: $2 (SKIFF_STRICT=1)" >&2
	else
		echo "${0#./}: SKIPPED $1: $2" >&2
	fi
}
skip() {	# name reason
	_cannot_run "'$1'" "$2"
	if [ "${SKIFF_STRICT:-0}" = 1 ]; then
		tap_result 1 "$1" "cannot run: $2" "SKIFF_STRICT=1: a check that cannot run fails"
	else
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N - $1 # SKIP $2"
	fi
}
skip_all() {	# reason
	_cannot_run "every check" "$*"
	if [ "${SKIFF_STRICT:-0}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - ${0##*/} cannot run: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}
# A file that ran no check is broken, not skipped (prove reads "1..0" as a skip).
done_testing() {
	[ "$TAP_N" -gt 0 ] || tap_result 1 "${0##*/} ran at least one check"
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# run_guest IMAGE [scripts/run options...]: sets OUT (console + launcher
# messages) and RC (exit status).
run_guest() {
	local image=$1
	shift
	OUT=$(scripts/run --timeout "${GUEST_TIMEOUT:-30}" "$@" "$BUILD/$image.elf" 2>&1)
	RC=$?
}

# run_guest_timed IMAGE [options...]: run_guest, and STAMPED holds every line
# prefixed with the host's wall time when it arrived ("1795794061.333573 line").
# The console is a serial port QEMU writes as the guest does, so these stamps
# time the guest from outside, with the host's clock.
run_guest_timed() {
	local image=$1
	shift
	STAMPED=$(scripts/run --timeout "${GUEST_TIMEOUT:-30}" "$@" "$BUILD/$image.elf" 2>&1 |
		while IFS= read -r line; do printf '%s %s\n' "${EPOCHREALTIME/,/.}" "$line"; done
		exit "${PIPESTATUS[0]}")
	RC=$?
	OUT=$(cut -d' ' -f2- <<<"$STAMPED")
}
# host_seconds FROM TO: host seconds from the first STAMPED line matching
# FROM to the first later one matching TO (grep -E regexes); empty if none.
host_seconds() {
	awk -v from="$1" -v to="$2" '
		{ t = $1; sub(/^[^ ]* /, "") }
		t0 == "" && $0 ~ from { t0 = t; next }
		t0 != "" && $0 ~ to { printf "%.3f\n", t - t0; exit }' <<<"$STAMPED"
}
# within LO X HI: 0 if LO <= X <= HI (decimals), else 1.
within() { awk -v lo="$1" -v x="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; echo $?; }
