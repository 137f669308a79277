"""Subcommands of the rlhf-gym console script, one module each."""
