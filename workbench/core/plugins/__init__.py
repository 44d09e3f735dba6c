"""The plugin system: pluggy hooks prefixed ``workbench_``; built-ins go through them like third parties."""

import pluggy

hookimpl = pluggy.HookimplMarker("workbench")

__all__ = ["hookimpl"]
