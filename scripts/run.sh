#!/usr/bin/env bash
# Starts the Twofold desktop app from this checkout, installing what is missing first.
#
#   ./scripts/run.sh [ARGS…]   ARGS go to the app
#
# Builds ui/ (embedded into the binary at compile time), then `cargo run --bin twofold`.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

run_setup
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	warn "no DISPLAY or WAYLAND_DISPLAY: the window needs a desktop session (headless: xvfb-run -a ./scripts/run.sh)"
fi
build_ui
section "app: cargo run"
exec cargo run --bin twofold -- "$@"
