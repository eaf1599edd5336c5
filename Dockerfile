# syntax=docker/dockerfile:1
# One image for every role: `docker run IMAGE --role=gateway`. The binary is static but for
# libnats and OpenSSL (README: "Runtime packages"), so the runtime stage needs only those.
#
#   docker build -t sentineld .
#   docker run --rm -p 8080:8080 -v sentineld:/var/lib/sentineld sentineld        # laptop mode

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/bootstrap.sh scripts/
RUN scripts/bootstrap.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release \
 && cmake --build --preset release \
 && strip build/release/sentineld

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libnats3.4 libprotobuf-c1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/sentineld --create-home --shell /usr/sbin/nologin sentineld
COPY --from=build /src/build/release/sentineld /usr/bin/sentineld
COPY config/ /etc/sentineld/examples/
USER sentineld
# In a container the loopback default would be unreachable from outside.
ENV SENTINEL_HTTP_LISTEN=0.0.0.0:8080 \
    SENTINEL_DATA_DIR=/var/lib/sentineld
VOLUME ["/var/lib/sentineld"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/sentineld"]
CMD ["--role=all"]
