"""The Qt-free core: archives, parsers, the per-case store, timeline, signatures and report.

Nothing under this package may import Qt; ``tests/unit/test_core_without_qt.py`` proves it.
"""
