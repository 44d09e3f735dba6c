"""Build hook (the project is configured in pyproject.toml): ship the built-in packs and the resources in the wheel.

Two top-level folders are data the package needs at run time but that live outside ``workbench/`` so that
authors find them beside the code: ``plugins/`` (the built-in signature packs) and ``resources/`` (report
templates, UI translations, icons). An installed wheel carries copies as ``workbench/_plugins`` and
``workbench/_resources`` (no symlinks), which is where the lookups look first
(:func:`workbench.core.signatures.packs.builtin_pack_roots`, :func:`workbench.core.report.render.template_dirs`,
:func:`workbench.gui.i18n.translations_dir`). A frozen build collects the same folders
(``packaging/workbench.spec``). An editable install reads them from the checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: top-level folder -> folder inside the ``workbench`` package of a built wheel
DATA_TREES = {"plugins": "_plugins", "resources": "_resources"}


class BuildPyWithPacks(build_py):
    """``build_py`` that also copies ``plugins/`` and ``resources/`` into the package of the build tree."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for source_name, target_name in DATA_TREES.items():
            source = root / source_name
            if source.is_dir():
                target = Path(self.build_lib) / "workbench" / target_name
                shutil.copytree(source, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))


setup(cmdclass={"build_py": BuildPyWithPacks})
