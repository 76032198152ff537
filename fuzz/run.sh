#!/bin/sh
# run.sh MODE SECONDS BUILD TARGET... — what `make fuzz` (MODE fuzz) and `make check-fuzz`
# (MODE check: replay every corpus file first) run; see fuzz/README.md.
# Each target fuzzes a scratch copy of fuzz/corpus/<target> under BUILD/run/, so that new
# inputs never land in the repository; crashes go to BUILD/artifacts/<target>/.
set -u
mode=$1 secs=$2 build=$3
shift 3
fail=0
[ "$mode" = check ] && printf '%-20s %8s %8s %6s %6s %7s  %s\n' target replayed execs cov ft corpus result
[ "$mode" = fuzz ] && printf '%-20s %8s %6s %6s %7s  %s\n' target execs cov ft corpus result
for t in "$@"; do
	bin=$build/fuzz_$t
	run=$build/run/$t
	log=$build/run/$t.log
	art=$build/artifacts/$t/
	rm -rf "$run" "$art" && mkdir -p "$run" "$art" || exit 1
	cp fuzz/corpus/"$t"/* "$run"/ 2>/dev/null
	set -- -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art"
	[ -f fuzz/"$t".dict ] && set -- "$@" -dict=fuzz/"$t".dict
	case $t in
	cgroup_procs|config_json|memory_stat) set -- "$@" -max_len=20000 ;;
	*) set -- "$@" -max_len=4096 ;;
	esac
	result=ok replayed=-
	if [ "$mode" = check ]; then
		# every file on its own, the crash-* regression inputs included
		replayed=$(ls fuzz/corpus/"$t" | wc -l)
		if ! "$bin" "$@" fuzz/corpus/"$t"/* >"$log.replay" 2>&1; then
			result="CRASH in replay (see $log.replay)"
			fail=1
		fi
	fi
	if [ "$result" = ok ] &&
	   ! nice -n 10 "$bin" "$@" -max_total_time="$secs" -print_final_stats=1 "$run" >"$log" 2>&1; then
		result="CRASH (see $log; input in $art)"
		fail=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -1)
	covft=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" 2>/dev/null | tail -1)
	cov=$(echo "$covft" | awk '{print $2}')
	ft=$(echo "$covft" | awk '{print $4}')
	n=$(ls "$run" | wc -l)
	if [ "$mode" = check ]; then
		printf '%-20s %8s %8s %6s %6s %7s  %s\n' "$t" "$replayed" "${execs:--}" "${cov:--}" "${ft:--}" "$n" "$result"
	else
		printf '%-20s %8s %6s %6s %7s  %s\n' "$t" "${execs:--}" "${cov:--}" "${ft:--}" "$n" "$result"
	fi
	[ "$result" = ok ] || { tail -40 "$log" 2>/dev/null; [ -f "$log.replay" ] && tail -40 "$log.replay"; }
done
exit $fail
