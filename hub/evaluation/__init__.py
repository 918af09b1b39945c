"""Routine change evaluation (issue 3, item 8): long streams, injected changes, the real pipeline.

`resample.py` builds months-long streams from whole real days, `inject.py`
changes their events as a changed routine would, `pipeline.py` runs the real
features, detector and alert conditions on them, `methods.py` holds the
baselines compared side by side, `metrics.py` the figures, `run.py` the whole
evaluation and `report.py` its Markdown report with plots.
"""
