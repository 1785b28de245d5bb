# pare in a container, for pipelines that run tools as images:
#   docker run --rm -i pare lint - < Dockerfile
#   docker run --rm -v "$PWD:/work" pare lint Dockerfile
#   docker run --rm -v "$PWD:/work" pare inspect docker-archive:image.tar
# The commands that build and run images (optimize, slim into an engine) need
# the engine's socket mounted: -v /var/run/docker.sock:/var/run/docker.sock.
# Node 20.20 on Debian 12 slim: pare needs Node 20.19 or later.
FROM node:20.20-bookworm-slim AS build
WORKDIR /src
# The manifests alone first, so the install layer stays cached until they change.
COPY package.json package-lock.json ./
# No install scripts: pare's dependencies need none, and the shell grammar's
# native build (a development dependency) is never used; only its .wasm is.
RUN npm ci --ignore-scripts && npm cache clean --force
COPY tsconfig.json tsconfig.build.json ./
# The build bundles the command line and writes V8's code cache for it with bin/'s loader,
# under this stage's Node, the final stage's too.
COPY scripts/copy-grammar.mjs scripts/bundle-cli.mjs scripts/write-code-cache.mjs scripts/
COPY bin bin
COPY src src
RUN npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/pare
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY bin bin
COPY docs docs
COPY schemas schemas
COPY LICENSE ./
WORKDIR /work
USER node
ENTRYPOINT ["node", "/opt/pare/bin/pare.js"]
CMD ["--help"]
