"""Performance benchmarks of the NMOSD cohort explorer (not tests): see README.md here."""
