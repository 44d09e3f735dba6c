"""One module per ``workbench`` subcommand. Each has ``NAME``, ``HELP``, ``add_arguments(p)`` and ``run(args)``.

The CLI registers them from :data:`COMMANDS`, an explicit list (no discovery), in the order ``--help`` shows.
"""

COMMANDS: tuple[str, ...] = (
    "workbench.commands.analyze",
    "workbench.commands.timeline",
    "workbench.commands.files",
    "workbench.commands.demo",
    "workbench.commands.report",
    "workbench.commands.processes",
    "workbench.commands.decode",
    "workbench.commands.signatures",
    "workbench.commands.knowledge",
    "workbench.commands.export_case",
    "workbench.commands.compare",
)
