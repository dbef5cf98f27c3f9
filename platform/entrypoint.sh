#!/bin/sh
# Roles: web (migrate, then gunicorn), worker, beat, or any other command verbatim.
set -e
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec gunicorn config.wsgi:application -c platform/gunicorn.conf.py ;;
  worker)
    exec celery -A config worker --loglevel="${CELERY_LOG_LEVEL:-info}" --concurrency="${CELERY_CONCURRENCY:-2}" ;;
  beat)
    exec celery -A config beat --loglevel="${CELERY_LOG_LEVEL:-info}" --schedule=/tmp/celerybeat-schedule ;;
  *)
    exec "$@" ;;
esac
