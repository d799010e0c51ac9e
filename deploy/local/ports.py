"""Is a TCP port free, and if not, who holds it — said before anything starts."""

from __future__ import annotations

import socket
from contextlib import closing


def port_is_free(port: int) -> bool:
    # Bind the wildcard address: that fails whether the holder listens on 127.0.0.1 or on all
    # interfaces (localstripe cannot be told to bind loopback only).
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def describe_holder(port: int) -> str:
    """'pid 123 (uvicorn services.api.app:app …)' when the system lets us see it, else ''."""
    try:
        import psutil

        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                cmdline = " ".join(psutil.Process(conn.pid).cmdline())
                return f"pid {conn.pid} ({cmdline[:100]})"
    except Exception:
        return ""
    return ""


def taken_ports(wanted: dict[str, int]) -> list[str]:
    """One plain sentence per port already in use; empty when all are free."""
    problems = []
    for what, port in wanted.items():
        if not port_is_free(port):
            holder = describe_holder(port)
            problems.append(f"port {port} ({what}) is already in use" + (f" by {holder}" if holder else ""))
    return problems
