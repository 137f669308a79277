"""rewards of rlhf_gym."""
