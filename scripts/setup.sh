#!/usr/bin/env bash
# Installs the Debian packages flowrun needs, if any is missing:
#
#   scripts/setup.sh
#
#   libhiredis-dev, libpq-dev   C libraries the Swift targets CHiredis and CLibPQ link against
#   pkg-config                  for the C libraries
#   redis-server, postgresql    the servers scripts/services.sh starts (its own throwaway instances)
#   prometheus                  for `promtool check metrics`, which the tests run on a /metrics scrape
#   chromium                    the headless browser the map page's test drives (DevTools protocol)
#
# Idempotent and fast when everything is installed (one dpkg-query, no network). Otherwise it runs
# `apt-get update` once, then `apt-get install`: as root directly, else through sudo. Installing
# `postgresql` may create and start Debian's own cluster `main` on port 5432; flowrun does not use it.
# Installing `prometheus` (the only Debian package with promtool) may start a Prometheus server on port
# 9090, flowrun's default HTTP port: where systemd runs, that service is disabled and stopped again.
#
# Then TimescaleDB, which Debian does not package: when the newest installed PostgreSQL server has no
# `timescaledb` extension, it is built from the vendored source tarball and installed into that server
# (`make install`, as root or through sudo). Details above `ensure_timescaledb` below; the environment:
#
#   FLOWRUN_VENDOR_DIR   where timescaledb-<version>.tar.gz and its .sha256 are (default: the
#                        repository's ../shared/vendor)
#   FLOWRUN_TIMESCALEDB  set to 0 to skip TimescaleDB (flowrun then stores positions in a plain table)
#   XDG_CACHE_HOME       the build is kept in ${XDG_CACHE_HOME:-$HOME/.cache}/flowrun/ and reused
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
TIMESCALEDB_VERSION=2.28.3

packages=(libhiredis-dev libpq-dev pkg-config redis-server postgresql prometheus chromium)

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

# Sets as_root: the command prefix that runs a command as root (empty when we are root).
find_as_root() {
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
    $1"
    fi
}

# install_packages: installs what missing_packages lists from "${packages[@]}" (apt-get update once).
APT_UPDATED=0
install_packages() {
    local missing still_missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} > 0)) || return 0
    echo "setup: installing missing Debian packages: ${missing[*]}" >&2
    local by_hand="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    find_as_root "$by_hand"
    if ((!APT_UPDATED)); then
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null ||
            die "installing the packages failed (see above). As root, run:
    $by_hand"
        APT_UPDATED=1
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" </dev/null ||
        die "installing the packages failed (see above). As root, run:
    $by_hand"
    mapfile -t still_missing < <(missing_packages)
    if ((${#still_missing[@]} > 0)); then
        die "still not installed after apt-get install: ${still_missing[*]}"
    fi
    if [[ " ${missing[*]} " == *" prometheus "* ]] && [[ -d /run/systemd/system ]]; then
        "${as_root[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
    echo "setup: installed ${missing[*]}" >&2
}

# The newest installed PostgreSQL server's major version (the one scripts/services.sh starts on a new
# cluster), or nothing.
pg_major() {
    local d
    for d in /usr/lib/postgresql/*/bin/postgres; do
        [[ -x $d ]] && basename "$(dirname "$(dirname "$d")")"
    done | grep -E '^[0-9]+$' | sort -n | tail -n 1 || true
}

# TimescaleDB for PostgreSQL $1: installed when its control file and library are in place.
timescaledb_installed() {
    [[ -f /usr/share/postgresql/$1/extension/timescaledb.control ]] &&
        compgen -G "/usr/lib/postgresql/$1/lib/timescaledb*.so" >/dev/null
}

# Builds TimescaleDB from $FLOWRUN_VENDOR_DIR/timescaledb-<version>.tar.gz (its sha256 checked against
# the .sha256 next to it) in ${XDG_CACHE_HOME:-$HOME/.cache}/flowrun/timescaledb-<version>-pg<major>/,
# then installs it into that PostgreSQL. The build needs Debian's cmake, postgresql-server-dev-<major>
# and a C compiler (installed here when missing). It runs once per machine: a finished build is marked
# by `.built` and only installed again. Its whole output goes to build.log in that directory.
# Without the tarball it says so and goes on: flowrun works without TimescaleDB (a plain table).
ensure_timescaledb() {
    local major vendor tarball sums want got cache log started
    if [[ ${FLOWRUN_TIMESCALEDB:-1} == 0 ]]; then
        return 0
    fi
    major=$(pg_major)
    [[ -n $major ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin"
    timescaledb_installed "$major" && return 0

    vendor=${FLOWRUN_VENDOR_DIR:-$ROOT/../shared/vendor}
    tarball=$vendor/timescaledb-$TIMESCALEDB_VERSION.tar.gz
    sums=$vendor/timescaledb-$TIMESCALEDB_VERSION.sha256
    if [[ ! -f $tarball ]]; then
        echo "setup: notice: TimescaleDB is not installed and $tarball is missing (set FLOWRUN_VENDOR_DIR to the directory holding it); flowrun will store positions in a plain table" >&2
        return 0
    fi
    [[ -f $sums ]] || die "$sums is missing: cannot verify $tarball"
    want=$(awk -v f="timescaledb-$TIMESCALEDB_VERSION.tar.gz" '$2 == f || $2 == "*" f { print $1 }' "$sums")
    got=$(sha256sum "$tarball" | awk '{ print $1 }')
    [[ -n $want && $got == "$want" ]] ||
        die "$tarball: sha256 $got does not match ${want:-nothing} in $sums; refusing to build it"

    packages=(cmake make gcc "postgresql-server-dev-$major")
    install_packages

    cache=${XDG_CACHE_HOME:-$HOME/.cache}/flowrun/timescaledb-$TIMESCALEDB_VERSION-pg$major
    log=$cache/build.log
    mkdir -p "$cache"
    started=$SECONDS
    if [[ ! -f $cache/.built || $(cat "$cache/.built") != "$got" ]]; then
        echo "setup: building TimescaleDB $TIMESCALEDB_VERSION for PostgreSQL $major (once per machine, a few minutes; log: $log)" >&2
        if ! (
            set -e
            rm -rf "$cache/src" "$cache/.built"
            mkdir "$cache/src"
            tar -xzf "$tarball" -C "$cache/src" --strip-components=1
            cd "$cache/src"
            ./bootstrap -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF -DLINTER=OFF \
                -DSEND_TELEMETRY_DEFAULT=NO -DPG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config"
            make -C build -j"$(nproc)"
        ) >"$log" 2>&1 </dev/null; then
            tail -n 20 "$log" >&2
            die "building TimescaleDB failed; the whole output is in $log"
        fi
        printf '%s\n' "$got" >"$cache/.built"
    else
        echo "setup: installing TimescaleDB $TIMESCALEDB_VERSION for PostgreSQL $major from the build in $cache" >&2
    fi
    find_as_root "make -C $cache/src/build install"
    if ! "${as_root[@]}" make -C "$cache/src/build" install >>"$log" 2>&1 </dev/null; then
        tail -n 20 "$log" >&2
        die "installing TimescaleDB failed; the whole output is in $log"
    fi
    timescaledb_installed "$major" || die "TimescaleDB's make install succeeded but its files are not in place; see $log"
    echo "setup: TimescaleDB $TIMESCALEDB_VERSION installed for PostgreSQL $major in $((SECONDS - started)) s" >&2
}

install_packages
ensure_timescaledb
