#!/usr/bin/env bash
# Installs the Debian package into a minimal Debian 12 root, as a user without Twofold's build
# machine would (issue 18), and checks that it works there:
#
#   1. a fresh copy of a `debootstrap --variant=minbase bookworm` root (bookworm, -updates and
#      -security, as a Debian 12 install has them), with /proc and a small /dev of its own;
#   2. `apt-get install --no-install-recommends ./twofold_*.deb` in it: the package's Depends
#      alone must pull in everything (no Recommends to paper over a missing one);
#   3. `twofold-cli --version`, and `twofold-cli generate` of the RFC 6238 example key at
#      t = 59 s, which must print 996554 (`oathtool --totp -b JBSWY3DPEHPK3PXP -N @59`);
#   4. the app, run there by an unprivileged user against a private Xvfb of this machine (its
#      abstract socket is reachable from the root; nothing of X is installed in it), is still
#      running after 5 s.
#
#   tests/tools/deb-root-test.sh --prepare       make the minimal root (scripts/test.sh runs
#                                                this in the background during the release build)
#   tests/tools/deb-root-test.sh PACKAGE.deb     the test, on a fresh copy of that root
#
# Cached in target/deb-root/ (kept across runs of one clone, made anew in a fresh clone):
# base/, the root as debootstrap and `apt-get update` left it (remade when older than 7 days),
# and archives/, apt's downloaded packages, so a second run downloads only what changed. Needs
# root (debootstrap, mount, chroot): through sudo when not root. Every mount and process is
# undone on exit. Mirror: DEB_MIRROR (default http://deb.debian.org/debian, this machine's).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

MIRROR="${DEB_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEB_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}"
SUITE=bookworm
EXPECTED_CODE=996554
CACHE="$ROOT/target/deb-root"
BASE="$CACHE/base"
ARCHIVES="$CACHE/archives"

case "${1:-}" in
--prepare) mode=prepare ;;
-h | --help | "")
	sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	[ -n "${1:-}" ] || exit 2
	exit 0
	;;
*)
	mode="test"
	deb="$(realpath "$1")"
	[ -f "$deb" ] || die "no package at $1"
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || die "needs root (debootstrap, mount, chroot), and there is no sudo"
	exec sudo --preserve-env=DEB_MIRROR,DEB_SECURITY_MIRROR bash "$ROOT/tests/tools/deb-root-test.sh" "$@"
fi
for tool in debootstrap chroot mount; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/setup.sh installs debootstrap)"
done
mkdir -p "$CACHE" "$ARCHIVES"
# One run at a time per clone: a test waits for a --prepare still making the root.
exec {lock}>"$CACHE/.lock"
flock "$lock"

# Mounts /proc and a /dev of its own (a tmpfs with the usual nodes, never the machine's /dev)
# into root $1, and undoes them, and ends what runs there, at exit.
enter() {
	local root="$1"
	at_exit leave "$root"
	mount -t proc proc "$root/proc"
	mount -t tmpfs -o mode=0755,size=64m tmpfs "$root/dev"
	mknod -m 0666 "$root/dev/null" c 1 3
	mknod -m 0666 "$root/dev/zero" c 1 5
	mknod -m 0666 "$root/dev/full" c 1 7
	mknod -m 0666 "$root/dev/random" c 1 8
	mknod -m 0666 "$root/dev/urandom" c 1 9
	mknod -m 0666 "$root/dev/tty" c 5 0
	mkdir -m 1777 "$root/dev/shm"
	ln -s /proc/self/fd "$root/dev/fd"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
}
leave() {
	local root="$1" pid
	for pid in $(root_pids "$root"); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	sleep 0.2
	unmount_under "$root"
}
# The processes whose root directory is $1.
root_pids() {
	local link
	for link in /proc/[0-9]*/root; do
		if [ "$(readlink "$link" 2>/dev/null)" = "$1" ]; then
			link="${link#/proc/}"
			printf '%s\n' "${link%/root}"
		fi
	done
}
# What is mounted under $1 (ours, or debootstrap's /proc and /sys when it was stopped midway).
mounts_under() { awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts; }
unmount_under() {
	local mount
	for mount in $(mounts_under "$1" | sort -r); do
		umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true
	done
}
# Deletes root $1, unless something is still mounted under it (rm would reach into it).
remove_root() {
	[ -e "$1" ] || return 0
	unmount_under "$1"
	if [ -n "$(mounts_under "$1")" ]; then
		warn "still mounted under $1, so it is left in place: $(mounts_under "$1" | tr '\n' ' ')"
		return 1
	fi
	rm -rf --one-file-system "$1"
}
in_root() { chroot "$root" "$@"; }

