# Earshot on the embedded default: PocketSphinx, Silero VAD, flite/festival voices and the SQLite job store.
# Everything comes from Debian packages and npm at build time; nothing is downloaded when the container runs.
#
#   docker build -t earshot .
#   docker run --rm -p 8080:8080 -v earshot-data:/data earshot
#
# Node.js 20 on Debian 12 (bookworm), the platform scripts/setup.sh is written for.
FROM node:20-bookworm AS build
WORKDIR /opt/earshot
COPY . .
# Installs the Debian packages (flite makes the warm-up sample during the build), runs npm ci and builds.
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*

FROM node:20-bookworm-slim
WORKDIR /opt/earshot
COPY scripts/setup.sh scripts/setup.sh
RUN bash scripts/setup.sh --system-only && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/earshot /opt/earshot
# Inside a container the server must listen beyond loopback; jobs and audio live on the /data volume.
ENV EARSHOT_HOST=0.0.0.0 \
    EARSHOT_DATA_DIR=/data
RUN mkdir /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node
CMD ["node", "packages/cli/bin/earshot.js", "serve"]
