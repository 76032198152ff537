#!/usr/bin/env bash
# make demo: a real container on this machine — a private /tmp, a read-only data volume, its
# own pid namespace — showing what the command sees from inside, then what is left outside
# (nothing but the sandbox, which mcz never removes). Needs root (namespaces, cgroups).
set -euo pipefail
MCZ=${MCZ:-build/mcz}
if [ "$(id -u)" != 0 ]; then
	echo "make demo: needs root (it creates namespaces, mounts and a freezer cgroup)" >&2
	exit 1
fi
work=$(mktemp -d /var/lib/mcz-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" && echo "hello from the host" > "$work/data/greeting"
echo "a file in the host's /tmp" > "$work/host-marker" && cp "$work/host-marker" /tmp/mcz-demo-host-marker
trap 'rm -rf "$work" /tmp/mcz-demo-host-marker' EXIT

show() { printf '\n$ %s\n' "$*"; }

"$MCZ" --version
show "$MCZ run --isolation=filesystem/shared,namespaces/pid --volume=tmp:/tmp --volume=$work/data:/mnt:ro -- sh -c '...'"
"$MCZ" run --work_dir="$work" --runtime_dir="$work/run" --container_id=demo \
	--isolation=filesystem/shared,namespaces/pid \
	--volume=tmp:/tmp --volume="$work/data:/mnt:ro" -- sh -c '
	echo "## inside: I am pid $$, and these are all the processes I can see:"
	ps -e -o pid,comm
	echo "## /tmp is private (the host marker is not here) and writable:"
	ls -la /tmp; echo scratch > /tmp/scratch && echo "wrote /tmp/scratch"
	echo "## /mnt is the host directory, read-only:"
	cat /mnt/greeting
	echo overwrite 2>/dev/null > /mnt/greeting || echo "writing /mnt/greeting: refused (read-only)"
	sleep 1000 &
	echo "## started a background sleep (pid $!); it dies with pid 1"
	exit 3' && status=0 || status=$?
echo "(mcz run exited with $status: the command's exit code)"
echo
echo "## outside, afterwards:"
echo "- the sandbox keeps what the container wrote to its /tmp:"
ls -la "$work/sandboxes/demo/tmp"
echo "- no background sleep survived: $(pgrep -c -f '^sleep 1000$' || true) left"
echo "- no mcz mount left: $(grep -c "$work" /proc/self/mountinfo || true) in /proc/self/mountinfo"
echo "- no freezer cgroup left, no runtime entry: $(ls "$work/run/containers")"
echo
echo "## bad input is refused before anything is created (exit 125):"
show "$MCZ run --isolation=namespaces/pid,bogus -- true"
"$MCZ" run --work_dir="$work" --runtime_dir="$work/run" --isolation=namespaces/pid,bogus -- true || echo "(exit $?)"
