"""One pure module per vendor: stored delivery -> canonical events (`em_shared.contracts`)."""
