"""Shared test settings: every randomized test is reproducible.

Hypothesis normally draws fresh examples on each run; ``derandomize=True`` makes it draw the
same examples every time (seeded from each test's name), so a failure seen once is seen again.
``deadline=None`` turns off the per-example time limit, which a slow machine would trip.
"""

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True, deadline=None)
settings.load_profile("reproducible")
