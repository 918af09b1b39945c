"""Secrets named in the config: passwords read from a file or an environment variable,
and the TLS certificates and keys the hub loads.

The password itself never appears in the config file, in a log line, in an
error message or in a repr: errors name where the password should have come
from, and the value travels as a `SecretStr`.
"""

from __future__ import annotations

import os
import ssl
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pydantic import SecretStr

from hub.config.base import Loc
from hub.config.models import Broker


class SecretError(ValueError):
    """The password source named in the config cannot be used.

    `loc` is the config key that names the source, so the problem can be shown
    at its line in the config file.
    """

    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def read_broker_password(
    broker: Broker, environ: Mapping[str, str] | None = None
) -> SecretStr | None:
    """The broker password, or None when the config names no password source.

    `environ` defaults to the process environment; tests pass their own.
    """
    if broker.password_file is not None:
        return read_password_file(broker.password_file, ("broker", "password_file"))
    if broker.password_env is not None:
        return _from_env(broker.password_env, os.environ if environ is None else environ)
    return None


def password_source(broker: Broker) -> str:
    """Where the password comes from, in words fit for a summary (never the password)."""
    if broker.password_file is not None:
        return f"password from file {broker.password_file}"
    if broker.password_env is not None:
        return f"password from environment variable {broker.password_env}"
    return "no password"


CREDENTIALS = "${CREDENTIALS_DIRECTORY}"
# What to do about a secret file that is not there: said once, the same for every secret.
CREATE_IT = "create it holding only the secret (e.g. root:hearth, mode 640) or correct the path"


def credential_path(path: Path, environ: Mapping[str, str] | None = None) -> Path:
    """`path` with a leading ${CREDENTIALS_DIRECTORY} replaced by systemd's credentials folder.

    Under systemd, `LoadCredential=mqtt.pass:/etc/hearth/mqtt.pass` copies the
    file (which may then be root-only) to a private folder only the service
    sees, named by $CREDENTIALS_DIRECTORY; the config says
    `password_file: ${CREDENTIALS_DIRECTORY}/mqtt.pass`.
    """
    text = str(path)
    if not text.startswith(CREDENTIALS):
        return path
    env = os.environ if environ is None else environ
    folder = env.get("CREDENTIALS_DIRECTORY")
    if not folder:
        raise ValueError(
            f"{text} names systemd's credentials folder, but CREDENTIALS_DIRECTORY is not set "
            "(it is set only for a service with LoadCredential=)"
        )
    return Path(folder + text.removeprefix(CREDENTIALS))


def read_password_file(path: Path, loc: Loc) -> SecretStr:
    """A password from `path`; a SecretError names `loc`, the config key that gave the path."""
    try:
        path = credential_path(path)
    except ValueError as exc:
        raise SecretError(str(exc), loc) from exc
    with _opened(path, "password file", loc, missing=f": {CREATE_IT}") as handle:
        # fstat on the open file, not stat on the name, so the mode checked
        # is the mode of the very file read.
        mode = os.fstat(handle.fileno()).st_mode
        raw = handle.read()
    # Group read is allowed on purpose: the usual setup is a root-owned file,
    # mode 0640, group 'hearth'. Only a file every user can read is refused.
    if mode & stat.S_IROTH:
        raise SecretError(
            f"password file {path} is readable by other users "
            f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it",
            loc,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SecretError(f"password file {path} is not UTF-8 text", loc) from exc
    # Editors and `echo` end the file with a newline that is not part of the
    # password; anything else (even spaces) is kept, as the broker has it.
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            text = text[: -len(ending)]
            break
    if not text:
        raise SecretError(f"password file {path} is empty", loc)
    return SecretStr(text)


def _from_env(name: str, environ: Mapping[str, str]) -> SecretStr:
    loc: Loc = ("broker", "password_env")
    value = environ.get(name)
    if value is None:
        raise SecretError(f"environment variable {name} is not set", loc)
    if not value:
        raise SecretError(f"environment variable {name} is empty", loc)
    return SecretStr(value)


def client_tls_context(
    ca_file: Path | None, cert_file: Path | None, key_file: Path | None, loc: Loc
) -> ssl.SSLContext:
    """The TLS context for connecting to the broker, as `broker.tls` (at `loc`) describes it.

    A file that cannot be used is a SecretError naming its own key: ssl's own
    errors (a bare "No such file or directory") do not say which file.
    """
    _readable(ca_file, "CA file", (*loc, "ca_file"))
    _readable(cert_file, "certificate file", (*loc, "cert_file"))
    _readable(key_file, "key file", (*loc, "key_file"))
    try:
        context = ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
    except ssl.SSLError as exc:
        raise SecretError(
            f"CA file {ca_file} is not a PEM certificate ({_reason(exc)})", (*loc, "ca_file")
        ) from exc
    if cert_file is not None:
        _load_pair(context, cert_file, key_file, loc, ("cert_file", "key_file"))
    return context


def check_server_tls(cert_file: Path, key_file: Path, loc: Loc) -> None:
    """Load a server certificate and key as the web server will; a SecretError if they cannot be."""
    _readable(cert_file, "certificate file", (*loc, "tls_cert_file"))
    _readable(key_file, "key file", (*loc, "tls_key_file"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _load_pair(context, cert_file, key_file, loc, ("tls_cert_file", "tls_key_file"))


def _readable(path: Path | None, what: str, loc: Loc) -> None:
    if path is None:
        return
    with _opened(path, what, loc):
        pass


@contextmanager
def _opened(path: Path, what: str, loc: Loc, *, missing: str = "") -> Iterator[BinaryIO]:
    """`path` open for reading; each way it cannot be is a SecretError naming `loc`.

    `missing` is added to the message when the file does not exist (what to do).
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise SecretError(f"{what} {path} does not exist{missing}", loc) from exc
    except IsADirectoryError as exc:
        raise SecretError(f"{what} {path} is a folder, not a file", loc) from exc
    except PermissionError as exc:
        raise SecretError(f"{what} {path} cannot be read by this user", loc) from exc
    except OSError as exc:
        raise SecretError(f"{what} {path} cannot be read: {exc.strerror}", loc) from exc
    with handle:
        try:
            yield handle
        except OSError as exc:
            raise SecretError(f"{what} {path} cannot be read: {exc.strerror}", loc) from exc


def _load_pair(
    context: ssl.SSLContext,
    cert_file: Path,
    key_file: Path | None,
    loc: Loc,
    keys: tuple[str, str],
) -> None:
    try:
        context.load_cert_chain(cert_file, key_file)
    except ssl.SSLError as exc:
        # Both files were readable: they are not PEM, or the key is not the certificate's.
        where = (*loc, keys[1] if key_file is not None else keys[0])
        raise SecretError(
            f"the certificate {cert_file} and key {key_file or cert_file} cannot be used "
            f"together ({_reason(exc)})",
            where,
        ) from exc


def _reason(exc: ssl.SSLError) -> str:
    # OpenSSL's short reason (KEY_VALUES_MISMATCH, NO_CERTIFICATE_OR_CRL_FOUND) when it gives one.
    return str(exc.reason or exc.strerror or exc)
