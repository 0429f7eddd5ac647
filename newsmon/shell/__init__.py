"""The shell: the `newsmon` command, the processes it runs and the demo. Top layer: may import everything."""
