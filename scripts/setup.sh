#!/usr/bin/env bash
# Installs what Twofold needs to build, run, test and package, on Debian or Ubuntu, and nothing
# else. Every tool goes where a fresh clone lacks it (under target/ or a node_modules of this
# checkout), never into ~/.cargo/bin or a global npm, so each CI run on a fresh clone exercises
# the install and nothing an earlier session installed by hand can hide a broken one.
#
# Idempotent: every step checks first and acts only on what is missing, so a second run is quick
# (a few seconds) and touches nothing. Works as root (CI) and as a normal user with sudo. Never
# prompts.
#
#   apt packages     checked with dpkg-query; one `apt-get update`, then one `apt-get install`
#   Node.js ≥ 20.19  from apt when `node` is missing (Vite's minimum; older ones are refused)
#   Rust             required, not installed: no `curl | sh` from here (see the message);
#                    rustfmt and clippy added with rustup when missing, and the nightly
#                    toolchain for fuzzing (`rustup toolchain install nightly --profile minimal`)
#   cargo tools      CARGO_TOOLS below, `cargo install --locked --root target/tools`
#   npm packages     `npm ci` in ui/, tests/e2e/ and tests/tools/ when node_modules is missing
#                    or its package-lock.json changed (a stamp file)
#   Python           target/py-venv with PY_PACKAGES (the test tools)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive

# Build: Tauri 2 on Linux (WebKitGTK 4.1, GTK, tray), the C toolchain, OpenSSL for -sys crates.
APT_BUILD=(libwebkit2gtk-4.1-dev pkg-config build-essential libssl-dev librsvg2-dev
	libayatana-appindicator3-dev curl file)
# Tests: a virtual display and screenshots, WebDriver for WebKitGTK, a private Secret Service
# (gnome-keyring in a D-Bus session, checked with secret-tool), the clipboard, and oathtool as a
# second opinion on OTP codes.
# Backups and hardening (issues 5, 6): the age binary opens our backups without Twofold; Python
# runs the independent Aegis decryptor and zxing-cpp (in a venv, see TEST_VENV); gdb's gcore dumps
# the app's memory after lock; strace watches it for network connections.
# Scripts (issue 18): shellcheck lints scripts/, tests/tools/ and the workflow's run: blocks.
# Sync (issue 13): two Syncthing instances on loopback, driven through their REST API (curl).
APT_TEST=(xvfb xauth imagemagick webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools xclip
	oathtool qrencode age gdb strace python3 python3-venv shellcheck syncthing curl)
# Screen capture for QR scanning (xcap): PipeWire, bindgen's libclang, GBM, XRandR. Webcam
# scanning (issue 12): GStreamer's headers, and its base and good plugins (videoconvert,
# v4l2src; multifilesrc and pngdec feed the camera tests from files).
APT_CAPTURE=(libpipewire-0.3-dev libspa-0.2-dev libclang-dev libgbm-dev libxcb-randr0-dev
	libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
	gstreamer1.0-plugins-good)
# The Debian package (scripts/package.sh, tests/tools/check-deb.sh): dpkg-shlibdeps (dpkg-dev),
# strip (binutils), lintian, and debootstrap for the install test in a minimal Debian root.
APT_PACKAGE=(dpkg-dev binutils lintian debootstrap)

# Cargo tools, "binary crate version-requirement" a line, into target/tools/bin.
CARGO_TOOLS=(
	"tauri-driver tauri-driver ^2" # WebDriver for the end-to-end tests (scripts/e2e.sh)
	"cargo-fuzz cargo-fuzz ^0.13"  # bounded fuzzing (scripts/fuzz.sh), on nightly
)

# The npm projects whose node_modules the scripts use.
NPM_DIRS=(ui tests/e2e tests/tools)

# Python packages for the test tools (tests/tools/*.py), in a venv so the system Python stays
# untouched (Debian's pip refuses system installs, PEP 668). Tests find it through
# TWOFOLD_TEST_PYTHON, which scripts/test.sh exports.
PY_PACKAGES=("cryptography>=41" "zxing-cpp>=2.2,<4" "Pillow>=10")

NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

