#!/bin/sh
# Installs the real PC/SC stack that the `pcsc` feature tests drive: pcscd, the vsmartcard
# vpcd driver (virtual reader "Virtual PCD 00 00" on TCP 35963), the pcsc-lite headers and
# pkg-config for the `pcsc` crate, and pcsc-tools (scriptor, pcsc_scan) for the interop test.
# Installing pcscd does not start it: the tests start their own `pcscd -f`.
# Run as root (CI containers are). Set SKIP_APT_UPDATE=1 if the index is already fresh.
set -eu

PACKAGES="pcscd vsmartcard-vpcd libpcsclite-dev pkg-config pcsc-tools"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    if [ "${SKIP_APT_UPDATE:-0}" != 1 ]; then
        apt-get update -q
    fi
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
fi

# pcscd creates /run/pcscd itself when started; make sure the parent exists in minimal images.
mkdir -p /run

command -v pcscd >/dev/null
command -v scriptor >/dev/null
pkg-config --exists libpcsclite
ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* >/dev/null 2>&1 || ls /usr/lib/pcsc/drivers/*/libifdvpcd* >/dev/null 2>&1 || {
    echo "pcscd-setup: vpcd driver not found under /usr/lib/pcsc/drivers" >&2
    exit 1
}
echo "pcscd-setup: $(pcscd --version 2>&1 | head -n1); vpcd driver and pcsc-tools present"
