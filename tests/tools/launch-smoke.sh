#!/usr/bin/env bash
# Starts a built Twofold app once and checks that it stays up (the GitHub workflow's macOS job,
# where no WebDriver reaches the app's WKWebView):
#
#   tests/tools/launch-smoke.sh APP [SECONDS]    APP: the binary (e.g. Twofold.app/Contents/MacOS/twofold)
#
# The app gets a vault path in a new temporary folder (TWOFOLD_VAULT), so it opens on its first
# run screen and touches no vault of the user. It must still be running after SECONDS (default
# 5); then it is stopped. Its output is printed when it is not. Plain bash 3.2 (macOS's).
set -euo pipefail

app="${1:?usage: tests/tools/launch-smoke.sh APP [SECONDS]}"
seconds="${2:-5}"
[ -x "$app" ] || {
	echo "launch-smoke: FAIL: no executable at $app" >&2
	exit 1
}
scratch="$(mktemp -d "${TMPDIR:-/tmp}/twofold-launch.XXXXXX")"
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		sleep 1
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT

TWOFOLD_VAULT="$scratch/vault.twofold" "$app" >"$scratch/app.log" 2>&1 &
pid=$!
sleep "$seconds"
if ! kill -0 "$pid" 2>/dev/null; then
	status=0
	wait "$pid" || status=$?
	echo "launch-smoke: FAIL: $app exited within $seconds s (status $status); its output:" >&2
	cat "$scratch/app.log" >&2
	exit 1
fi
echo "launch-smoke: $app (pid $pid) still running after $seconds s"
echo "launch-smoke: ok"
