from shared.db.base import Base
from shared.db.engine import get_engine, get_sessionmaker, session_scope

__all__ = ["Base", "get_engine", "get_sessionmaker", "session_scope"]
