# Multi-stage build: a Debian bookworm (glibc) builder compiles the single-file binary, then
# the final stage is FROM scratch with exactly that binary, the loader and libraries that
# deploy/image/rootfs.list names for its architecture, /licenses (the project's licence and the
# third-party notices), empty /tmp and /var/lib/genai-otel-bridge (the chart mounts over them)
# and a passwd entry for the non-root user. No shell, no package manager.
# Builds for linux/amd64 and linux/arm64 (`docker buildx build --platform linux/amd64,linux/arm64`):
# the build stage runs on the target platform, so npm installs that platform's Bun and the list
# picks that architecture's loader. The same file set is assembled and smoke-tested without
# Docker by scripts/image-rootfs.sh + test/integration/image.test.ts (chroot in a private mount
# and PID namespace, read-only root, as a container runtime would run it).
FROM node:20-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/bun scripts/build.ts --version="${VERSION}" \
 && scripts/image-rootfs.sh rootfs bin/genai-otel-bridge

FROM scratch
LABEL org.opencontainers.image.title="genai-otel-bridge" \
      org.opencontainers.image.licenses="AGPL-3.0-only"
COPY --from=build /src/rootfs/ /
USER 65532:65532
EXPOSE 8080
# For plain docker/podman; Kubernetes uses the chart's probes instead. There is no shell in the
# image, so the binary probes itself (GET /healthz on the -health-addr port, exit 0 or 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/genai-otel-bridge", "-healthcheck"]
# No CMD: the binary's own default is -config=/etc/genai-otel-bridge/config.yaml, and the chart
# passes its arguments explicitly.
ENTRYPOINT ["/genai-otel-bridge"]
