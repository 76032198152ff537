#!/usr/bin/env bash
# coverage/gate.sh COV_BUILD HTML_DIR — called by `make coverage` after the build.
#
# Runs COV_BUILD/scenarios (fake scenarios: the gated figures), captures them with lcov,
# then runs COV_BUILD/realtests for the informational sys/real.c figure, writes the HTML
# report to HTML_DIR and fails when a figure is below coverage/thresholds.
set -euo pipefail
cd "$(dirname "$0")/.."
cov=${1:-build/cov}
html=${2:-build/coverage}
root=$PWD

# lcov 1.16 is noisy: Perl "Subroutine ... redefined" warnings from its own modules.
lcovf() {
	lcov --rc lcov_branch_coverage=1 "$@" 2>&1 |
		{ grep -vE 'Subroutine .* redefined|^[[:space:]]*$' || true; }
}
lcovq() {
	lcovf --quiet "$@"
}

# "lines 96.3" / "branches 87.1" lines, or "n/a" when the area has none.
summary() {
	lcovf --summary "$1" | awk '
		/lines\.*:/    { k = "lines" }
		/branches\.*:/ { k = "branches" }
		k && /%/       { v = $2; sub("%", "", v); print k, v; k = "" }
		k && /no data/ { print k, "n/a"; k = "" }'
}

threshold() {
	awk -v a="$1" -v k="$2" '$1 == a && $2 == k { print $3 }' coverage/thresholds
}

run_quietly() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "coverage: '$*' failed (log: $log)" >&2
		return 1
	fi
}

find "$cov" -name '*.gcda' -delete
run_quietly "$cov/scenarios.log" "$cov/scenarios"
lcovq --capture --directory "$cov/obj" --base-directory "$root" --output-file "$cov/scenarios.info"
lcovq --extract "$cov/scenarios.info" "$root/core/*" "$root/lib/*" --output-file "$cov/core.info"
# sys/real.c is the real kernel: the fake scenarios never reach it by design, so it is not
# part of the gated sys figure (coverage/README.md).
lcovq --extract "$cov/scenarios.info" "$root/sys/*" --output-file "$cov/sys-all.info"
lcovq --remove "$cov/sys-all.info" "$root/sys/real.c" --output-file "$cov/sys.info"

# Informational: what the real-kernel tests reach of sys/real.c (more as root).
find "$cov" -name '*.gcda' -delete
if run_quietly "$cov/realtests.log" "$cov/realtests"; then
	lcovq --capture --directory "$cov/obj" --base-directory "$root" --output-file "$cov/realtests.info"
	lcovq --extract "$cov/realtests.info" "$root/sys/real.c" --output-file "$cov/real.info"
fi

reports=("$cov/core.info" "$cov/sys.info")
[ -s "$cov/real.info" ] && reports+=("$cov/real.info")
rm -rf "$html"
genhtml --quiet --branch-coverage --rc lcov_branch_coverage=1 --legend \
	--title "mcz scenarios" --output-directory "$html" "${reports[@]}" 2>&1 |
	{ grep -vE 'Subroutine .* redefined' || true; }

failed=0
check_area() {
	local area=$1 info=$2 kind value min
	while read -r kind value; do
		min=$(threshold "$area" "$kind")
		if [ "$value" = n/a ]; then
			printf '  %-5s %-9s   n/a  (no data)\n' "$area" "$kind"
		elif awk -v v="$value" -v m="${min:-0}" 'BEGIN { exit !(v + 0 >= m + 0) }'; then
			printf '  %-5s %-9s %5s%%  (minimum %s%%)\n' "$area" "$kind" "$value" "${min:-0}"
		else
			printf '  %-5s %-9s %5s%%  BELOW the minimum %s%%\n' "$area" "$kind" "$value" "$min"
			failed=1
		fi
	done < <(summary "$info")
}

echo "coverage (build/cov/scenarios against the fake; sys excludes sys/real.c):"
for area in core sys; do
	if [ ! -s "$cov/$area.info" ] || ! grep -q '^SF:' "$cov/$area.info"; then
		echo "  $area: no coverage data" >&2
		failed=1
		continue
	fi
	check_area "$area" "$cov/$area.info"
done
if [ -s "$cov/real.info" ]; then
	echo "sys/real.c from build/cov/realtests (informational, not gated; euid $(id -u)):"
	summary "$cov/real.info" | awk '{ printf "  real  %-9s %5s%%\n", $1, $2 }'
fi
echo "HTML report: $html/index.html"
if [ "$failed" -ne 0 ]; then
	echo "coverage: FAILED (thresholds in coverage/thresholds)" >&2
	exit 1
fi
echo "coverage: OK"
