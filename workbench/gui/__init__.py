"""The Qt desktop application: thin views over a case store, linked by one time cursor (:mod:`.bus`).

Nothing in :mod:`workbench.core` imports from here; this package only reads the store and listens to
the bus. Start it with :func:`workbench.gui.app.main`.
"""
