#!/bin/bash
# Sets up a fresh Debian 12 (or Ubuntu) machine for tlsdist: installs the
# Wireshark SDK, tshark and the test tools, builds the plugin with warnings as
# errors, and installs it into Wireshark's global plugin folder (so that it
# loads for every user, root included) with the tlsdist command in
# /usr/local/bin. Run as root: sudo ./setup.sh
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh installs Debian packages: run it as root (sudo ./setup.sh)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Let members of the "wireshark" group capture without root (dumpcap gets
# capabilities); the live-capture test relies on it.
echo "wireshark-common wireshark-common/install-setuid boolean true" | debconf-set-selections
apt-get update
apt-get install -y --no-install-recommends \
    build-essential cmake pkg-config libglib2.0-dev \
    wireshark-dev libwireshark-dev libwiretap-dev libwsutil-dev tshark \
    googletest libgtest-dev \
    python3 python3-dpkt python3-scapy python3-scipy python3-selenium chromium chromium-driver libndpi-bin valgrind clang libclang-rt-dev libbenchmark-dev \
    openssl curl ca-certificates iproute2 util-linux libcap2-bin \
    wireshark-qt xvfb xdotool xclip imagemagick tesseract-ocr
# Re-apply the capture permissions in case wireshark-common was already installed.
dpkg-reconfigure wireshark-common

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTLSDIST_WERROR=ON \
    -DTLSDIST_INSTALL_GLOBAL=ON -DCMAKE_INSTALL_PREFIX=/usr/local
cmake --build build -j"$(nproc)"
cmake --install build

if ! tshark -G plugins 2>/dev/null | grep -q '^tlsdist\.so'; then
    echo "setup.sh: the plugin was installed but tshark does not list it" >&2
    exit 1
fi
echo "tlsdist is installed: try  tlsdist captures/multi-session.pcapng"
