# signalbox container image: a build stage with the toolchain, a slim runtime stage with only
# the runtime libraries and a non-root user. Until the router lands (issue 3) the image runs
# the command line (`test-pattern`, `bench`); issue 7 adds the service's health check, ports
# and rule mount.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config libutf8proc-dev zlib1g-dev libyaml-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY tests ./tests
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSB_TESTS=OFF \
    && cmake --build build -j"$(nproc)"

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libutf8proc2 zlib1g libyaml-0-2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /nonexistent signalbox
COPY --from=build /src/build/signalbox /usr/local/bin/signalbox
COPY rules /etc/signalbox/rules
USER 10001
ENTRYPOINT ["/usr/local/bin/signalbox"]
CMD ["help"]
