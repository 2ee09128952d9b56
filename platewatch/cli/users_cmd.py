"""`platewatch users ...` and `platewatch apikeys ...`: accounts for officers and services.

Every change goes through `intel_api.services.accounts`, the same code the admin pages use, and is
audited (actor `platewatch`, the system).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from platewatch.cli.options import ConfigOption, load_or_exit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from intel_api.auth import PasswordHashing

DatabaseUrlOption = typer.Option(
    None, "--database-url", help="Overrides the config and PLATEWATCH_DATABASE_URL."
)
PasswordStdinOption = typer.Option(False, "--password-stdin", help="Read the password from standard input.")
ReasonOption = typer.Option("", "--reason", help="Why (recorded in the audit trail).")
T = TypeVar("T")


@contextmanager
def _session(config: Path, database_url: str | None) -> Iterator[Session]:
    from intel_api.db.session import make_engine, make_session_factory, session_scope

    engine = make_engine(database_url or load_or_exit(config).resolved_database_url())
    try:
        with session_scope(make_session_factory(engine)) as s:
            yield s
    finally:
        engine.dispose()


def _run(config: Path, database_url: str | None, work: Callable[[Session], T]) -> T:
    """Run one change in one transaction; an AccountError is a message and exit 1, never a traceback."""
    from intel_api.services.accounts import AccountError

    try:
        with _session(config, database_url) as s:
            return work(s)
    except AccountError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=1) from None


def _hashing() -> PasswordHashing:
    from intel_api.auth import PasswordHashing
    from intel_api.settings import ApiSettings

    fields = ApiSettings.model_fields
    return PasswordHashing(fields["password_time_cost"].default, fields["password_memory_kib"].default)


def _read_password(from_stdin: bool) -> str:
    from intel_api.services.accounts import AccountError, check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except AccountError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=2) from None
    return password


def add_user(
    username: str = typer.Argument(..., help="Login name, e.g. a collar number."),
    role: str = typer.Option(..., "--role", help="officer | supervisor | admin"),
    full_name: str = typer.Option("", "--full-name"),
    password_stdin: bool = PasswordStdinOption,
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Create an officer account (the password is prompted for, never given on the command line)."""
    from intel_api.db.models import Role
    from intel_api.services import accounts

    try:
        role_value = Role(role)
    except ValueError:
        typer.echo(f"--role must be one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(code=2) from None
    password = _read_password(password_stdin)
    hashing = _hashing()
    _run(
        config,
        database_url,
        lambda s: accounts.add_user(s, hashing, None, username, password, role_value, full_name),
    )
    typer.echo(f"created user {username} ({role_value.value})")


def list_users(config: Path = ConfigOption, database_url: str | None = DatabaseUrlOption) -> None:
    """Every account with its role, whether it is active, and any sign-in lock."""
    from intel_api.services import accounts
    from intel_api.services.login_throttle import locked_accounts

    def work(s: Session) -> list[str]:
        locks = locked_accounts(s)
        lines = []
        for u in accounts.list_users(s):
            state = "active" if u.active else "disabled"
            lock = f"  locked until {locks[u.username]:%Y-%m-%d %H:%M}Z" if u.username in locks else ""
            lines.append(f"{u.username:<20} {u.role.value:<11} {state}{lock}")
        return lines

    for line in _run(config, database_url, work):
        typer.echo(line)


def disable_user(
    username: str = typer.Argument(...),
    reason: str = ReasonOption,
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Disable an account: its tokens and browser sessions stop working on their next request."""
    from intel_api.services import accounts

    _run(config, database_url, lambda s: accounts.set_active(s, None, username, False, reason))
    typer.echo(f"disabled user {username}")


def enable_user(
    username: str = typer.Argument(...),
    reason: str = ReasonOption,
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Enable a disabled account."""
    from intel_api.services import accounts

    _run(config, database_url, lambda s: accounts.set_active(s, None, username, True, reason))
    typer.echo(f"enabled user {username}")


def reset_password(
    username: str = typer.Argument(...),
    password_stdin: bool = PasswordStdinOption,
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Set a new password; the account's browser sessions end."""
    from intel_api.services import accounts

    password = _read_password(password_stdin)
    hashing = _hashing()
    _run(config, database_url, lambda s: accounts.reset_password(s, hashing, None, username, password))
    typer.echo(f"password reset for {username}")


def unlock_user(
    username: str = typer.Argument(...),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Lift a sign-in lock after repeated failed sign-ins."""
    from intel_api.services.login_throttle import unlock

    held = _run(config, database_url, lambda s: unlock(s, None, username))
    typer.echo(f"unlocked {username}" if held else f"{username} was not locked")


def add_api_key(
    name: str = typer.Argument(..., help="Name of the service, e.g. cam1-worker."),
    scope: str = typer.Option(..., "--scope", help="camera | letters"),
    camera: str | None = typer.Option(
        None, "--camera", help="The camera a camera key may post for (required for --scope camera)."
    ),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Create a service API key; the secret is printed once and only its SHA-256 is stored."""
    from intel_api.db.models import ApiKeyScope
    from intel_api.services import accounts

    try:
        scope_value = ApiKeyScope(scope)
    except ValueError:
        typer.echo(f"--scope must be one of: {', '.join(s.value for s in ApiKeyScope)}", err=True)
        raise typer.Exit(code=2) from None
    if scope_value == ApiKeyScope.CAMERA and not camera:
        typer.echo("a camera key must be bound to its camera: add --camera ID", err=True)
        raise typer.Exit(code=2)
    site = load_or_exit(config)
    known = {c.id for c in site.cameras}
    _, secret = _run(
        config, database_url, lambda s: accounts.add_key(s, None, name, scope_value, camera, known)
    )
    bound = f", camera {camera}" if camera else ""
    typer.echo(
        f"created API key {name} (scope {scope_value.value}{bound}); "
        "store this secret now, it is not shown again:",
        err=True,
    )
    typer.echo(secret)


def list_api_keys(config: Path = ConfigOption, database_url: str | None = DatabaseUrlOption) -> None:
    """Every key with its scope, camera and state (secrets are never stored, so never shown)."""
    from intel_api.services import accounts

    def work(s: Session) -> list[str]:
        return [
            f"{k.name:<24} {k.scope.value:<8} {k.camera_id or '-':<12} "
            + (f"revoked {k.revoked_at:%Y-%m-%d %H:%M}Z" if k.revoked_at else "active")
            for k in accounts.list_keys(s)
        ]

    for line in _run(config, database_url, work):
        typer.echo(line)


def revoke_api_key(
    name: str = typer.Argument(...),
    reason: str = ReasonOption,
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Revoke a key: it is refused from its next request."""
    from intel_api.services import accounts

    _run(config, database_url, lambda s: accounts.revoke_key(s, None, name, reason))
    typer.echo(f"revoked API key {name}")


def bind_api_key(
    name: str = typer.Argument(...),
    camera: str = typer.Option(..., "--camera", help="The camera this key may post for."),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Bind an unbound camera key (made before binding existed) to its camera."""
    from intel_api.services import accounts

    known = {c.id for c in load_or_exit(config).cameras}
    _run(config, database_url, lambda s: accounts.bind_key(s, None, name, camera, known))
    typer.echo(f"API key {name} may now post for camera {camera} only")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    users_app = typer.Typer(help="Officer accounts.", no_args_is_help=True)
    users_app.command("add")(add_user)
    users_app.command("list")(list_users)
    users_app.command("disable")(disable_user)
    users_app.command("enable")(enable_user)
    users_app.command("reset-password")(reset_password)
    users_app.command("unlock")(unlock_user)
    app.add_typer(users_app, name="users")
    keys_app = typer.Typer(help="Service API keys.", no_args_is_help=True)
    keys_app.command("add")(add_api_key)
    keys_app.command("list")(list_api_keys)
    keys_app.command("revoke")(revoke_api_key)
    keys_app.command("bind")(bind_api_key)
    app.add_typer(keys_app, name="apikeys")
