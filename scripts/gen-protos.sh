#!/usr/bin/env bash
# Generates the API from protos/: the Python package `sanad` (messages, gRPC stubs and their
# type stubs) and, when the Go plugins are on PATH, the Go packages of the module in clients/go.
# Only generated folders are replaced: clients/python/sanad_client (hand-written) is left alone.
# Usage: scripts/gen-protos.sh [PYTHON_OUT] [GO_OUT]   (defaults: clients/python, clients/go)
# PYTHON names the interpreter that has grpcio-tools and mypy-protobuf (default: python).
set -euo pipefail
cd "$(dirname "$0")/.."
absolute() { mkdir -p "$1" && (cd "$1" && pwd); }
python_out=$(absolute "${1:-clients/python}")
go_out=$(absolute "${2:-clients/go}")
python=$(command -v "${PYTHON:-python}")
bin_dir=$(cd "$(dirname "$python")" && pwd)
python="$bin_dir/$(basename "$python")"
mapfile -t protos < <(cd protos && find sanad -name '*.proto' | sort)
go_module=sanad.dev/sanad/clients/go

rm -rf "$python_out/sanad"
(cd protos && "$python" -m grpc_tools.protoc -I . \
  --python_out="$python_out" --grpc_python_out="$python_out" \
  --plugin=protoc-gen-mypy="$bin_dir/protoc-gen-mypy" --mypy_out="$python_out" \
  --plugin=protoc-gen-mypy_grpc="$bin_dir/protoc-gen-mypy_grpc" --mypy_grpc_out="$python_out" \
  "${protos[@]}" 2> >(grep -v "^Writing mypy to" >&2))
find "$python_out/sanad" -type d -exec touch {}/__init__.py \;
touch "$python_out/sanad/py.typed"

if command -v protoc-gen-go >/dev/null && command -v protoc-gen-go-grpc >/dev/null; then
  rm -rf "$go_out/sanad"
  (cd protos && "$python" -m grpc_tools.protoc -I . \
    --go_out="$go_out" --go_opt=module="$go_module" \
    --go-grpc_out="$go_out" --go-grpc_opt=module="$go_module" \
    "${protos[@]}")
else
  echo "protoc-gen-go / protoc-gen-go-grpc not on PATH: Go code not generated" >&2
fi
