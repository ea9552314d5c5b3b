"""The ``lamingit`` entry point: a click group whose commands load lazily (fast start-up)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from lamingit.errors import DiskError, LamingitError, disk_error

# Exit codes (docs/cli.md): 0 ok, 1 a user error, 2 a usage error, 3 the file system refused a
# write (disk full, over quota, read-only) — a script can free space and retry on 3.
EXIT_DISK = 3

# command name → "module:function"; each module is imported only when its command runs.
COMMANDS: dict[str, str] = {
    "init": "lamingit.cli.repo_cmds:init",
    "connect": "lamingit.cli.repo_cmds:connect",
    "login": "lamingit.cli.repo_cmds:login",
    "status": "lamingit.cli.repo_cmds:status",
    "save": "lamingit.cli.artifact_cmds:save",
    "load": "lamingit.cli.artifact_cmds:load",
    "describe": "lamingit.cli.artifact_cmds:describe",
    "ls": "lamingit.cli.artifact_cmds:ls",
    "delete": "lamingit.cli.artifact_cmds:delete",
    "restore": "lamingit.cli.artifact_cmds:restore",
    "fsck": "lamingit.cli.maint_cmds:fsck",
    "gc": "lamingit.cli.maint_cmds:gc",
    "reindex": "lamingit.cli.maint_cmds:reindex",
    "log": "lamingit.cli.history_cmds:log",
    "show": "lamingit.cli.history_cmds:show",
    "diff": "lamingit.cli.history_cmds:diff",
    "clone": "lamingit.cli.remote_cmds:clone",
    "remote": "lamingit.cli.remote_cmds:remote",
    "push": "lamingit.cli.remote_cmds:push",
    "pull": "lamingit.cli.remote_cmds:pull",
    "fetch": "lamingit.cli.remote_cmds:fetch",
    "resolve": "lamingit.cli.remote_cmds:resolve",
    "merge-driver": "lamingit.cli.remote_cmds:merge_driver",
    "branch": "lamingit.cli.branch_cmds:branch",
    "hooks": "lamingit.cli.remote_cmds:hooks",
    "lineage": "lamingit.cli.lineage_cmds:lineage",
    "search": "lamingit.cli.search_cmds:search",
    "serve": "lamingit.cli.serve_cmds:serve",
    "track": "lamingit.cli.track_cmds:track",
    "finish": "lamingit.cli.track_cmds:finish",
    "run-notebook": "lamingit.cli.notebook_cmds:run_notebook",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="lamingit")
def cli() -> None:
    """lamingit: data lineage in a git-style repository (artifacts, runs, transforms, features)."""


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; user errors exit 1 with one line, usage errors 2, a refused disk write 3.

    Example:
        >>> main(["--help"])  # doctest: +SKIP
    """
    try:
        return cli.main(args=argv, prog_name="lamingit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        exc.show()
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DiskError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_DISK)
    except (LamingitError, FileNotFoundError, ValueError, NotImplementedError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        translated = disk_error(exc)
        if translated is None:
            raise
        click.echo(f"error: {translated}", err=True)
        sys.exit(EXIT_DISK)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
