#!/usr/bin/env bash
# Renders every Graphviz source in docs/diagrams to docs/img/<name>.svg and stamps each picture with the SHA-256 of
# its source, which DiagramsTest checks: edit a .dot, run this, commit both. Needs Graphviz (apt-get install graphviz).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "render-diagrams: Graphviz's dot is missing (apt-get install graphviz)" >&2; exit 1; }
mkdir -p docs/img
for source in docs/diagrams/*.dot; do
  name=$(basename "$source" .dot)
  hash=$(sha256sum "$source" | cut -d' ' -f1)
  dot -Tsvg "$source" | sed "1a <!-- source sha256: $hash -->" > "docs/img/$name.svg"
  echo "docs/img/$name.svg"
done
