"""``python -m benchmarks``: see benchmarks/README.md."""

import sys

from app.server.blas import single_threaded_blas

# In-process timings run with the BLAS setting the server uses (app/server/blas.py).
single_threaded_blas()

from benchmarks.run import main  # noqa: E402

sys.exit(main())
