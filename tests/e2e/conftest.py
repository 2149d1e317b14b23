from tests.integration.conftest import directory_settings

__all__ = ["directory_settings"]
