"""EM Agent rag-svc."""

import os

# Single-threaded BLAS unless the operator says otherwise. Must run before NumPy is first imported.
# The forward pass is many small matrix products; with several BLAS threads each product waits for
# all of them, and on a shared or busy host a descheduled thread stalls every product: measured on
# the 2-core dev machine under load, a query embedding took p50 1.2 s with 2 threads, 0.14 s with 1.
# Concurrency comes from serving requests, not from splitting one matmul.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
