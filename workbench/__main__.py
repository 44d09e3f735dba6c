"""``python -m workbench``: the CLI (and, without a subcommand, the window).

Guarded: the parse worker is started with the ``spawn`` method, whose child imports the parent's main module
under another name; it must not run the CLI again.
"""

if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    from workbench.cli import main

    raise SystemExit(main())
