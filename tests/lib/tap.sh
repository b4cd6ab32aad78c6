# TAP helpers for the in-QEMU tests (bash). Source it, then:
#   ok COND_EXIT_STATUS "name"      is "$got" "$want" "name"
#   like "$text" 'regex' "name"     unlike "$text" 'regex' "name"
#   done_testing                    (prints the plan, exits non-zero on failure)
# The tests run from the repository root; SKIFF_BUILD points at the images.

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
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() {
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
