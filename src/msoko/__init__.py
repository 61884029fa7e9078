"""msoko: municipal and regional education quality management (МСОКО / МУМ)."""

__version__ = "0.1.0"
