# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# CPU image: onnxruntime-node's CPU binaries ship in its tarball; the skip avoids its CUDA download.
# A CUDA image builds with --build-arg ORT_INSTALL=1 where it has internet, to fetch the CUDA provider.
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
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/spinegraph.js"]
CMD ["serve"]
