"""quyhoach-kg: a knowledge graph of Vietnam's planning system (quy hoạch)."""

__version__ = "0.1.0"
