#!/usr/bin/env bash
# Installs everything Earshot needs on a fresh Debian 12 machine with Node.js >= 20.19, then builds it.
# Idempotent: safe to run again. Used by the README's Quick start, by .ci/run and by the Dockerfile.
#   --system-only   the Debian packages alone (what the Docker image needs at run time)
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages, each for a reason:
#   libpocketsphinx3 + pocketsphinx-en-us  the default recogniser (loaded through koffi) and Debian's model
#   ffmpeg                                 decoding every container that is not WAV; encoding speech output
#   flite                                  synthesises the Quick start sample (and test speech) at build time;
#                                          four text-to-speech voices (rms, slt, awb, kal16)
#   festival + festvox-us-slt-hts          the most natural text-to-speech voice (HTS slt, 32 kHz)
#   redis-server                           scale-out job queue (BullMQ); tests start their own instance
#   sphinxtrain + sphinxbase-utils         `speaker_adaptation=true`: features (sphinx_fe), alignment statistics (bw)
#     + pocketsphinx                       and the MLLR transform (mllr_solve) of the default model; its model
#                                          definition as text (pocketsphinx_mdef_convert)
APT_PACKAGES=(libpocketsphinx3 pocketsphinx-en-us ffmpeg flite redis-server festival festvox-us-slt-hts
  sphinxtrain sphinxbase-utils pocketsphinx)
# For development and CI only, never the runtime image:
#   chromium                               the web console's end-to-end test and `npm run screenshots` drive it
#                                          headless through playwright-core, which cannot download a browser here
#   python3-httpx                          the OctoAI test replays OctoAI's Python client (httpx) against us
[ "${1:-}" = "--system-only" ] || APT_PACKAGES+=(chromium python3-httpx)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
[ "${1:-}" = "--system-only" ] && exit 0

# .npmrc turns dependency install scripts off (onnxruntime-node's would try to download); better-sqlite3 is
# the one native addon we build, from the sources in its package.
npm ci --no-audit --no-fund
[ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] || npm rebuild better-sqlite3 --ignore-scripts=false

npm run build
