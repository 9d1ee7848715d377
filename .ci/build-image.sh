#!/usr/bin/env bash
# Builds the project's image on the stand-in base (.ci/standin-base.sh), for CI machines that
# cannot pull python:3.11.14-slim-bookworm from Docker Hub. Needs a running Docker daemon.
#
#   .ci/build-image.sh [TAG]         (default nmosd-explorer:ci)
#
# The package index is reached as the host reaches it: PIP_INDEX_URL, UV_INDEX_URL and
# UV_DEFAULT_INDEX (or pip.conf's index-url) go in as build arguments of the build stage, which
# the image does not keep; nothing is passed when the host sets none (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=${1:-nmosd-explorer:ci}
BASE=${PYTHON_BASE:-standin/python:3.11-bookworm}

.ci/standin-base.sh "$BASE"

index_args=()
for name in PIP_INDEX_URL UV_INDEX_URL UV_DEFAULT_INDEX; do
    # "--build-arg NAME" without a value: Docker reads it from this environment, so the value
    # never appears on a command line (ps) or in this script's output.
    if [ -n "${!name:-}" ]; then
        index_args+=(--build-arg "$name")
    fi
done
if [ -z "${PIP_INDEX_URL:-}" ]; then
    for conf in /etc/pip.conf "${XDG_CONFIG_HOME:-$HOME/.config}/pip/pip.conf" "$HOME/.pip/pip.conf"; do
        [ -r "$conf" ] || continue
        url=$(sed -n 's/^[[:space:]]*index-url[[:space:]]*=[[:space:]]*//p' "$conf" | head -n 1)
        if [ -n "$url" ]; then
            export PIP_INDEX_URL=$url
            index_args+=(--build-arg PIP_INDEX_URL)
            break
        fi
    done
fi

started=$(date +%s)
# --network=host: these machines have no Docker bridge (dockerd --bridge=none).
docker build --network=host --pull=false --build-arg "PYTHON_BASE=$BASE" \
    "${index_args[@]}" -t "$TAG" .
# The previous build's image, untagged by this one, would stay on disk run after run (about
# 1 GB each); its cached layers that this build reused are kept.
docker image prune --force \
    --filter "label=org.opencontainers.image.title=RTX-Refractory NMOSD Cohort Explorer" >/dev/null
echo "build-image: $TAG built in $(($(date +%s) - started)) s," \
    "$(docker image inspect --format '{{.Size}}' "$TAG") bytes"
