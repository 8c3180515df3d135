# One image for the three services; the command picks the service.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY clients/python clients/python
COPY lib lib
COPY services services
COPY tools tools
# The client distribution in the same command: it is what meets the server's sanad-client.
RUN pip install --no-cache-dir -c constraints.txt ./clients/python . \
    && useradd --create-home sanad
USER sanad
ENV SANAD_HOST=0.0.0.0
EXPOSE 50051 50052 50053 9451 9452 9453
CMD ["python", "-m", "sanad_analyzer"]
