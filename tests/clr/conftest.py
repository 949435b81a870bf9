from tests.pathways.conftest import bank

__all__ = ["bank"]
