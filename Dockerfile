# syntax=docker/dockerfile:1
# Image of Commune engagée: one image for the three roles (web, worker, beat),
# chosen by the argument given to docker/entrypoint.sh.

# The official découpage administratif (manage.py import_territoires reads it), as
# pinned by package.json and package-lock.json; the test tools are left out.
FROM node:20-bookworm-slim AS territoires
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.prod

# System libraries WeasyPrint loads at run time (Pango, HarfBuzz, fontconfig
# through pangoft2), a font for the PDFs, and the MIME database.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libffi8 \
        fonts-dejavu-core \
        shared-mime-info \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home is writable for the caches of fontconfig and co.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that this layer is rebuilt
# only when the dependencies change. pyproject.toml declares no package
# (`packages = []`): the code itself is run from /app, not installed.
COPY pyproject.toml ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY . .
COPY --from=territoires /build/node_modules/@etalab/decoupage-administratif/data \
    /app/node_modules/@etalab/decoupage-administratif/data

# Static files are collected into the image (var/static, served by
# whitenoise). Production settings refuse to load without a secret key and
# allowed hosts: throwaway values, for this command only, never at run time.
ARG COLLECTSTATIC_SECRET_KEY=collectstatic-only-not-a-secret
ARG COLLECTSTATIC_ALLOWED_HOSTS=localhost
RUN SECRET_KEY="$COLLECTSTATIC_SECRET_KEY" ALLOWED_HOSTS="$COLLECTSTATIC_ALLOWED_HOSTS" \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown app:app /app/var/media \
    && chmod 0755 /app/docker/entrypoint.sh

# The code stays owned by root; the application may write only to var/media
# (a volume in docker-compose.yml, which inherits this ownership).
USER app

EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
