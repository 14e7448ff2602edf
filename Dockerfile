# signalbox container image (docs/deployment.md).
#
#   docker build -t signalbox .
#   docker run --rm -p 8080:8080 -v "$PWD/rules:/etc/signalbox/rules:ro" \
#       -e SIGNALBOX_REDIS=redis://redis:6379 signalbox
#
# Two stages: Debian 12 with the toolchain and the -dev packages builds the binary; Debian 12
# slim runs it with only the shared libraries it links (tests/deploy/check_manifests.sh checks
# this list against `ldd` of the binary), as the non-root user signalbox (uid/gid 10001).
# Rules are read from /etc/signalbox/rules (the example rules of rules/ are there until you
# mount yours over them); every setting is a SIGNALBOX_* variable (`signalbox serve --help`).

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
# the libraries of scripts/install-deps.sh, in their -dev form
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config \
        libutf8proc-dev zlib1g-dev libyaml-dev libevent-dev libhiredis-dev \
        libcurl4-openssl-dev librdkafka-dev protobuf-c-compiler libprotobuf-c-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# With SB_TESTS=OFF (and SB_FUZZ off, its default) CMake reads nothing under tests/.
COPY CMakeLists.txt ./
COPY proto ./proto
COPY src ./src
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSB_TESTS=OFF \
    && cmake --build build -j"$(nproc)" --target signalbox \
    && strip --strip-debug build/signalbox

FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
# One package per library in the binary's NEEDED list (libc6 is in the base image), and
# ca-certificates for HTTPS targets and TLS to Kafka.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libutf8proc2 zlib1g libyaml-0-2 libevent-2.1-7 libevent-openssl-2.1-7 libhiredis0.14 \
        libcurl4 librdkafka1 libprotobuf-c1 libssl3 \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 signalbox \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin signalbox
COPY --from=build /src/build/signalbox /usr/local/bin/signalbox
COPY deploy/docker/healthcheck.sh /usr/local/bin/signalbox-healthcheck
COPY rules /etc/signalbox/rules

LABEL org.opencontainers.image.title="signalbox" \
      org.opencontainers.image.description="EventBridge-compatible event router: Kafka and HTTP in; SQS, SNS, HTTP and Redis out" \
      org.opencontainers.image.documentation="docs/deployment.md" \
      org.opencontainers.image.base.name="debian:12-slim"

# Listen on every interface (the binary's own default is loopback only); the rules path above.
ENV SIGNALBOX_RULES=/etc/signalbox/rules \
    SIGNALBOX_LISTEN=0.0.0.0:8080
EXPOSE 8080
WORKDIR /etc/signalbox
USER 10001:10001

# /healthz answers 200 while the process serves; bash's /dev/tcp, so no curl in the image.
# It reads the port from SIGNALBOX_LISTEN: change that variable, not a config file's listen.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/signalbox-healthcheck"]

# SIGTERM: stop accepting, finish deliveries in flight (at most SIGNALBOX_DRAIN_TIMEOUT, 10s by
# default), commit Kafka offsets, leave the group, exit 0. Give the container a stop timeout
# above the drain timeout (docker stop -t, stop_grace_period, terminationGracePeriodSeconds).
# The exec form makes signalbox PID 1, so the signal reaches it; it starts no child processes.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/signalbox"]
CMD ["serve"]
