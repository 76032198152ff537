#!/bin/sh
# check-layers.sh — the layering rules of ARCHITECTURE.md, checked on the tree and on the
# objects of a build (run by `make check-layers`, part of `make check`):
#   1. includes go down only: a file includes its own folder or a folder of a lower layer
#      (same-layer siblings do not include each other, so no cycle can form); lib/ includes
#      nothing of ours, sys/ only lib/;
#   2. no file outside sys/ includes a kernel-interface header itself (the constants the
#      core passes to sys ops come through sys/sys.h);
#   3. no object outside sys/ calls the kernel: none imports a libc syscall wrapper that the
#      real sys layer (sys/real.o) imports, or one from the extra list below. This is what
#      makes "every kernel interaction goes through sys" true in fact, not only by grep.
# Usage: ci/check-layers.sh [BUILD_DIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$root"

# folder rank: lower layers first. Folders of one rank are siblings.
layers='
lib 0
sys 1
fakes 2
core/base 3
core/spec 4
core/plan 4
core/cgroups 4
core/container 5
core/child 6
core/isolators 6
core/launchers 6
core/state 7
core/lifecycle 8
core/recover 9
core/frontend/mesos 10
cli 11
'

folder_of() { # longest folder of $layers that is a prefix of $1
	echo "$layers" | awk -v p="$1" 'NF==2 && index(p, $1 "/")==1 && length($1)>best { best=length($1); f=$1 } END { print f }'
}
rank_of() {
	echo "$layers" | awk -v f="$1" 'NF==2 && $1==f { print $2 }'
}

fail=0
checked=0
for f in $(git ls-files 'lib/*.[ch]' 'sys/*.[ch]' 'fakes/*.[ch]' 'core/*.[ch]' 'cli/*.[ch]'); do
	[ -f "$f" ] || continue
	from=$(folder_of "$f")
	if [ -z "$from" ]; then
		echo "check-layers: $f: in no layer (add its folder to ci/check-layers.sh and ARCHITECTURE.md)"
		fail=1
		continue
	fi
	rf=$(rank_of "$from")
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		checked=$((checked + 1))
		case "$inc" in
		*/*) ;;
		*) # a same-folder include ("sys.h")
			if [ ! -f "$(dirname "$f")/$inc" ]; then
				echo "check-layers: $f: includes \"$inc\": spell it from the top (\"$from/$inc\")"
				fail=1
			fi
			continue ;;
		esac
		to=$(folder_of "$inc")
		if [ -z "$to" ]; then
			echo "check-layers: $f: includes \"$inc\", which is in no layer"
			fail=1
			continue
		fi
		[ "$to" = "$from" ] && continue
		rt=$(rank_of "$to")
		if [ "$rt" -ge "$rf" ]; then
			echo "check-layers: $f ($from, layer $rf) includes \"$inc\" ($to, layer $rt): only lower layers"
			fail=1
		fi
	done
	case "$from" in sys) continue ;; esac
	bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(linux/|asm/|sys/syscall\.h|sys/mount\.h|sys/prctl\.h|sys/ptrace\.h|sys/capability\.h|sys/signalfd\.h|sys/resource\.h|sys/wait\.h|seccomp\.h|sched\.h)' "$f" || true)
	if [ -n "$bad" ]; then
		echo "check-layers: $f: includes a kernel-interface header (only sys/ may): $bad"
		fail=1
	fi
done

# 3. symbols: what sys/real.o calls, nobody else calls.
real="$build/obj/sys/real.o"
if [ ! -f "$real" ]; then
	echo "check-layers: $real missing: run make first" >&2
	exit 1
fi
# Library functions real.c uses that are not system calls.
not_syscalls='free memcpy qsort realloc strcmp strdup strlen strnlen strtoul sigaddset sigemptyset
sigismember sigfillset __errno_location _GLOBAL_OFFSET_TABLE_ __libc_current_sigrtmin __gcov_dump
__gcov_reset closedir dirfd opendir readdir getpwnam_r getgrouplist'
# System calls real.c does not (yet) use, that nothing outside it may use either.
extra='fork vfork clone clone3 unshare setns sigqueue prctl capset capget ptrace ioctl mknod mknodat
pivot_root chroot setrlimit prlimit prlimit64 sethostname setdomainname personality seccomp
open64 openat64 creat socket connect bind execv execvp execvpe execl execlp system popen
sigaction signal raise abort_unused syscall'
forbidden=$( { nm -u "$real" | awk '{print $NF}'; for s in $extra; do echo "$s"; done; } | sort -u)
for s in $not_syscalls; do
	forbidden=$(echo "$forbidden" | grep -vx "$s" || true)
done
for o in $(find "$build/obj/lib" "$build/obj/core" "$build/obj/cli" "$build/obj/fakes" -name '*.o' 2>/dev/null | sort); do
	used=$(nm -u "$o" | awk '{print $NF}' | sed 's/@.*//' | grep -xF "$forbidden" || true)
	if [ -n "$used" ]; then
		echo "check-layers: $o calls the kernel directly (go through sys/): $(echo $used)"
		fail=1
	fi
done

if [ "$fail" != 0 ]; then
	echo "check-layers: FAILED"
	exit 1
fi
echo "check-layers: OK ($checked includes in $(git ls-files 'lib/*.[ch]' 'sys/*.[ch]' 'fakes/*.[ch]' 'core/*.[ch]' 'cli/*.[ch]' | wc -l) files; no object outside sys/ calls the kernel)"
