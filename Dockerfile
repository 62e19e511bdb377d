# ll2d's container image: docs/deploy.md, "Container image".
#   docker build -t ll2d .
# The build stage makes the .deb; the runtime stage installs it, so the image
# holds exactly the package's runtime libraries, its ll2d user and its
# /var/lib/ll2d.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DLL2D_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
 && cmake --build /build -j"$(nproc)" --target ll2d \
 && cd /build && cpack -G DEB

FROM debian:12-slim
COPY --from=build /build/ll2d_*.deb /tmp/
# ca-certificates: ll2d sync over https; curl: the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/ll2d_*.deb ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* /tmp/ll2d_*.deb
USER ll2d
WORKDIR /var/lib/ll2d
VOLUME /var/lib/ll2d
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8000/healthz || exit 1
ENTRYPOINT ["ll2d"]
CMD ["serve", "--db", "/var/lib/ll2d/ll2.sqlite3", "--host", "0.0.0.0", "--port", "8000"]
