"""feedback of rlhf_gym."""
