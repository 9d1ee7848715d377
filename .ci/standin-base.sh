#!/usr/bin/env bash
# Builds a stand-in for the Dockerfile's base image (python:3.11.14-slim-bookworm) from Debian
# packages, for machines that cannot pull from Docker Hub (CI here): `debootstrap` of Debian
# bookworm with its python3.11, shaped like the official image where the Dockerfile relies on it
# (python3.11, python3, python and pip in /usr/local/bin; pip may install system-wide).
#
#   .ci/standin-base.sh [TAG]        (default standin/python:3.11-bookworm; needs root, a daemon)
#   docker build --build-arg PYTHON_BASE=TAG ...
#
# It is a stand-in for testing everything after FROM, not a release base: Debian's Python 3.11
# is 3.11.2 with Debian's patches, not the official 3.11.14 build.
#
# Reaching the package index from inside the build: the base carries the host's CA bundle
# (public certificates, e.g. a proxy's CA that the host trusts; never a key or a password) and
# SSL_CERT_FILE/PIP_CERT pointing at it. An index URL (which may hold credentials) is NOT put
# here: .ci/build-image.sh passes PIP_INDEX_URL / UV_INDEX_URL / UV_DEFAULT_INDEX as build args
# of the build stage only, whose layers never reach the image.
#
# Cache: Docker keeps the imported image between runs on one machine; it is rebuilt when its
# inputs change (this script, the mirror, the CA bundle), which the image's label records. A
# fresh machine has no such image and builds it (about a minute): nothing is read from elsewhere.
set -euo pipefail

TAG=${1:-standin/python:3.11-bookworm}
SUITE=bookworm
CA_BUNDLE=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}

# The Debian mirror apt itself uses (deb822 .sources or the classic sources.list), so a machine
# behind a local mirror uses it too; DEBIAN_MIRROR overrides.
debian_mirror() {
    local uri
    uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
    if [ -z "$uri" ]; then
        uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null |
            awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR=${DEBIAN_MIRROR:-$(debian_mirror)}

[ -r "$CA_BUNDLE" ] || {
    echo "standin-base: no CA bundle at $CA_BUNDLE (set SSL_CERT_FILE)" >&2
    exit 1
}
KEY=$({
    sha256sum "$0" | cut -d' ' -f1
    echo "$MIRROR"
    sha256sum "$CA_BUNDLE" | cut -d' ' -f1
} | sha256sum | cut -d' ' -f1)

if [ "$(docker image inspect --format '{{ index .Config.Labels "standin.key" }}' "$TAG" 2>/dev/null || true)" = "$KEY" ]; then
    echo "standin-base: $TAG is up to date"
    exit 0
fi

command -v debootstrap >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
}

ROOT=$(mktemp -d /var/tmp/standin-root.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

echo "standin-base: debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase --include=python3.11,python3-pip,python3-venv,ca-certificates \
    "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 || {
    tail -n 30 "$ROOT.log" >&2
    rm -f "$ROOT.log"
    exit 1
}
rm -f "$ROOT.log"

# The official image's Python is installed under /usr/local and owns its site-packages: pip
# installs into it without Debian's "externally managed" refusal (PEP 668).
rm -f "$ROOT"/usr/lib/python3*/EXTERNALLY-MANAGED
for name in python3.11 python3 python; do
    ln -sf /usr/bin/python3.11 "$ROOT/usr/local/bin/$name"
done
ln -sf /usr/bin/pip3 "$ROOT/usr/local/bin/pip"
cp "$CA_BUNDLE" "$ROOT/etc/ssl/certs/ca-certificates.crt"
# No package cache or lists: the Dockerfile installs nothing with apt.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*

tar -C "$ROOT" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change "LABEL standin.key=$KEY" \
    --change 'CMD ["python3"]' \
    - "$TAG" >/dev/null
echo "standin-base: built $TAG ($(docker image inspect --format '{{.Size}}' "$TAG") bytes)"
