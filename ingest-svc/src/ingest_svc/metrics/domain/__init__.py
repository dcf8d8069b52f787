"""Pure DORA maths: no I/O, no clock; every function takes what it needs and returns values."""
