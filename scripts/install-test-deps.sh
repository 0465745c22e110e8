#!/usr/bin/env bash
# What the browser tests need on a fresh machine: Debian's chromium (Playwright's own browser download is not used;
# the tests launch /usr/bin/chromium). Does nothing when it is already there; run as root or with sudo.
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
