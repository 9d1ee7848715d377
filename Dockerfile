# First working image (hardening — multi-stage, non-root, healthcheck — is issue 4).
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never
WORKDIR /srv/app

RUN pip install --no-cache-dir "uv>=0.5"
COPY pyproject.toml uv.lock README.md ./
COPY analytics ./analytics
COPY app ./app
COPY components ./components
COPY assets ./assets
RUN uv sync --locked --no-dev --python python3.11

ENV PATH="/srv/app/.venv/bin:$PATH" HOST=0.0.0.0 PORT=8050
EXPOSE 8050
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "app.wsgi:server"]
