"""``python -m app``: serve the dashboard locally (HOST, PORT from the environment)."""

from __future__ import annotations

import sys

from app.config import Config
from app.factory import create_app


def main() -> int:
    try:
        config = Config.from_env()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    app = create_app(config)
    print(f"Serving on http://{config.host}:{config.port}/ (Ctrl+C to stop)")
    app.run(host=config.host, port=config.port, debug=config.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
