"""Exit 0 when the test PostgreSQL server answers, 1 otherwise (used by `make test`)."""

import os
import sys

import psycopg

url = os.environ.get("MOOTHALL_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/moothall")
# Connect to the maintenance database: the named one may not exist yet.
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(base, connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
