import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Imported files and PDFs go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
