"""The dashboard served from a thread of the test process, for the browser tests.

It replaces dash.testing's ThreadedRunner (dash[testing] pinned selenium<=4.2 and with it
urllib3 1.26 into the lock). A werkzeug server bound to port 0 (the kernel picks a free port,
so two test runs on one machine never race for the same one) runs in a daemon thread; the
runner is ready when ``/healthz`` answers, polled with a deadline, never after a fixed sleep.
In the same process, so the tests can watch the app's log and the server thread shares its
warning filters (see conftest.py).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

from werkzeug.serving import make_server

READY_SECONDS = 60.0  # create_app has run already; the first request imports nothing heavy


class AppServer:
    """``with AppServer(flask_app) as server:`` serves ``flask_app`` at ``server.url``."""

    def __init__(self, wsgi_app, host: str = "127.0.0.1") -> None:
        # threaded: the page fires several callbacks at once, as under gunicorn's threads.
        self._server = make_server(host, 0, wsgi_app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="browser-test-app-server", daemon=True
        )

    def __enter__(self) -> AppServer:
        self._thread.start()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_until_ready(self, timeout: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError("the app server thread stopped before answering /healthz")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError) as error:
                last_error = error
            time.sleep(0.05)
        raise RuntimeError(f"the app server at {self.url} did not answer /healthz: {last_error}")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()  # ends serve_forever; returns once the loop has stopped
            self._thread.join(timeout=10)
        self._server.server_close()
