"""geo_khorasan: sourced, offline maps of IS-K reporting from a folder of articles."""
__version__ = "0.1.0"
