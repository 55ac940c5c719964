#!/usr/bin/env bash
# Synthesises the Quick start sample with flite (Debian package `flite`). Audio is made, never committed:
# PocketSphinx understands flite's voice, which is what lets the demo prove the engine on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p samples
if ! command -v flite >/dev/null; then
  echo "make-sample: flite is not installed (apt-get install flite); skipping samples/quickstart.wav" >&2
  exit 0
fi
flite -voice slt -t "Earshot turns speech into text on your own computer. The quick brown fox jumps over the lazy dog." \
  -o samples/quickstart.wav
