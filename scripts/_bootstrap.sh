# Shared by scripts/run and scripts/test: make .venv with the pinned packages.
# Sourced, not run. Installs only what is missing, so a second run is quick.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The interpreter: $PYTHON if set; else Debian's /usr/bin/python3 when it is 3.11+ (built with
# PGO and LTO); else python3 on PATH. A build without those (pyenv's default) costs some 15-20 %
# more CPU a page: measured in DEPLOY.md, "Which Python".
optimized_python() {
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    2>/dev/null && echo /usr/bin/python3 || echo python3
}
PYTHON="${PYTHON:-$(optimized_python)}"

# The real executable behind a python (a pyenv shim, a symlink), to tell one from another.
real_python() {
  "$1" -c 'import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))'
}

ensure_venv() {
  local req="$1" stamp=".venv/.installed-$(basename "$1")"
  # A .venv made with another interpreter is made again: the one chosen above is the one run.
  if [ -x .venv/bin/python ] && [ "$(real_python .venv/bin/python)" != "$(real_python "$PYTHON")" ]; then
    echo "==> .venv was made with $(real_python .venv/bin/python): making it again with $PYTHON"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    # Debian's python3 makes a venv only with python3-venv (its ensurepip).
    "$PYTHON" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
    echo "==> creating .venv with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv .venv
  fi
  # Reinstall only when the requirements changed since the last install.
  if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
    echo "==> installing $req"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

apt_install() {
  # apt_install PACKAGE... : install Debian packages that are missing (needs root or sudo).
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
