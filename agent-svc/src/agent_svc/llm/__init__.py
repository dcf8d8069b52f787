"""The LLM client: one interface, vendor providers behind it, resilience and fallback around them."""
