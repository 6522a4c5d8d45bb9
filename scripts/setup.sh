#!/usr/bin/env bash
# Installs the Debian packages flowrun needs, if any is missing:
#
#   scripts/setup.sh
#
#   libhiredis-dev, libpq-dev   C libraries the Swift targets CHiredis and CLibPQ link against
#   pkg-config                  for the C libraries
#   redis-server, postgresql    the servers scripts/services.sh starts (its own throwaway instances)
#   prometheus                  for `promtool check metrics`, which the tests run on a /metrics scrape
#
# Idempotent and fast when everything is installed (one dpkg-query, no network). Otherwise it runs
# `apt-get update` once, then `apt-get install`: as root directly, else through sudo. Installing
# `postgresql` may create and start Debian's own cluster `main` on port 5432; flowrun does not use it.
# Installing `prometheus` (the only Debian package with promtool) may start a Prometheus server on port
# 9090, flowrun's default HTTP port: where systemd runs, that service is disabled and stopped again.
set -euo pipefail

packages=(libhiredis-dev libpq-dev pkg-config redis-server postgresql prometheus)

die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

missing_packages() {
    local installed
    # Packages dpkg has never heard of are left out of the output (and reported on stderr).
    installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
    local p
    for p in "${packages[@]}"; do
        if ! grep -qx "$p install ok installed" <<<"$installed"; then
            printf '%s\n' "$p"
        fi
    done
}

command -v dpkg-query >/dev/null 2>&1 ||
    die "dpkg-query not found: this project expects Debian 12 (or a derivative). Install these packages by hand: ${packages[*]}"

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "setup: installing missing Debian packages: ${missing[*]}" >&2

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    # Without a terminal (CI) sudo must not wait for a password nobody can type.
    if [[ -t 0 && -z ${CI:-} ]]; then
        as_root=(sudo)
    else
        as_root=(sudo -n)
    fi
else
    die "not root and sudo is not installed. As root, run:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
fi

apt_failed() {
    die "installing the packages failed (see above). As root, run:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
}

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || apt_failed
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null || apt_failed

mapfile -t still_missing < <(missing_packages)
if ((${#still_missing[@]} > 0)); then
    die "still not installed after apt-get install: ${still_missing[*]}"
fi
if [[ " ${missing[*]} " == *" prometheus "* ]] && [[ -d /run/systemd/system ]]; then
    "${as_root[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
echo "setup: installed ${missing[*]}" >&2
