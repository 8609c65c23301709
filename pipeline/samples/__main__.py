"""`python -m pipeline.samples starter|batch|mixed ...`."""

from . import main

main()
