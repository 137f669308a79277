"""algorithms of rlhf_gym."""
