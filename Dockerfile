# One image for the three services; the command picks the service.
# grpc-health-probe (the Makefile's pin) for probes over TLS, which Kubernetes' gRPC probe cannot
# make (deploy/k8s-tls).
FROM golang:1.26 AS probe
RUN CGO_ENABLED=0 go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.63

FROM python:3.11-slim
COPY --from=probe /go/bin/grpc-health-probe /usr/local/bin/grpc-health-probe
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY clients/python clients/python
COPY lib lib
COPY services services
COPY tools tools
# The client distribution in the same command: it is what meets the server's sanad-client.
# Docstrings and asserts off in every service (about 5 MiB of the analyzer), with the optimized
# bytecode compiled here: the sanad user cannot write it at start.
RUN pip install --no-cache-dir -c constraints.txt ./clients/python . \
    && python -OO -m compileall -q "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && useradd --create-home sanad
USER sanad
ENV PYTHONOPTIMIZE=2
ENV SANAD_HOST=0.0.0.0
EXPOSE 50051 50052 50053 9451 9452 9453
CMD ["python", "-m", "sanad_analyzer"]
