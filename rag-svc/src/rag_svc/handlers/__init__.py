"""Use cases of rag-svc: indexing documents and incidents, and hybrid search."""
