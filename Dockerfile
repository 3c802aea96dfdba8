# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY bin ./bin
COPY prisma ./prisma
COPY prisma.config.ts ./
# CPU image: onnxruntime-node's CPU binaries ship in its tarball; the skip (also in .npmrc) avoids its CUDA download.
# A CUDA image builds with --build-arg ORT_INSTALL=cuda12 where it has internet, to fetch the CUDA provider.
ARG ORT_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ORT_INSTALL}
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The trainer (retraining jobs) runs Debian's PyTorch; the API image can skip it with --build-arg WITH_TRAINER=0.
ARG WITH_TRAINER=1
RUN if [ "$WITH_TRAINER" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends python3 python3-torch python3-torchvision python3-onnx python3-numpy && rm -rf /var/lib/apt/lists/*; fi
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prisma ./prisma
COPY src/training/python ./src/training/python
COPY models ./models
COPY public ./public
# The process runs as `node`: the data folder (embedded database, training work folders) and the models folder
# (trained sets land in models/trained) must be its own. A named volume on /app/models starts as this folder.
RUN mkdir -p /app/.spinegraph /app/models/trained && chown -R node:node /app/.spinegraph /app/models
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/spinegraph.js"]
CMD ["serve"]
