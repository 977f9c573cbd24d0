"""The knowledge base behind ``use_rag``: documents chunked, indexed with full-text search, retrieved by topic."""
