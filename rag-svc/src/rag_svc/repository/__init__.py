"""The only SQL of rag-svc: documents and chunks, search queries, and the pgvector capability."""