prepare() {
	if [ -f "$BASE/.twofold-ready" ] && [ -z "$(find "$BASE/.twofold-ready" -mtime +7)" ]; then
		log "minimal root: cached in ${BASE#"$ROOT"/} ($(du -sh "$BASE" | cut -f1))"
		return
	fi
	local t0=$SECONDS new="$CACHE/base.new" root
	remove_root "$new"
	at_exit remove_root "$new"
	log "minimal root: debootstrap --variant=minbase $SUITE from $MIRROR"
	# --cache-dir: debootstrap keeps its downloads beside apt's, for the next fresh root.
	bounded 15 debootstrap debootstrap --variant=minbase --cache-dir="$ARCHIVES" "$SUITE" "$new" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1 ||
		die "debootstrap failed: $(tail -n 20 "$CACHE/debootstrap.log")"
	cat >"$new/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY_MIRROR $SUITE-security main
	EOF
	# No service starts inside the root (Debian's policy-rc.d convention).
	printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
	chmod 0755 "$new/usr/sbin/policy-rc.d"
	root="$new"
	(
		_AT_EXIT=()
		enter "$root"
		bounded 10 "apt-get update in the minimal root" chroot "$root" apt-get update -qq
	)
	remove_root "$BASE"
	mv "$new" "$BASE"
	touch "$BASE/.twofold-ready"
	log "minimal root: made in $((SECONDS - t0)) s ($(du -sh "$BASE" | cut -f1))"
}

if [ "$mode" = prepare ]; then
	prepare
	exit 0
fi
prepare
started=$SECONDS
root="$(mktemp -d "$CACHE/run.XXXXXX")"
at_exit remove_root "$root"
cp -a "$BASE/." "$root/"
chmod 0755 "$root"
enter "$root"
# apt's downloads live in the cache between runs: moved in (a rename) and back out at exit.
rm -rf "$root/var/cache/apt/archives"
mv "$ARCHIVES" "$root/var/cache/apt/archives"
at_exit mv "$root/var/cache/apt/archives" "$ARCHIVES"
mkdir -p "$root/var/cache/apt/archives/partial"
before="$(in_root dpkg-query -W -f='.\n' | wc -l)"

section "minimal root: apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
t0=$SECONDS
bounded 10 "apt-get update in the minimal root" chroot "$root" apt-get update -qq
bounded 15 "apt-get install in the minimal root" \
	chroot "$root" apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$root/tmp/apt.log" 2>&1 ||
	die "apt-get install failed: $(tail -n 30 "$root/tmp/apt.log")"
# shellcheck disable=SC2016 # dpkg-query's own ${…} format
[ "$(in_root dpkg-query -W -f='${Status}' twofold)" = "install ok installed" ] || die "apt did not install twofold"
after="$(in_root dpkg-query -W -f='.\n' | wc -l)"
downloaded="$(sed -n 's/^Need to get \(.*\) of archives.*/\1/p' "$root/tmp/apt.log")"
log "apt-get install: twofold and $((after - before - 1)) packages it pulled in (${downloaded:-nothing} downloaded) in $((SECONDS - t0)) s"

section "minimal root: the CLI"
cli_version="$(in_root twofold-cli --version)" || die "twofold-cli --version failed in the minimal root"
log "twofold-cli --version: $cli_version"
code="$(in_root twofold-cli generate --uri 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP' --at 59)" ||
	die "twofold-cli generate failed in the minimal root"
[ "$code" = "$EXPECTED_CODE" ] || die "twofold-cli generate --at 59 printed \"$code\", expected $EXPECTED_CODE"
log "twofold-cli generate --at 59: $code (expected $EXPECTED_CODE)"

section "minimal root: the app (unprivileged user, private Xvfb)"
in_root useradd --create-home --shell /bin/sh twofold-test
user="$(in_root id -u twofold-test):$(in_root id -g twofold-test)"
in_root install -d -o twofold-test -g twofold-test -m 0700 /tmp/runtime
start_xvfb "$root/tmp/xvfb.log"
chroot --userspec="$user" "$root" env -i PATH=/usr/bin:/bin HOME=/home/twofold-test \
	DISPLAY="$DISPLAY" XDG_RUNTIME_DIR=/tmp/runtime TWOFOLD_VAULT=/tmp/runtime/vault.twofold NO_AT_BRIDGE=1 \
	twofold >"$root/tmp/app.log" 2>&1 &
app_pid=$!
sleep 5
if ! kill -0 "$app_pid" 2>/dev/null; then
	wait "$app_pid" && status=0 || status=$?
	die "the app exited within 5 s in the minimal root (status $status): $(tail -n 20 "$root/tmp/app.log")"
fi
log "app: still running after 5 s on $DISPLAY, processes: $(for pid in $(root_pids "$root"); do cat "/proc/$pid/comm"; done 2>/dev/null | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
[ ! -s "$root/tmp/app.log" ] || log "app output: $(tail -n 5 "$root/tmp/app.log" | tr '\n' ' ')"
kill "$app_pid" 2>/dev/null || true
log "minimal root: ok in $((SECONDS - started)) s"
echo "deb-root-test: ok"
