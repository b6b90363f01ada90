#!/usr/bin/env bash
# Starts the Twofold desktop app from this checkout, installing what is missing first.
#
#   ./scripts/run.sh [ARGS…]   ARGS go to the app
#
# Builds ui/ (embedded into the binary at compile time), then `cargo run --bin twofold`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
if ! command -v cargo >/dev/null 2>&1; then
	export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "run: warning: no DISPLAY or WAYLAND_DISPLAY: the window needs a desktop session (headless: xvfb-run -a ./scripts/run.sh)" >&2
fi

echo "==> ui: build" >&2
npm --prefix ui run build --silent

echo "==> app: cargo run" >&2
exec cargo run --bin twofold -- "$@"
