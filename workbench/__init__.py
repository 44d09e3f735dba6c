"""Case Workbench: diagnose failed Windows feature upgrades from a collected case archive."""

__version__ = "0.1.0"
