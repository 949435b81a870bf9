# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY requirements/runtime.lock ./requirements/
COPY app ./app
COPY migrations ./migrations
# Exactly the hash-checked pins of the lock, then the project without re-resolving.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements/runtime.lock \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
# Fonts covering Latin, Arabic and Chinese for PDF certificates and baked badges.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 learnproof
WORKDIR /srv/learnproof
COPY --from=build /opt/venv /opt/venv
# The source tree (PYTHONPATH) wins over the installed copy, so app/migrate.py finds
# alembic.ini and migrations/ beside it.
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN mkdir -p var keys && chown -R learnproof:learnproof var keys
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/learnproof \
    LEARNPROOF_DATABASE_URL=sqlite:////srv/learnproof/var/learnproof.db \
    LEARNPROOF_KEYS_DIR=/srv/learnproof/keys
USER learnproof
VOLUME ["/srv/learnproof/var", "/srv/learnproof/keys"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["learnproof", "serve", "--host", "0.0.0.0", "--port", "8000"]
