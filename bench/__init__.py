"""Benchmarks that print figures (not timed tests); run each as `python bench/<name>.py`."""
