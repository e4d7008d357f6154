#!/usr/bin/env bash
# Dependency step for ldp. Run by CMake at configure time (and by `make deps`).
#
#   scripts/deps.sh packages            install missing Debian -dev packages
#   scripts/deps.sh duckdb <deps-dir>   obtain the pinned DuckDB into <deps-dir>
#
# DuckDB sources, in order:
#   1. LDP_DUCKDB_DIR=<dir> with lib/libduckdb.so (or libduckdb.so) and include/duckdb.h (or duckdb.h);
#   2. LDP_DUCKDB_URL + LDP_DUCKDB_SHA256: the official release archive
#      (https://github.com/duckdb/duckdb/releases/download/v1.5.6/libduckdb-linux-amd64.zip), verified;
#   3. the package registries: DuckDB's official Linux x86-64 shared library as published on npm
#      (@duckdb/node-bindings-linux-x64) and duckdb.h of the same release from the Go module
#      github.com/duckdb/duckdb-go-bindings. Both archives are pinned by SHA-256.
# (A system libduckdb found by pkg-config is preferred by CMake before this script runs.)
set -euo pipefail

DUCKDB_VERSION=1.5.6
NPM_PKG="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
NPM_SHA256=1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff
GO_MOD="github.com/duckdb/duckdb-go-bindings@v0.10506.0"
GO_ZIP_SHA256=f6858f821358877e7e9c8d9fd0995929e90a7b2fee6b9c847902a175aa5ab242

PACKAGES=(pkg-config libsqlite3-dev libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev
          libyaml-dev zlib1g-dev libsnappy-dev libcmocka-dev libedit-dev tzdata)

say() { printf 'ldp deps: %s\n' "$*" >&2; }
die() { printf 'ldp deps: error: %s\n' "$*" >&2; exit 1; }

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            die "missing packages: ${missing[*]}. Run as root or with sudo: apt-get install ${missing[*]}"
        fi
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    retry $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
    retry $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install failed for: ${missing[*]}"
}

# Run a command up to 3 times, 5 s apart: registries have transient failures.
retry() {
    local n
    for n in 1 2 3; do
        "$@" && return 0
        [ "$n" = 3 ] || { say "retrying in 5 s: $*"; sleep 5; }
    done
    return 1
}

verify() { # file sha256
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || die "checksum mismatch for $1: expected $2, got $got"
}

fetch_duckdb() {
    local deps=$1 dest="$1/duckdb-$DUCKDB_VERSION"
    if [ -f "$dest/.complete" ]; then return 0; fi
    mkdir -p "$deps"
    TMPD=""
    tmp=$(mktemp -d "$deps/.duckdb-fetch.XXXXXX"); TMPD=$tmp
    trap 'rm -rf "$TMPD"' EXIT
    mkdir -p "$tmp/out/lib" "$tmp/out/include"

    if [ -n "${LDP_DUCKDB_DIR:-}" ]; then
        local lib hdr
        lib=$(ls "$LDP_DUCKDB_DIR"/lib/libduckdb.so "$LDP_DUCKDB_DIR"/libduckdb.so 2>/dev/null | head -1 || true)
        hdr=$(ls "$LDP_DUCKDB_DIR"/include/duckdb.h "$LDP_DUCKDB_DIR"/duckdb.h 2>/dev/null | head -1 || true)
        [ -n "$lib" ] && [ -n "$hdr" ] || die "LDP_DUCKDB_DIR=$LDP_DUCKDB_DIR has no libduckdb.so and duckdb.h"
        cp "$lib" "$tmp/out/lib/"; cp "$hdr" "$tmp/out/include/"
    elif [ -n "${LDP_DUCKDB_URL:-}" ]; then
        [ -n "${LDP_DUCKDB_SHA256:-}" ] || die "LDP_DUCKDB_URL needs LDP_DUCKDB_SHA256 (the archive's checksum)"
        say "downloading $LDP_DUCKDB_URL"
        curl -fsSL --retry 3 -o "$tmp/duckdb.zip" "$LDP_DUCKDB_URL" || die "download failed: $LDP_DUCKDB_URL"
        verify "$tmp/duckdb.zip" "$LDP_DUCKDB_SHA256"
        (cd "$tmp" && python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall("z")' duckdb.zip)
        cp "$tmp/z/libduckdb.so" "$tmp/out/lib/"; cp "$tmp/z/duckdb.h" "$tmp/out/include/"
    else
        command -v npm >/dev/null 2>&1 || die "npm not found: needed to fetch DuckDB (or set LDP_DUCKDB_DIR)"
        command -v go >/dev/null 2>&1 || die "go not found: needed to fetch duckdb.h (or set LDP_DUCKDB_DIR)"
        say "fetching DuckDB $DUCKDB_VERSION shared library ($NPM_PKG)"
        (cd "$tmp" && retry npm pack --silent "$NPM_PKG" >/dev/null 2>"$tmp/npm.log") \
            || { cat "$tmp/npm.log" >&2; die "npm pack $NPM_PKG failed"; }
        local tgz
        tgz=$(ls "$tmp"/*.tgz)
        verify "$tgz" "$NPM_SHA256"
        tar xzf "$tgz" -C "$tmp" package/libduckdb.so
        cp "$tmp/package/libduckdb.so" "$tmp/out/lib/"

        say "fetching duckdb.h $DUCKDB_VERSION ($GO_MOD)"
        local zip
        zip=$(cd "$tmp" && GOMODCACHE="$tmp/gomod" GOFLAGS=-modcacherw GO111MODULE=on \
              retry go mod download -json "$GO_MOD" 2>"$tmp/go.log" | sed -n 's/.*"Zip": "\(.*\)",*/\1/p') \
            || { cat "$tmp/go.log" >&2; die "go mod download $GO_MOD failed"; }
        [ -n "$zip" ] && [ -f "$zip" ] || { cat "$tmp/go.log" >&2; die "go mod download $GO_MOD gave no archive"; }
        verify "$zip" "$GO_ZIP_SHA256"
        python3 - "$zip" "$tmp/out/include/duckdb.h" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
name = [n for n in z.namelist() if n.endswith('/include/duckdb.h')][0]
open(sys.argv[2], 'wb').write(z.read(name))
PY
    fi
    grep -q "v$DUCKDB_VERSION\|$DUCKDB_VERSION" "$tmp/out/include/duckdb.h" || say "warning: duckdb.h does not mention $DUCKDB_VERSION"
    rm -rf "$dest"
    mv "$tmp/out" "$dest"
    echo "$DUCKDB_VERSION" > "$dest/.complete"
    say "DuckDB $DUCKDB_VERSION ready in $dest"
}

case "${1:-}" in
    packages) install_packages ;;
    duckdb) [ -n "${2:-}" ] || die "usage: $0 duckdb <deps-dir>"; fetch_duckdb "$2" ;;
    *) die "usage: $0 packages | duckdb <deps-dir>" ;;
esac
