# The reverse proxy of the scale-out example: Debian's nginx with deploy/nginx.conf.
# Build: docker build -t nmosd-proxy -f deploy/proxy.Dockerfile deploy
# The base is an argument, as the app's is pinned in its Dockerfile: sites pin a digest
# (--build-arg BASE=debian:bookworm-slim@sha256:...) or use their own Debian mirror image.
ARG BASE=debian:bookworm-slim
FROM ${BASE}

# Debian's nginx, its security updates with the base image's; no recommended extras.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log

COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 8080
# nginx -t first: a broken configuration stops the container with nginx's own message.
CMD ["sh", "-c", "nginx -t -q && exec nginx -g 'daemon off;'"]
