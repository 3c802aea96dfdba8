#!/usr/bin/env bash
# Finds PostgreSQL and Redis on 127.0.0.1, starting the local ones when installed and stopped.
set -uo pipefail
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}

pg_up() { pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  fi
fi
ok=0
pg_up && echo "PostgreSQL: up at $PGHOST:$PGPORT" || { echo "PostgreSQL is not reachable at $PGHOST:$PGPORT and could not be started (install postgresql, or set TEST_DATABASE_URL)"; ok=1; }
redis_up && echo "Redis: up at 127.0.0.1:6379" || { echo "Redis is not reachable at 127.0.0.1:6379 and could not be started (install redis-server, or set TEST_REDIS_URL)"; ok=1; }
exit $ok
