#!/bin/sh
# Roles: web (migrate, then gunicorn), worker, beat, or any other command verbatim.
# Beat must run exactly once per deployment (docker-compose.yml has a beat service): without it
# nothing resumes a run or a webhook whose worker died. A deployment with one worker container
# and no beat container sets OLIVE_WORKER_BEAT=1 to embed beat in the worker.
set -e
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec gunicorn config.wsgi:application -c platform/gunicorn.conf.py ;;
  worker)
    if [ "${OLIVE_WORKER_BEAT:-0}" = "1" ]; then
      set -- -B --schedule=/tmp/celerybeat-schedule
    else
      set --
    fi
    exec celery -A config worker --loglevel="${CELERY_LOG_LEVEL:-info}" --concurrency="${CELERY_CONCURRENCY:-2}" "$@" ;;
  beat)
    exec celery -A config beat --loglevel="${CELERY_LOG_LEVEL:-info}" --schedule=/tmp/celerybeat-schedule ;;
  *)
    exec "$@" ;;
esac
