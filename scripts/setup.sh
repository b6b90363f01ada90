#!/usr/bin/env bash
# Installs what Twofold needs to build, run and test, on Debian or Ubuntu, and nothing else.
#
# Idempotent: every step checks first and acts only on what is missing, so a second run is quick
# and touches nothing. Works as root (CI) and as a normal user with sudo. Never prompts.
#
#   apt packages   checked with dpkg-query; one `apt-get update`, then one `apt-get install`
#   Node.js ≥ 20   from apt when `node` is missing (Vite needs 20.19+; older ones are refused)
#   Rust           required, not installed: no `curl | sh` from here (see the message)
#   ui/node_modules  `npm ci` when missing or when ui/package-lock.json changed (stamp file)
#   cargo tools    CARGO_TOOLS below (tauri-driver)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup: %s\n' "$*" >&2; }
die() {
	printf 'setup: error: %s\n' "$*" >&2
	exit 1
}

# Build: Tauri 2 on Linux (WebKitGTK 4.1, GTK, tray), the C toolchain, OpenSSL for -sys crates.
APT_BUILD=(libwebkit2gtk-4.1-dev pkg-config build-essential libssl-dev librsvg2-dev
	libayatana-appindicator3-dev curl file)
# Tests: a virtual display and screenshots, WebDriver for WebKitGTK, a private Secret Service
# (gnome-keyring in a D-Bus session, checked with secret-tool), the clipboard, and oathtool as a
# second opinion on OTP codes.
# Backups and hardening (issues 5, 6): the age binary opens our backups without Twofold; Python
# runs the independent Aegis decryptor and zxing-cpp (in a venv, see TEST_VENV); gdb's gcore dumps
# the app's memory after lock; strace watches it for network connections.
APT_TEST=(xvfb xauth imagemagick webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools xclip
	oathtool qrencode age gdb strace python3 python3-venv)
# Screen capture for QR scanning (xcap, a later issue): PipeWire, bindgen's libclang, GBM, XRandR.
APT_CAPTURE=(libpipewire-0.3-dev libspa-0.2-dev libclang-dev libgbm-dev libxcb-randr0-dev)

# Cargo tools, one "binary:crate@version" a line; installed with `cargo install --locked`.
CARGO_TOOLS=(
	"tauri-driver:tauri-driver@2" # WebDriver for the end-to-end tests (scripts/e2e.sh)
)

# Python packages for the test tools (tests/tools/*.py), in a venv so the system Python stays
# untouched (Debian's pip refuses system installs, PEP 668). Tests find it through
# TWOFOLD_TEST_PYTHON, which scripts/test.sh exports.
TEST_VENV=target/py-venv
PY_PACKAGES=("cryptography>=41" "zxing-cpp>=2.2,<4" "Pillow>=10")

NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

# Runs a command as root: directly when we are root, else through sudo (keeping apt quiet).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo env DEBIAN_FRONTEND=noninteractive "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

# Prints the packages among "$@" that dpkg does not list as installed.
missing_packages() {
	local pkg
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
			printf '%s\n' "$pkg"
		fi
	done
}

install_apt_packages() {
	if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
		die "this script knows Debian and Ubuntu (apt); install the equivalents of: ${APT_BUILD[*]} ${APT_TEST[*]} ${APT_CAPTURE[*]}"
	fi

	local wanted=("${APT_BUILD[@]}" "${APT_TEST[@]}" "${APT_CAPTURE[@]}")
	# Node.js from the distribution only when there is none: a NodeSource or nvm install is kept.
	command -v node >/dev/null 2>&1 || wanted+=(nodejs)
	command -v npm >/dev/null 2>&1 || wanted+=(npm)

	local missing
	mapfile -t missing < <(missing_packages "${wanted[@]}")
	if [ "${#missing[@]}" -eq 0 ]; then
		log "apt packages: all present"
		return
	fi
	log "apt packages: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
	# rustup installs into ~/.cargo/bin, which a non-login shell may not have on PATH yet.
	if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
		export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
	fi
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

install_cargo_tools() {
	local entry binary crate
	for entry in "${CARGO_TOOLS[@]}"; do
		binary="${entry%%:*}"
		crate="${entry#*:}"
		if ! command -v "$binary" >/dev/null 2>&1; then
			log "cargo tools: installing $crate"
			cargo install --locked "${crate%@*}" --version "${crate#*@}"
		fi
	done
}

install_ui_packages() {
	local stamp=ui/node_modules/.twofold-setup-stamp want
	want="$(sha256sum ui/package-lock.json | cut -d' ' -f1) node-$(node --version)"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		log "ui: node_modules up to date"
		return
	fi
	log "ui: npm ci"
	npm --prefix ui ci --no-audit --no-fund --loglevel=error
	printf '%s\n' "$want" >"$stamp"
}

install_test_python() {
	if "$TEST_VENV/bin/python" -c 'import cryptography, zxingcpp, PIL' 2>/dev/null; then
		log "python: test venv up to date"
		return
	fi
	log "python: creating $TEST_VENV with ${PY_PACKAGES[*]}"
	python3 -m venv "$TEST_VENV"
	"$TEST_VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
}

install_apt_packages
install_test_python
check_node
check_rust
install_cargo_tools
install_ui_packages
log "done"
