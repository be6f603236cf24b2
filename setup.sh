#!/bin/bash
# Sets up a fresh Debian 12 (or Ubuntu) machine for tlsdist: installs the
# Wireshark SDK, tshark and the test tools, builds the plugin with warnings as
# errors, and installs it into Wireshark's global plugin folder (so that it
# loads for every user, root included) with the tlsdist command in
# /usr/local/bin. Run as root or as a user with sudo (it runs itself again
# through sudo).
#
#   ./setup.sh                   everything
#   ./setup.sh --packages-only   only the Debian packages (tests/matrix uses it
#                                to tell "cannot be installed" from "does not build")
#   ./setup.sh --packages-only --build-only-packages
#                                only what building and the unit, capture and
#                                command tests need (tests/matrix --smoke)
set -euo pipefail
# Not root: run again through sudo (a fresh Debian used as root has no sudo;
# a user account has it, and README's command is the same for both).
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup.sh installs Debian packages: run it as root" >&2
        exit 1
    fi
    echo "setup.sh: installing needs root; running it again with sudo" >&2
    exec sudo -- "$0" "$@"
fi
cd "$(dirname "$0")"

packages_only=false
build_only_packages=false
for argument in "$@"; do
    case $argument in
    --packages-only) packages_only=true ;;
    --build-only-packages) build_only_packages=true ;;
    *) echo "setup.sh: unknown option $argument" >&2; exit 1 ;;
    esac
done

export DEBIAN_FRONTEND=noninteractive
# Let members of the "wireshark" group capture without root (dumpcap gets
# capabilities); the live-capture test relies on it.
echo "wireshark-common wireshark-common/install-setuid boolean true" | debconf-set-selections
apt-get update
build_packages='build-essential cmake pkg-config libglib2.0-dev
    wireshark-dev libwireshark-dev libwiretap-dev libwsutil-dev tshark
    googletest libgtest-dev python3 python3-dpkt python3-scipy python3-scapy'
test_packages='python3-selenium chromium chromium-driver
    libndpi-bin valgrind clang libclang-rt-dev libbenchmark-dev
    openssl curl ca-certificates iproute2 util-linux libcap2-bin time
    wireshark xvfb xdotool xclip imagemagick tesseract-ocr debootstrap xdg-utils file
    g++-mingw-w64-x86-64 wine wine64 openssh-server parallel rsync'
packages=$build_packages
$build_only_packages || packages="$packages $test_packages"
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $packages
# Re-apply the capture permissions in case wireshark-common was already installed.
dpkg-reconfigure wireshark-common
$packages_only && exit 0

# The tests, the sanitized copy and the fuzzers too (off in a plain build), so
# that README's test command runs the whole suite.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTLSDIST_WERROR=ON \
    -DTLSDIST_BUILD_TESTS=ON -DTLSDIST_SANITIZERS=ON -DTLSDIST_FUZZERS=ON \
    -DTLSDIST_INSTALL_GLOBAL=ON -DCMAKE_INSTALL_PREFIX=/usr/local
cmake --build build -j"$(nproc)"
cmake --install build

if ! tshark -G plugins 2>/dev/null | grep -q '^tlsdist\.so'; then
    echo "setup.sh: the plugin was installed but tshark does not list it" >&2
    exit 1
fi
echo "tlsdist is installed: try  tlsdist captures/multi-session.pcapng"
