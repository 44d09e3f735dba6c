"""The Qt desktop application: thin views over a case store, linked by one time cursor.

Layout (one module per thing, as in STYLE.md)::

    app.py           ``workbench [CASE] [--password P] [--screenshot OUT.png] [--size WxH] [--lang en|zh]``
    main_window.py   docks, menus, status bar, opening cases (drop, File › Open, recent), layout memory
    bus.py           CursorBus: time cursor (UTC µs), selected range, selection; setters ignore equal values
    worker.py        IngestWorker/IngestJob: Case.open + ensure_ingested in a QThread (progress, cancel)
    i18n.py          language choice, the zh_CN translator, ``python -m workbench.gui.i18n`` to rebuild it
    scroll_bench.py  the ``scroll_ms`` figure (a 5-million-row timeline) for bench/run
    models/          read-only item models: StoreView (the GUI's read connection + case clock),
                     TimelineModel (block-paged by rowid), small list models (files, findings, ...)
    panes/           one widget per pane; each takes the bus, gets ``set_view(StoreView | None)``,
                     and never calls another pane

Nothing in :mod:`workbench.core` imports from here. The only writes the window makes to a case are notes
(:mod:`.panes.notes`, to the case's notes database) and the user's choice of time zone (through the ingest
worker).
"""
