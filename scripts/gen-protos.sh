#!/usr/bin/env bash
# Generates the Python package `sanad` (messages, gRPC stubs and their type stubs) from protos/.
# Usage: scripts/gen-protos.sh [OUT_DIR]   (default: clients/python)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${1:-clients/python}"
out=$(cd "${1:-clients/python}" && pwd)
python=$(command -v "${PYTHON:-python}")
bin_dir=$(cd "$(dirname "$python")" && pwd)
python="$bin_dir/$(basename "$python")"
rm -rf "$out/sanad"
mapfile -t protos < <(cd protos && find sanad -name '*.proto' | sort)
(cd protos && "$python" -m grpc_tools.protoc -I . \
  --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-mypy="$bin_dir/protoc-gen-mypy" --mypy_out="$out" \
  --plugin=protoc-gen-mypy_grpc="$bin_dir/protoc-gen-mypy_grpc" --mypy_grpc_out="$out" \
  "${protos[@]}" 2> >(grep -v "^Writing mypy to" >&2))
find "$out/sanad" -type d -exec touch {}/__init__.py \;
touch "$out/sanad/py.typed"
