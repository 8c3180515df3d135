#!/usr/bin/env bash
# Generates the Python package `sanad` (messages, gRPC stubs and their type stubs) from protos/.
# Usage: scripts/gen-protos.sh [OUT_DIR]   (default: clients/python)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-clients/python}
python=${PYTHON:-python}
bin_dir=$(dirname "$(command -v "$python")")
rm -rf "$out/sanad"
mkdir -p "$out"
mapfile -t protos < <(cd protos && find sanad -name '*.proto' | sort)
(cd protos && "$python" -m grpc_tools.protoc -I . \
  --python_out="../$out" --grpc_python_out="../$out" \
  --plugin=protoc-gen-mypy="$bin_dir/protoc-gen-mypy" --mypy_out="../$out" \
  --plugin=protoc-gen-mypy_grpc="$bin_dir/protoc-gen-mypy_grpc" --mypy_grpc_out="../$out" \
  "${protos[@]}" >/dev/null)
find "$out/sanad" -type d -exec touch {}/__init__.py \;
touch "$out/sanad/py.typed"
