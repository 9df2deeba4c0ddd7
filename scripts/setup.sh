#!/usr/bin/env bash
# Prepare .venv for one purpose, installing only what is missing:
#   demo   the library and its runtime dependencies (numpy, graphviz, matplotlib, tqdm, threadpoolctl)
#   test   + torch 2.13.0 (CPU build) and the rest of the test extra: pytest, hypothesis, selenium,
#          jupytext, nbclient, ipykernel, setuptools; Debian's chromium and chromedriver for the
#          step-through page's browser test
#   bench  + torch 2.13.0 and micrograd 0.1.0
# Also makes sure Graphviz's `dot` program is there to render pictures.
#
# torch comes from PyTorch's own CPU index (TORCH_INDEX_URL, default below): on Linux the
# default index's torch is the CUDA build, several GB of NVIDIA packages. Where that index does
# not answer within seconds (offline, or a network that reaches only the default index), the
# same pinned version comes from the default index instead.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose="${1:-demo}"
case "$purpose" in
    demo) extra="" ;;
    test) extra="[test]" ;;
    bench) extra="[bench]" ;;
    *) echo "usage: scripts/setup.sh demo|test|bench" >&2; exit 2 ;;
esac

say() { echo "setup: $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_install() {  # apt_install PACKAGE...: install Debian packages if we are allowed to
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "installing $* with apt-get"
        if [ -z "$apt_updated" ]; then
            apt-get update -qq >/dev/null && apt_updated=yes
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        return 1
    fi
}

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    say "no '$python' found: install Python 3.9 or newer (for example 'apt-get install -y python3 python3-venv')"
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
    say "Python 3.9 or newer is needed, found $("$python" --version 2>&1)"
    exit 1
fi

# 1. A virtual environment of our own, so nothing is installed into the system's Python.
if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        apt_install python3-venv || { say "'$python -m venv' failed: install the venv module (Debian: apt-get install -y python3-venv)"; exit 1; }
        "$python" -m venv .venv
    fi
fi
pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)

torch="torch==2.13.0"  # named in messages; the pip commands below spell the pin out
torch_index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
answers() {  # answers URL: a web server answers there within 5 seconds (any HTTP status will do)
    .venv/bin/python - "$1" 2>/dev/null <<'PYTHON'
import ssl, sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5).close()
except urllib.error.HTTPError:
    pass  # it answered, if only with an error status
except urllib.error.URLError as error:  # no answer, unless it was the certificate check that failed
    sys.exit(not isinstance(error.reason, ssl.SSLError))
except OSError:
    sys.exit(1)
PYTHON
}
install_torch() {
    if .venv/bin/python -c 'import importlib.metadata as m, sys; sys.exit(m.version("torch").split("+")[0] != "2.13.0")' 2>/dev/null; then
        return  # already installed
    fi
    if answers "$torch_index/torch/"; then
        say "installing $torch (CPU build) from $torch_index"
        # short timeouts and one retry: if this index fails after all, the default one is next
        if "${pip[@]}" install --index-url "$torch_index" --timeout 10 --retries 1 "torch==2.13.0"; then
            return
        fi
        say "that failed: installing $torch from the default index instead"
    else
        say "$torch_index does not answer: installing $torch from the default index"
    fi
    "${pip[@]}" install "torch==2.13.0"  # pinned, never a range: a range takes the newest CUDA build
}

# 2. Python packages, reinstalled only when pyproject.toml changes.
stamp=".venv/.installed-$purpose"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    if [ "$purpose" != demo ]; then
        # Exactly this CPU build first: an unpinned torch would pull gigabytes of CUDA packages.
        install_torch
    fi
    say "installing tinygrad_edu$extra"
    "${pip[@]}" install -e ".$extra"
    touch "$stamp"
fi

# 3. Graphviz's `dot` renders the pictures; the library itself works without it.
if ! command -v dot >/dev/null 2>&1; then
    apt_install graphviz || true
    if ! command -v dot >/dev/null 2>&1; then
        say "Graphviz's 'dot' program is missing and could not be installed here, so pictures of"
        say "graphs will not be rendered (their DOT source still is). Install it with"
        say "'apt-get install -y graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)."
    fi
fi

# 4. For the tests only: a real headless browser for the step-through page.
if [ "$purpose" = test ] && ! { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }; then
    apt_install chromium chromium-driver || true
    if ! command -v chromedriver >/dev/null 2>&1; then
        say "Debian's chromium and chromium-driver are missing and could not be installed here;"
        say "the browser test of the step-through page will be skipped."
    fi
fi
