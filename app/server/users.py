"""``python -m app.server.users NAME``: print a users-file line ``NAME:hash`` for AUTH_MODE=basic.

The password is asked twice without echo (or read from standard input with --stdin, for
provisioning scripts); only its salted hash is printed. Append the line to AUTH_USERS_FILE.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from werkzeug.security import generate_password_hash

MIN_LENGTH = 12
# OWASP's scrypt guidance: N=2^17, r=8, p=1 (werkzeug's default is N=2^15). The parameters
# are part of each hash, so hashes made with older ones still verify.
METHOD = "scrypt:131072:8:1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.server.users", description=__doc__.splitlines()[0]
    )
    parser.add_argument("name", help="user name (no colon)")
    parser.add_argument("--stdin", action="store_true", help="read the password from stdin")
    args = parser.parse_args(argv)
    if ":" in args.name or not args.name.strip():
        print("error: the user name must be non-empty and contain no colon", file=sys.stderr)
        return 2
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return 2
    if len(password) < MIN_LENGTH:
        print(f"error: use at least {MIN_LENGTH} characters", file=sys.stderr)
        return 2
    print(f"{args.name}:{generate_password_hash(password, method=METHOD)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