install_apt_packages() {
	if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
		die "this script knows Debian and Ubuntu (apt); install the equivalents of: ${APT_BUILD[*]} ${APT_TEST[*]} ${APT_CAPTURE[*]} ${APT_PACKAGE[*]}"
	fi
	local wanted=("${APT_BUILD[@]}" "${APT_TEST[@]}" "${APT_CAPTURE[@]}" "${APT_PACKAGE[@]}")
	# Node.js from the distribution only when there is none: a NodeSource or nvm install is kept.
	command -v node >/dev/null 2>&1 || wanted+=(nodejs)
	command -v npm >/dev/null 2>&1 || wanted+=(npm)
	if [ -z "$(apt_missing "${wanted[@]}")" ]; then
		log "apt packages: all present"
	else
		apt_install_missing "${wanted[@]}"
	fi
}

check_node() {
	command -v node >/dev/null 2>&1 || die "node is missing after the apt step"
	command -v npm >/dev/null 2>&1 || die "npm is missing after the apt step"
	local version major minor
	version="$(node --version)" # v20.19.1
	version="${version#v}"
	major="${version%%.*}"
	minor="${version#*.}"
	minor="${minor%%.*}"
	if [ "$major" -lt "$NODE_MIN_MAJOR" ] ||
		{ [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
		die "node $version is too old: need $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer (Vite's minimum); install it from nodejs.org, NodeSource or nvm, then run this again"
	fi
	log "node: $version, npm: $(npm --version)"
}

check_rust() {
	if ! command -v cargo >/dev/null 2>&1; then
		cat >&2 <<-'MSG'
			setup: error: cargo is missing. Install Rust with rustup (https://rustup.rs), then run this again:
			  download and read the rustup-init script, run it, and open a new shell
			  (or: source "$HOME/.cargo/env").
		MSG
		exit 1
	fi
	local component
	for component in rustfmt clippy; do
		if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
			if command -v rustup >/dev/null 2>&1; then
				log "rust: adding the $component component"
				rustup component add "$component"
			else
				die "cargo $component is missing; install the $component component of your toolchain"
			fi
		fi
	done
	log "rust: $(cargo --version)"
}

# scripts/fuzz.sh runs cargo-fuzz on nightly (libFuzzer and the sanitizers need -Z flags).
install_nightly() {
	if command -v rustup >/dev/null 2>&1; then
		if rustup toolchain list | grep -q '^nightly-'; then
			log "rust: nightly toolchain present (fuzzing)"
		else
			log "rust: installing the nightly toolchain for fuzzing"
			rustup toolchain install nightly --profile minimal
		fi
	elif ! cargo +nightly --version >/dev/null 2>&1; then
		warn "no rustup, so no nightly toolchain: scripts/fuzz.sh (and scripts/test.sh fuzz) will fail. Install rustup (https://rustup.rs), then run: rustup toolchain install nightly --profile minimal"
	fi
}

install_cargo_tools() {
	local entry binary crate version stamp
	for entry in "${CARGO_TOOLS[@]}"; do
		read -r binary crate version <<<"$entry"
		stamp="$TOOLS_DIR/.twofold-$binary"
		if [ -x "$TOOLS_DIR/bin/$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$crate $version" ]; then
			continue
		fi
		log "cargo tools: installing $crate $version into ${TOOLS_DIR#"$ROOT"/}"
		# Built in cargo's own temporary directory, not in this checkout's target/.
		env -u CARGO_TARGET_DIR cargo install --locked --force --quiet --root "$TOOLS_DIR" "$crate" --version "$version"
		printf '%s\n' "$crate $version" >"$stamp"
	done
	log "cargo tools: up to date in ${TOOLS_DIR#"$ROOT"/}/bin"
}

install_npm_packages() {
	local dir stamp want
	for dir in "${NPM_DIRS[@]}"; do
		stamp="$dir/node_modules/.twofold-setup-stamp"
		want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
		if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
			continue
		fi
		log "$dir: npm ci"
		npm --prefix "$dir" ci --no-audit --no-fund --loglevel=error
		printf '%s\n' "$want" >"$stamp"
	done
	log "npm: node_modules up to date in ${NPM_DIRS[*]}"
}

install_test_python() {
	if "$TEST_VENV/bin/python" -c 'import cryptography, zxingcpp, PIL' 2>/dev/null; then
		log "python: test venv up to date"
		return
	fi
	log "python: creating ${TEST_VENV#"$ROOT"/} with ${PY_PACKAGES[*]}"
	python3 -m venv "$TEST_VENV"
	"$TEST_VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
}

use_tools
install_apt_packages
install_test_python
check_node
check_rust
install_nightly
install_cargo_tools
install_npm_packages
log "done"
