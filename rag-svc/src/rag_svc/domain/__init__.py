"""Pure logic of rag-svc: chunking, document identity, query shaping, rank fusion. No I/O."""
