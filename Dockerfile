# Multi-stage build: a Debian bookworm (glibc) builder compiles the single-file binary, then
# the final stage is FROM scratch with exactly that binary, the loader and libraries listed in
# deploy/image/rootfs.list, and a passwd entry for the non-root user. No shell, no package
# manager. The same file set is assembled and smoke-tested without Docker by
# scripts/image-rootfs.sh + test/integration/image.test.ts (chroot in a private mount/PID
# namespace with /proc mounted, as a container runtime would).
FROM node:20-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/bun scripts/build.ts --version="${VERSION}" \
 && scripts/image-rootfs.sh /rootfs bin/genai-otel-bridge

FROM scratch
COPY --from=build /rootfs/ /
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/genai-otel-bridge"]
CMD ["-config=/etc/genai-otel-bridge/config.yaml"]
