# signalbox container image: a build stage with the toolchain, a slim runtime stage with only
# the runtime libraries and a non-root user. Rules are read from /etc/signalbox/rules (mount
# yours there); settings come from SIGNALBOX_* variables. Issue 7 completes it (health check,
# documented mounts, manifests).
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config libutf8proc-dev zlib1g-dev libyaml-dev \
        libevent-dev libhiredis-dev libcurl4-openssl-dev librdkafka-dev \
        protobuf-c-compiler libprotobuf-c-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY proto ./proto
COPY tests ./tests
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSB_TESTS=OFF \
    && cmake --build build -j"$(nproc)"

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libutf8proc2 zlib1g libyaml-0-2 \
        libevent-2.1-7 libhiredis0.14 libcurl4 librdkafka1 libprotobuf-c1 libssl3 \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /nonexistent signalbox
COPY --from=build /src/build/signalbox /usr/local/bin/signalbox
COPY rules /etc/signalbox/rules
USER 10001
ENV SIGNALBOX_RULES=/etc/signalbox/rules SIGNALBOX_LISTEN=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/signalbox"]
CMD ["serve"]
