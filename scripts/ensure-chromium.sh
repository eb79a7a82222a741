#!/usr/bin/env bash
# The browser tests drive Debian's Chromium at /usr/bin/chromium (Playwright cannot download its own
# browsers here). Installs it with apt-get when it is missing and this runs as root; otherwise exits
# non-zero naming the package to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests (apt-get install -y chromium)" >&2
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        && [ -x /usr/bin/chromium ]; then
        exit 0
    fi
    echo "error: apt-get could not install the package chromium" >&2
    exit 3
fi
echo "error: /usr/bin/chromium is missing: install Debian's package chromium (sudo apt-get install -y chromium)," \
     "then run the tests again" >&2
exit 3
