# One multi-stage image for every EM Agent service; the service is chosen by the command
# (`python -m ingest_svc`, ...). Built with uv from the workspace lockfile.
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# Dependencies first (cached while only source changes).
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY ingest-svc/pyproject.toml ingest-svc/pyproject.toml
COPY incident-svc/pyproject.toml incident-svc/pyproject.toml
COPY okr-svc/pyproject.toml okr-svc/pyproject.toml
COPY agent-svc/pyproject.toml agent-svc/pyproject.toml
COPY notifier-svc/pyproject.toml notifier-svc/pyproject.toml
COPY rag-svc/pyproject.toml rag-svc/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-install-workspace
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages

FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 em
WORKDIR /app
COPY --from=build --chown=em:em /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 EM_HOST=0.0.0.0
USER em
# Overridden per service in compose.yaml / deploy/; ingest is the default.
CMD ["python", "-m", "ingest_svc"]
