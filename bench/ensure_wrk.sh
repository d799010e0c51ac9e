#!/bin/sh
# `make bench` loads the services with wrk (Debian's package) when it can: installed here when we
# are root with apt-get. Without it the benchmarks fall back to their Python load generator
# (bench/loadgen.py) and RESULTS.md says which generator produced each figure. Never fails.
set -u
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_wrk: installing Debian's wrk..."
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; }; then
        echo "ensure_wrk: installed $(wrk --version 2>&1 | head -n 1)"
        exit 0
    fi
    echo "ensure_wrk: apt-get could not install wrk." >&2
fi
echo "ensure_wrk: wrk is not installed; the benchmarks use their Python load generator instead." >&2
exit 0
