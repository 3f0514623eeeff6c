"""Create or drop a throw-away PostgreSQL database for the test suite.

Usage: python scripts/pgtestdb.py create|drop NAME  (server from PG* variables,
default postgres@127.0.0.1:5432). Exits non-zero, with one clear line, when
the server cannot be reached: the PostgreSQL run must fail, never be skipped.
"""

import os
import sys

import psycopg
from psycopg import sql


def main() -> int:
    action, name = sys.argv[1], sys.argv[2]
    conninfo = (
        f"host={os.environ.get('PGHOST', '127.0.0.1')} port={os.environ.get('PGPORT', '5432')} "
        f"user={os.environ.get('PGUSER', 'postgres')} dbname=postgres connect_timeout=10"
    )
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            if action == "create":
                conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0")
                             .format(sql.Identifier(name)))
            elif action == "drop":
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                             .format(sql.Identifier(name)))
            else:
                print(f"unknown action {action!r}", file=sys.stderr)
                return 2
    except psycopg.OperationalError as error:
        print(f"PostgreSQL cannot be reached ({conninfo}): {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
