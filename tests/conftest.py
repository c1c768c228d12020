import pytest
from django.test import Client


@pytest.fixture
def default_policy(db):
    """The default policy of PRODUCT.md, installed by the data migration."""
    from sla import selectors

    return selectors.default_policy()


@pytest.fixture
def levels(db):
    from sla.models import PriorityLevel

    return {level.code: level for level in PriorityLevel.objects.all()}


@pytest.fixture
def admin_client_logged(db, admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 dominates tests that create users; the algorithm is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages raised outside a request read in English; tests/test_i18n.py covers the rest."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded and received files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: API throttling counts requests there, per client
    address, and every test client comes from the same address."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
