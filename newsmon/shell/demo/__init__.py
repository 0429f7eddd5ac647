"""The bundled demo: a small news site served on loopback, and `newsmon demo` running the pipeline on it."""
