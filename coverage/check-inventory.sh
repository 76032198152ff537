#!/usr/bin/env bash
# Every SYS_OPS entry (sys/sys.h) must be wired everywhere an op lives:
#   - sys/real.c: a wrapper real_<name> whose fiu point is "sys/<area>/<name>" with the
#     inventory's default errno (a misnamed point would silently never fire);
#   - fakes/: a handler named fake_<name> or model_<name>;
# and, the other half of the one-door rule, no file outside sys/ includes the headers that
# reach the kernel directly (the real-kernel tests, scenarios/real_*.c and harness_real.c,
# are exempt: talking to the kernel is their job).
# The op list comes from the preprocessor, so the inventory's formatting does not matter.
set -euo pipefail
cd "$(dirname "$0")/.."

ops=$(printf '#include "sys/sys.h"\n#define X(n, a, k, e, ...) @OP n a #e\nSYS_OPS(X)\n' |
	${CC:-cc} -E -P -I. -D_GNU_SOURCE -x c - | grep -o '@OP [a-z0-9_]* [a-z]* "([A-Z0-9]*' |
	tr -d '"(' | cut -c5-)
[ -n "$ops" ] || { echo "check-inventory: no SYS_OPS entries found in sys/sys.h" >&2; exit 1; }

problems=0
problem() {
	echo "check-inventory: $*" >&2
	problems=$((problems + 1))
}

# The body of real_<name> in sys/real.c, from its definition line to the closing brace.
real_body() {
	awk -v fn="real_$1(" 'index($0, "static int " fn) == 1 && !/;[[:space:]]*$/ { on = 1 }
		on { print } on && /^}/ { exit }' sys/real.c
}

n=0
while read -r name area err; do
	n=$((n + 1))
	point="sys/$area/$name"
	body=$(real_body "$name")
	if [ -z "$body" ]; then
		problem "$name: no real_$name() in sys/real.c"
	elif ! grep -q "fiu_\(return\|do\)_on(\"$point\"" <<<"$body"; then
		problem "$name: real_$name() has no fiu point \"$point\""
	elif ! grep -q "fiu_\(return\|do\)_on(\"$point\", .*fault_errno($err)" <<<"$body"; then
		problem "$name: the fiu point \"$point\" does not default to $err (the inventory's errno)"
	fi
	if ! grep -rqE "\b(fake|model)_${name}\b" fakes/ 2>/dev/null; then
		problem "$name: no fake handler in fakes/ (fake_$name or model_$name)"
	fi
done <<<"$ops"

kernel_headers='^[[:space:]]*#[[:space:]]*include[[:space:]]*<(sys/mount\.h|sys/syscall\.h|sched\.h|sys/wait\.h)>'
while IFS= read -r hit; do
	[ -n "$hit" ] && problem "${hit%%:*}: includes a kernel header only sys/ may use: ${hit#*:*:}"
done < <(grep -rnE "$kernel_headers" core/ cli/ fakes/ scenarios/ 2>/dev/null |
	grep -vE '^scenarios/(real_[^/]*|harness_real)\.c:' || true)

if [ "$problems" -gt 0 ]; then
	echo "check-inventory: FAILED ($problems problem(s), $n ops)" >&2
	exit 1
fi
echo "check-inventory: OK ($n ops: fiu point in sys/real.c, fake handler in fakes/)"
