"""EM Agent's shared library: the contracts every service speaks and the runtime every service runs on."""

__version__ = "0.1.0"
