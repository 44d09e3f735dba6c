"""Exceptions the core raises on purpose, each carrying a sentence a user can act on.

The CLI maps :class:`UserActionRequired` to exit code 2 and prints ``str(exc)`` as one line on stderr.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: the message is a complete sentence naming the file and what is wrong."""


class UserActionRequired(WorkbenchError):
    """The user must do something (give a password, fix an argument) before we can go on."""


class PasswordRequired(UserActionRequired):
    """An archive (or a member of it) is encrypted and no password was given."""


class WrongPassword(UserActionRequired):
    """The given password does not open the archive."""


class EnvironmentFailure(UserActionRequired):
    """The machine, not the case, stopped the work: a full disk or temp folder, a folder that cannot be
    written, a file-size limit. Never recorded as a property of a file: the ingest stops, the case is left
    unfinished, and the next run retries it (see :mod:`workbench.core.environment`)."""


class ArchiveError(WorkbenchError):
    """The archive cannot be read at all (not an archive, corrupt beyond its directory, ...)."""


class ArchiveLimitExceeded(ArchiveError):
    """Extraction stopped because a safety limit (size, ratio, count, depth) was exceeded."""


class RatioExceeded(ArchiveLimitExceeded):
    """One member expands past the ratio limit: that member stops, the other members of its archive go on."""


class IngestCancelled(WorkbenchError):
    """The caller's ``cancel`` callback asked the ingest to stop."""


class OutputNotWritable(UserActionRequired):
    """The file the user asked us to write (``-o``) cannot be written there: the user chooses another place
    (see :mod:`workbench.core.output_file`)."""
