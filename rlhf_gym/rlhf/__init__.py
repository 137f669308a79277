"""The online preference loop (Christiano et al. 2017): its config, the callback that asks and refits
during ``model.learn()``, and the pipeline that wires env, reward model, teacher and agent."""
