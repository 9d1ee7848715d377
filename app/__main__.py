"""``python -m app``: serve the dashboard locally (HOST, PORT from the environment)."""

from __future__ import annotations

import logging
import sys

from app.server.blas import single_threaded_blas

single_threaded_blas()  # before numpy is imported (app.server.factory imports it)

from app.server.config import Config  # noqa: E402
from app.server.factory import create_app  # noqa: E402
from app.server.logsafe import install_filter  # noqa: E402


def main() -> int:
    try:
        config = Config.from_env()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    install_filter(logging.getLogger().handlers)
    app = create_app(config)
    print(f"Serving on http://{config.host}:{config.port}/ (Ctrl+C to stop)")
    # DEBUG=1 gives Dash's dev tools (hot reload, callback errors in the page), never
    # Werkzeug's interactive debugger: its /console runs Python for whoever reaches it.
    app.run(host=config.host, port=config.port, debug=config.debug, use_debugger=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
