#!/usr/bin/env bash
# Vulnerability audit of what the Docker image installs: the runtime packages of uv.lock
# (no test extra, no dev group; the `parquet` extra, as the image's default WITH_PARQUET=1)
# checked by pip-audit against a vulnerability database. Fails on any known vulnerability.
# When the database cannot be reached (an offline CI runner, the intranet), it says so and
# passes: the offline floors in tests/deploy/test_runtime_lock.py still run in `make test`.
#   AUDIT_SERVICE=pypi|osv (default pypi: PyPI's JSON API, fed by the PyPA advisory database)
#   AUDIT_PROBE_URL, AUDIT_BIN: another canary address and tools folder, for the script's tests
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${AUDIT_BIN:-.venv/bin}"
SERVICE="${AUDIT_SERVICE:-pypi}"
case "$SERVICE" in pypi | osv) ;; *)
    echo "audit: AUDIT_SERVICE must be pypi or osv, not '$SERVICE'" >&2
    exit 2
    ;;
esac
[ -x "$BIN/pip-audit" ] || { echo "audit: $BIN/pip-audit is missing: run make setup" >&2; exit 2; }
command -v uv >/dev/null 2>&1 || { echo "audit: uv is missing: run make setup" >&2; exit 2; }

# The canary: the service must list the advisories of a release known to have some
# (urllib3 1.26.17: CVE-2023-45803 and later). No answer within 10 s (DNS, proxy, firewall),
# an error status, or an empty list (a package mirror that passes the index through but not
# the vulnerability data) all mean no audit is possible here, rather than a clean one.
if ! reason="$("$BIN/python" - "$SERVICE" "${AUDIT_PROBE_URL:-}" 2>&1 <<'PY'
import json
import sys
import urllib.request

service, url = sys.argv[1], sys.argv[2]
if service == "pypi":
    url = url or "https://pypi.org/pypi/urllib3/1.26.17/json"
    request = urllib.request.Request(url)
    key = "vulnerabilities"
else:
    url = url or "https://api.osv.dev/v1/query"
    query = {"package": {"name": "urllib3", "ecosystem": "PyPI"}, "version": "1.26.17"}
    request = urllib.request.Request(
        url, data=json.dumps(query).encode(), headers={"Content-Type": "application/json"}
    )
    key = "vulns"
try:
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
    sys.exit(f"{url}: {error}")
if not answer.get(key):
    sys.exit(f"{url}: no advisories listed for urllib3 1.26.17 (a mirror without them?)")
PY
)"; then
    echo "audit skipped: service unreachable ($SERVICE: ${reason})"
    exit 0
fi

requirements="$(mktemp)"
trap 'rm -f "$requirements"' EXIT
# Exact pins of every platform's runtime packages, from the lock (nothing is resolved anew).
uv export --locked --no-dev --no-hashes --no-emit-project --extra parquet \
    --format requirements-txt --quiet >"$requirements"
echo "audit: $(grep -c '==' "$requirements") runtime packages of uv.lock against $SERVICE"
# --no-deps --disable-pip: audit these pins as they are, without pip installing anything;
# --strict: a package that cannot be audited fails the run rather than pass unseen.
"$BIN/pip-audit" --requirement "$requirements" --no-deps --disable-pip --strict \
    --vulnerability-service "$SERVICE" --progress-spinner off
