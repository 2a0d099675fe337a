#!/bin/sh
# Container entrypoint: one image, three roles chosen by the first argument.
#   web     apply the database migrations, then serve HTTP with gunicorn
#   worker  run a Celery worker (PDF generation, e-mails, ...)
#   beat    run the Celery scheduler (periodic reports); run exactly one
# Anything else is executed as given, e.g. `python manage.py createsuperuser`.
set -eu

case "${1:-}" in
    web)
        python manage.py migrate --noinput
        exec gunicorn -c gunicorn.conf.py config.wsgi
        ;;
    worker)
        exec celery -A config worker -l info --concurrency "${CELERY_CONCURRENCY:-2}"
        ;;
    beat)
        # The schedule file only records the last run times; /tmp is writable
        # by the unprivileged user and losing it on restart is harmless.
        exec celery -A config beat -l info --schedule /tmp/celerybeat-schedule
        ;;
    *)
        exec "$@"
        ;;
esac
