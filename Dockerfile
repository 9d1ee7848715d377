# RTX-Refractory NMOSD Cohort Explorer: the image a hospital runs on its intranet.
# Build: docker build -t nmosd-explorer .      Guide for IT: docs/deploy.md
# CI builds it on a stand-in base and runs it for real: .ci/build-image.sh, tests/deploy.
#
# Two stages: "build" resolves the exact versions in uv.lock into a virtual environment
# (building any source-only package there); "runtime" gets that environment and the app's
# source, nothing else: no uv, no build tools, no tests or docs.
# The base is pinned to a full Python release; sites that pin further add the digest they
# pulled (--build-arg PYTHON_BASE=python:3.11.14-slim-bookworm@sha256:...). One argument for
# both stages: the venv's links point at the base's Python, so the two must be the same image.
# Machines that cannot reach Docker Hub (CI) build a stand-in of the same shape from Debian
# packages with .ci/standin-base.sh and pass its tag here.
ARG PYTHON_BASE=python:3.11.14-slim-bookworm

FROM ${PYTHON_BASE} AS build

# A package index other than PyPI (a mirror), when the builder sets one: build arguments of this
# stage only, never kept in the image (an index URL may carry credentials). Unset by default.
ARG PIP_INDEX_URL
ARG UV_INDEX_URL
ARG UV_DEFAULT_INDEX

# The base image's Python only (never a downloaded one); compiled bytecode in the venv so a
# read-only container starts without writing .pyc files; copies, since the cache is not kept.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN pip install --no-cache-dir "uv==0.13.9"

# Parquet uploads need pyarrow, about 170 MB of the venv's 700 (the `parquet` extra). On by
# default: the README and the data contract promise Parquet, and a site exporting Parquet
# from its data warehouse would otherwise find a documented format refused. A site that
# uploads only CSV or XLSX builds with --build-arg WITH_PARQUET=0 for a smaller image with
# one large native library less to keep patched; Parquet files are then refused with a
# message naming this argument.
ARG WITH_PARQUET=1

WORKDIR /build
COPY pyproject.toml uv.lock ./
# --locked: fail if uv.lock does not match pyproject.toml, rather than resolve anew.
# --no-dev and no extra but `parquet`: the runtime dependencies only (no pytest, ruff,
# selenium, pip-audit).
# --no-install-project: the app runs from its source in /srv/app, not as an installed package.
RUN if [ "$WITH_PARQUET" = 1 ]; then set -- --extra parquet; fi \
    && uv sync --locked --no-dev --no-install-project --no-cache \
       --python /usr/local/bin/python3.11 "$@"


FROM ${PYTHON_BASE} AS runtime

LABEL org.opencontainers.image.title="RTX-Refractory NMOSD Cohort Explorer" \
      org.opencontainers.image.description="Survival analysis dashboard for rituximab-treated AQP4-IgG+ NMOSD cohorts" \
      org.opencontainers.image.licenses="MIT"

# A fixed numeric user, so file permissions on mounted cohort folders can be granted to it.
RUN groupadd --system --gid 10001 nmosd \
    && useradd --system --uid 10001 --gid nmosd --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin nmosd

COPY --from=build /opt/venv /opt/venv

# Owned by root and not writable by the app's user: the app never writes to its own files.
WORKDIR /srv/app
COPY analytics ./analytics
COPY app ./app
COPY components ./components
COPY i18n ./i18n
COPY assets ./assets
COPY gunicorn.conf.py ./
RUN python -m compileall -q analytics app components i18n gunicorn.conf.py

# Defaults for a container; every variable is described in README ("Configuration").
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONPATH=/srv/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8050 \
    ALLOW_UPLOADS=1 \
    AUTH_MODE=none \
    LOG_LEVEL=INFO \
    GUNICORN_WORKERS=2 \
    GUNICORN_THREADS=2 \
    GUNICORN_TIMEOUT=60

USER 10001:10001
EXPOSE 8050

# /healthz answers 200 with {"status": "ok"} or {"status": "degraded"} (a bad cohort file:
# restarting would not help, so the container stays up and shows what is wrong). The slim
# image has no curl; Python's urllib does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8050') + '/healthz', timeout=4)"]

CMD ["gunicorn", "--config", "gunicorn.conf.py", "app.server.wsgi:server"]
