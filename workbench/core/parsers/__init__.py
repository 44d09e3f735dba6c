"""One module per source format. Each is a plugin exposing ``workbench_parsers``."""
