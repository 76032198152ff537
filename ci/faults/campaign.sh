#!/usr/bin/env bash
# ci/faults/campaign.sh — random sys faults against the real binary (SPEC §10; `make campaign`).
#
# Each run is one container's life under libfiu's random faults in every sys/* point of the
# FIU=1 build (fiu-run -c 'enable_random name=sys/*,probability=P'), through all the
# processes of each command (the CLI, the supervisor it forks, pid 1 before exec):
#   even runs: launch a command that exits at once, `mcz wait`, `mcz destroy`;
#   odd runs:  launch a command that loops, `mcz usage`, `mcz destroy` (the kill path).
# Then, without faults, `mcz recover` and `mcz destroy` of the container, and the host must be
# clean (ci/faults/lib.sh: mounts, cgroups, processes, runtime dir; a bystander container,
# launched first, untouched).
#
# Faults are counted exactly: the FIU=1 build appends a line to $MCZ_FIU_LOG for each fault
# libfiu injects (sys/real.c), whichever process it hits. A run "failed cleanly" when one of
# its commands failed with an `mcz: error:` line and the host was clean after recover; a
# command still running after 30 s is a hang (a failure).
#
# Seeds: libfiu seeds its generator from the time unless FIU_PRNG_SEED is set, and keeps a
# set seed across fork(); each command of run i gets FIU_PRNG_SEED derived from
# (CAMPAIGN_SEED, i, command), so a run is reproduced by its seed (up to timing: the
# supervisor's 500 ms ticks and the EBUSY retries of cgroup removal vary the call sequence).
#
# usage: ci/faults/campaign.sh MCZ MCZ_FIU     (as root; exit 77 = skipped)
# env:   CAMPAIGN_RUNS (200), CAMPAIGN_PROBABILITY (0.02), CAMPAIGN_SEED (default: from the
#        clock; printed), FAULTS_VERBOSE=1 (a line per run), FAULTS_KEEP=1 (keep the logs).
set -uo pipefail

MCZ=$(realpath "${1:?usage: $0 MCZ MCZ_FIU}")
MCZ_FIU=$(realpath "${2:?usage: $0 MCZ MCZ_FIU}")
RUNS=${CAMPAIGN_RUNS:-200}
P=${CAMPAIGN_PROBABILITY:-0.02}
SEED=${CAMPAIGN_SEED:-$(($(date +%s%N) / 1000 % 1000000))}
TAG=mcz-campaign-$$
. "$(dirname "$0")/lib.sh"

command -v fiu-run >/dev/null || { echo "SKIP: fiu-run not found (make deps: fiu-utils)" >&2; exit 77; }
setup_root
trap 'echo "interrupted"; teardown_root; exit 130' INT TERM
V=victim

faults=0 clean_failures=0 leaks=0 hangs=0 unclear=0 survived=0 no_fault=0 launched=0

# fiu_cmd RUN K LOG ARGS...: one mcz command under random faults; its exit status.
# -f '': no remote-control FIFOs (/tmp/fiu-ctrl-<pid>.in/.out), hence no control thread in
# mcz (its clone() assumes one thread) and nothing left in /tmp by a process that _exits.
fiu_cmd() {
	local run=$1 k=$2 log=$3
	shift 3
	FIU_PRNG_SEED=$(((SEED * 7919 + run * 3 + k) % 2147483647)) MCZ_FIU_LOG="$log.faults" \
		timeout 30 fiu-run -f '' -c "enable_random name=sys/*,probability=$P" "$MCZ_FIU" "$@"
}

T0=$(date +%s.%N)
bystander_start
say "campaign: seed $SEED, probability $P, $RUNS runs, test root $ROOT"
for ((i = 1; i <= RUNS; i++)); do
	log=$LOGDIR/run.$i
	failed=0 bad=
	: >"$log.faults"
	if [ $((i % 2)) = 0 ]; then
		steps=("launch -- sh -c exit" wait destroy)
	else
		steps=("launch -- loop" usage destroy)
	fi
	k=0
	for step in "${steps[@]}"; do
		k=$((k + 1))
		case $step in
		"launch -- sh -c exit")
			fiu_cmd $i $k "$log" launch "${LAUNCH[@]}" --container_id=$V -- sh -c 'exit 0' "$TAG-$V" ;;
		"launch -- loop")
			fiu_cmd $i $k "$log" launch "${LAUNCH[@]}" --container_id=$V -- "${LOOP[@]}" "$TAG-$V" ;;
		*)
			fiu_cmd $i $k "$log" "$step" "${COMMON[@]}" $V ;;
		esac >"$log.$k.out" 2>"$log.$k.err"
		r=$?
		if [ $r = 124 ]; then
			hangs=$((hangs + 1))
			fail "run $i (seed $SEED): mcz ${step%% *} hung (killed after 30 s)"
		elif [ "${step%% *}" = wait ] && grep -q '"container_id"' "$log.$k.out"; then
			: # wait printed the Termination: it exits with the command's status
		elif [ $r != 0 ]; then
			failed=1
			grep -q '^mcz: error: ' "$log.$k.err" || bad="mcz ${step%% *} exit $r"
		elif [ "${step%% *}" = launch ]; then
			launched=$((launched + 1))
		fi
	done
	# The supervisor runs on after `mcz launch` and `wait` returned and may still add faults of
	# its own until destroy ends it: count after recover.
	recover_and_check "run $i" $V "$log"
	ok=$?
	n=$(wc -l <"$log.faults")
	faults=$((faults + n))
	if [ $ok != 0 ]; then
		leaks=$((leaks + 1))
		say "  run $i: faults: $(awk '{ print $2 }' "$log.faults" | tr '\n' ' ')"
		say "  run $i: replay: ${steps[*]} with FIU_PRNG_SEED=$(((SEED * 7919 + i * 3 + 1) % 2147483647)), +1, +2 (CAMPAIGN_SEED=$SEED)"
	elif [ $failed = 1 ] && [ -z "$bad" ]; then
		clean_failures=$((clean_failures + 1))
	elif [ $failed = 1 ]; then
		unclear=$((unclear + 1))
		fail "run $i: $bad without an 'mcz: error:' line: $(cat "$log".*.err | head -c 600)"
	elif [ "$n" -gt 0 ]; then
		survived=$((survived + 1))
	else
		no_fault=$((no_fault + 1))
	fi
	[ -z "${FAULTS_VERBOSE:-}" ] || say "run $i $(date +%T.%N | cut -c1-12): faults $n: $(awk '{ print $2 }' "$log.faults" | sort | uniq -c |
		awk '{ printf "%s%s ", $2, ($1 > 1 ? "x" $1 : "") }')exit $(for k in 1 2 3; do
		printf '%s ' "$(head -c 300 "$log.$k.err" | grep -o 'mcz: error: .*' | head -1 | cut -c1-150)"; done)"
	[ -n "${FAULTS_KEEP:-}" ] || rm -f "$log".*
done
teardown_root
T1=$(date +%s.%N)
say "campaign: seed $SEED, probability $P: $launched launch(es) succeeded, $no_fault run(s) without a fault, $survived with faults all commands absorbed, $hangs hang(s), $unclear failure(s) without an error line, $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }') s"
say "campaign: runs $RUNS, faults fired $faults, failed cleanly $clean_failures, leaks: $leaks"
[ "$leaks" = 0 ] && [ "$FAILURES" = 0 ]
