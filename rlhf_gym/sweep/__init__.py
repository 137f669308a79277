"""Sweeps: many ``rlhf-gym train`` runs (a grid of settings x seeds) on Ray, and their summary table."""

from rlhf_gym.sweep.grid import Cell, cells, parse_grid
from rlhf_gym.sweep.launch import Run, run_all
from rlhf_gym.sweep.summary import bootstrap_interval, summarize

__all__ = ["Cell", "Run", "bootstrap_interval", "cells", "parse_grid", "run_all", "summarize"]
