#!/usr/bin/env bash
# The install a newcomer does, checked from outside the checkout (CI runs it first):
#   1. build the wheel and check it carries the templates, static files and word lists;
#   2. install it into fresh venvs with the pip that Python ships and no pip cache:
#      "locked" takes requirements/runtime.lock (how to deploy, README "Dipendenze"),
#      "plain" lets pip pick the newest versions pyproject.toml allows (what
#      `pip install archivio-*.whl` does; it catches a lower bound that no longer holds);
#   3. in each, `archivio reindex` corpus/ and `archivio search alluvione` must find it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n== %s\n' "$*"; }

step "wheel"
# Built from a copy of the files git knows (committed or not, ignored ones left out): a
# build/ folder left in the checkout by an earlier build could put deleted modules back.
source_dir="$work/src"
mkdir "$source_dir"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
    xargs -0 cp --parents -t "$source_dir")
else
  cp -r "$repo/." "$source_dir"
fi
"$python" -m venv "$work/build"
# pip's build isolation fetches setuptools as a user's pip would.
"$work/build/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/dist" "$source_dir"
wheel=$(ls "$work"/dist/archivio-*.whl)
echo "$(basename "$wheel")"
"$work/build/bin/python" - "$wheel" <<'EOF'
import sys
import zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "search/protected_words.txt",
    "web/templates/base.html",
    "web/templates/results.html",
    "web/static/style.css",
    "search/cli.py",
    "search/ingest/__init__.py",
]
missing = [name for name in needed if name not in names]
if missing:
    sys.exit(f"the wheel lacks {missing}")
print(f"{len(names)} files, templates, static files and word lists included")
EOF

check_venv() {
  local name=$1 venv="$work/$1"
  step "$name: archivio reindex + search from $work"
  (
    cd "$work"  # outside the checkout: nothing may come from the source tree
    "$venv/bin/pip" check
    "$venv/bin/archivio" reindex --corpus "$repo/corpus" --index "$work/index-$name"
    "$venv/bin/archivio" search alluvione --index "$work/index-$name" --limit 3
    "$venv/bin/archivio" search alluvione --index "$work/index-$name" --json \
      | "$venv/bin/python" -c 'import json, sys; assert json.load(sys.stdin)["total"] > 0, "no hit"'
    "$venv/bin/python" -c 'import search, sys; assert "site-packages" in search.__file__, search.__file__'
  )
}

step "locked: runtime.lock, then the wheel"
"$python" -m venv "$work/locked"
"$work/locked/bin/pip" install --quiet --require-hashes --no-deps -r "$repo/requirements/runtime.lock"
"$work/locked/bin/pip" install --quiet --no-deps "$wheel"
check_venv locked

step "plain: the wheel and whatever pip resolves today"
"$python" -m venv "$work/plain"
"$work/plain/bin/pip" install --quiet "$wheel"
"$work/plain/bin/pip" list --format=freeze | grep -i -E '^(lxml|lxml.html.clean|trafilatura|whoosh)=' || true
check_venv plain

step "install check passed"
