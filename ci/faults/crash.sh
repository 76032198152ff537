#!/usr/bin/env bash
# ci/faults/crash.sh — crash consistency of the real binary (SPEC §9; `make check-crash`).
#
# The FIU=1 build's crash hook (sys/real.c: MCZ_CRASH_AT_CALL=N makes the Nth sys call of
# the command's process tree _exit(99)) kills mcz at every step, N = 1, 2, ... until N
# passes the last call (three runs in a row without a crash), in four matrices:
#   launch           `mcz launch` (its CLI, the supervisor it forks, pid 1 before exec)
#   destroy          the supervisor running the destroy `mcz destroy` asked for (armed by
#                    MCZ_CRASH_ARM_FILE when the destroy starts; the CLI then adopts the rest)
#   destroy-adopted  `mcz destroy` of a container whose supervisor was SIGKILLed (the CLI
#                    destroys it itself)
#   recover          `mcz recover` adopting such a container
# After every crashed run: `mcz recover` and `mcz destroy` (normal build), then the host must
# be clean: mountinfo as before, nothing mounted below the test root, no cgroup of the test's
# root name in any hierarchy, no process with the test's tag, no runtime entry or pidns
# handle, and a bystander container launched first still RUNNING with the same pids.
#
# usage: ci/faults/crash.sh MCZ MCZ_FIU [MATRIX...]   (as root; exit 77 = skipped)
# env:   CRASH_MAX (default 2000) caps N per matrix; FAULTS_KEEP=1 keeps /var/lib/<tag> and
#        every run's logs; FAULTS_VERBOSE=1 prints a line per run.
set -uo pipefail

MCZ=$(realpath "${1:?usage: $0 MCZ MCZ_FIU [MATRIX...]}")
MCZ_FIU=$(realpath "${2:?usage: $0 MCZ MCZ_FIU [MATRIX...]}")
shift 2
MATRICES=("$@")
[ ${#MATRICES[@]} -gt 0 ] || MATRICES=(launch destroy destroy-adopted recover)
CRASH_MAX=${CRASH_MAX:-2000}
TAG=mcz-crash-$$
. "$(dirname "$0")/lib.sh"

setup_root
trap 'echo "interrupted"; teardown_root; exit 130' INT TERM
CRASHLOG=$LOGDIR/crashes
ARM=$ROOT/arm
V=victim

# The victim's supervisor, SIGKILLed: what a crash of it looks like from outside.
kill_supervisor() {
	local sup
	sup=$(status_field $V supervisor_pid)
	[ -n "$sup" ] || return 1
	kill -KILL "$sup" 2>/dev/null
	while kill -0 "$sup" 2>/dev/null && [ "$(awk '/^State:/ { print $2 }' /proc/"$sup"/status 2>/dev/null)" != Z ]; do
		sleep 0.01
	done
}

launch_victim() { # [env...]: a plain launch of the victim; 0 when it runs
	env "$@" timeout 30 "$MCZ_FIU" launch "${LAUNCH[@]}" --container_id=$V -- "${LOOP[@]}" "$TAG-$V" \
		>>"$LOGDIR/setup.out" 2>&1
}

# run_matrix NAME: N = 1, 2, ... until a run where the hook did not fire.
run_matrix() {
	local m=$1 n fired t0 t1 leaks=0 ops f0=$FAILURES quiet=0 points=0
	t0=$(date +%s.%N)
	: >"$CRASHLOG.$m"
	for ((n = 1; n <= CRASH_MAX; n++)); do
		local log=$LOGDIR/$m.$n
		rm -f "$ARM"
		case $m in
		launch)
			MCZ_CRASH_AT_CALL=$n MCZ_CRASH_LOG=$CRASHLOG.$m timeout 30 "$MCZ_FIU" launch "${LAUNCH[@]}" \
				--container_id=$V -- "${LOOP[@]}" "$TAG-$V" >"$log.out" 2>&1
			;;
		destroy)
			if ! launch_victim MCZ_CRASH_AT_CALL=$n MCZ_CRASH_ARM_FILE="$ARM" MCZ_CRASH_LOG="$CRASHLOG.$m"; then
				fail "$m N=$n: the victim did not launch: $(cat "$LOGDIR/setup.out")"
			fi
			touch "$ARM"
			timeout 30 "$MCZ" destroy "${COMMON[@]}" $V >"$log.out" 2>&1 ||
				fail "$m N=$n: mcz destroy (its supervisor crashed) exit $?: $(tail -c 400 "$log.out")"
			;;
		destroy-adopted | recover)
			launch_victim || fail "$m N=$n: the victim did not launch: $(cat "$LOGDIR/setup.out")"
			kill_supervisor || fail "$m N=$n: no supervisor to kill"
			local cmd=(destroy "${COMMON[@]}" $V)
			[ $m = recover ] && cmd=(recover "${COMMON[@]}")
			MCZ_CRASH_AT_CALL=$n MCZ_CRASH_LOG=$CRASHLOG.$m timeout 30 "$MCZ_FIU" "${cmd[@]}" >"$log.out" 2>&1
			;;
		esac
		recover_and_check "$m N=$n" $V "$log" || leaks=$((leaks + 1))
		# Read only now: a crashing process may write its line just after the CLI returned.
		fired=$(grep -c "^crash $n " "$CRASHLOG.$m")
		[ -z "${FAULTS_VERBOSE:-}" ] || printf '%s N=%d %s %s\n' "$m" "$n" \
			"$(grep "^crash $n " "$CRASHLOG.$m" | cut -d' ' -f3-)" "$(date +%T.%N | cut -c1-12)"
		# The number of calls varies a little (EBUSY retries of cgroup removal, watch
		# ticks): the end is three runs in a row that the hook did not stop.
		if [ "$fired" = 0 ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 3 ] && break
		else
			quiet=0
			points=$((points + 1))
		fi
		[ -n "${FAULTS_KEEP:-}" ] || rm -f "$log".*
	done
	t1=$(date +%s.%N)
	ops=$(awk '{ print $3 }' "$CRASHLOG.$m" | sort | uniq -c | sort -rn | awk '{ printf "%s %s, ", $2, $1 }')
	printf 'crash %-15s %4d crash points (N = %d.. ran to the end), %d leak(s), %d failure(s), %.1f s\n' \
		"$m:" "$points" $((n - 2)) "$leaks" $((FAILURES - f0)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	printf '      %-15s %s\n' "" "${ops%, }"
	[ "$n" -le "$CRASH_MAX" ] || fail "$m: still crashing at N = $CRASH_MAX (CRASH_MAX)"
}

T0=$(date +%s.%N)
bystander_start
say "crash: test root $ROOT, bystander pid $BY_PID (supervisor $BY_SUP)"
for m in "${MATRICES[@]}"; do
	case $m in
	launch | destroy | destroy-adopted | recover) run_matrix "$m" ;;
	*) fail "unknown matrix '$m'" ;;
	esac
done
teardown_root
T1=$(date +%s.%N)
printf 'crash: %d failure(s), %.1f s in all\n' "$FAILURES" "$(awk -v a="$T0" -v b="$T1" 'BEGIN { print b - a }')"
[ "$FAILURES" = 0 ]
