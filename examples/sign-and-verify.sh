#!/bin/sh
# The Quick start's main job: validate the example passports, sign each with its manufacturer's
# DEMO key, and verify the signed passports against the demo trust file.
# Run from the repository root with `batterypass` on PATH. Outputs go to a temporary directory
# (or to $1 if given); nothing in the repository is changed.
set -eu
here=$(dirname "$0")
out=${1:-$(mktemp -d)}
mkdir -p "$out"
batterypass validate "$here"/passports/*.json
batterypass sign "$here/passports/ev-nmc.json" --key "$here/keys/ev-maker.DEMO-ONLY.key" --out "$out/ev-nmc.cose" --force
batterypass sign "$here/passports/lfp-storage.json" --key "$here/keys/storage-maker.DEMO-ONLY.key" --out "$out/lfp-storage.cose" --force
batterypass sign "$here/passports/lmt-ebike.json" --key "$here/keys/ebike-maker.DEMO-ONLY.key" --out "$out/lmt-ebike.cose" --force
batterypass verify "$out"/*.cose --trust "$here/trust.json"
