"""The dashboard's pages, one module each, each with ``register(router)``."""
