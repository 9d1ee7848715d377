"""Sign-in: verified once then cached, guessing limited (429), no user-name enumeration,
OWASP scrypt cost, and the header mode trusting only its proxy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

import app.server.signin as signin
from app.server.config import Config, ConfigError
from app.server.factory import create_app
from app.server.security import GUARD_KEY, header_user
from app.server.users import main as users_main

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "users"
    path.write_text(f"alice:{generate_password_hash(PASSWORD)}\n", encoding="utf-8")
    return path


@pytest.fixture
def basic(users_file):
    """A fresh app (fresh cache and limits) in basic mode, with a controllable clock."""
    app = create_app(Config(auth_mode="basic", auth_users_file=users_file))
    clock = Clock()
    app.server.config[GUARD_KEY].verifier.clock = clock
    return app.server.test_client(), clock


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash checked, in order."""
    seen: list[str] = []

    def spy(hashed: str, password: str) -> bool:
        seen.append(hashed)
        return check_password_hash(hashed, password)

    monkeypatch.setattr(signin, "check_password_hash", spy)
    return seen


def get(client, user, password, address="127.0.0.1"):
    return client.get("/_dash-layout", auth=(user, password), environ_base={"REMOTE_ADDR": address})


def test_a_signed_in_user_is_verified_once_not_on_every_request(basic, hash_checks):
    client, clock = basic
    for _ in range(29):  # one page load
        assert get(client, "alice", PASSWORD).status_code == 200
    assert len(hash_checks) == 1
    clock.now += signin.CACHE_SECONDS + 1  # the verification expires: checked again
    assert get(client, "alice", PASSWORD).status_code == 200
    assert len(hash_checks) == 2
    # A wrong password is never served from the cache of a right one.
    assert get(client, "alice", PASSWORD + "x").status_code == 401


def test_failures_from_one_address_are_limited_with_retry_after(basic, hash_checks):
    client, clock = basic
    for k in range(signin.MAX_FAILURES):
        assert get(client, f"guess{k}", "nope", "10.9.8.7").status_code == 401
    checked = len(hash_checks)
    limited = get(client, "alice", PASSWORD, "10.9.8.7")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= signin.WINDOW_SECONDS
    assert len(hash_checks) == checked  # no hashing while limited
    # Another address is not limited; the window passes and this one is admitted again.
    assert get(client, "alice", PASSWORD, "10.9.8.8").status_code == 200
    clock.now += signin.WINDOW_SECONDS + 1
    assert get(client, "alice", PASSWORD + "!", "10.9.8.7").status_code == 401


def test_failures_for_one_name_are_limited_across_addresses(basic):
    client, _ = basic
    assert get(client, "alice", PASSWORD, "10.0.0.1").status_code == 200  # signed in
    for k in range(signin.MAX_FAILURES):
        assert get(client, "alice", "nope", f"10.1.0.{k}").status_code == 401
    assert get(client, "alice", "another guess", "10.2.0.1").status_code == 429
    # The signed-in user's verified header keeps working while guessers wait.
    assert get(client, "alice", PASSWORD, "10.0.0.1").status_code == 200


def test_an_unknown_name_costs_the_same_hash_work_as_a_known_one(basic, hash_checks):
    client, _ = basic
    assert get(client, "alice", "wrong").status_code == 401
    assert get(client, "mallory", "wrong").status_code == 401
    known, unknown = hash_checks
    method = known.split("$")[0]
    assert unknown.split("$")[0] == method  # same scrypt parameters: same work
    assert unknown != known


def test_new_hashes_use_owasp_scrypt_cost_and_old_ones_still_verify(capsys, monkeypatch, tmp_path):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users_main(["bob", "--stdin"]) == 0
    line = capsys.readouterr().out.strip()
    name, hashed = line.split(":", 1)
    assert hashed.startswith("scrypt:131072:8:1$")
    old = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")
    users = tmp_path / "users"
    users.write_text(f"{line}\ncarol:{old}\n", encoding="utf-8")
    client = create_app(Config(auth_mode="basic", auth_users_file=users)).server.test_client()
    assert get(client, name, PASSWORD).status_code == 200
    assert get(client, "carol", PASSWORD).status_code == 200


def header_client(**config):
    return create_app(Config(auth_mode="header", **config)).server.test_client()


def test_the_sign_in_header_is_accepted_only_from_the_proxy():
    client = header_client(forwarded_allow_ips="10.0.0.2")
    from_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/", headers={"X-Remote-User": "dr.garcia"}).status_code == 403
    ok = client.get("/", headers={"X-Remote-User": "dr.garcia"}, environ_base=from_proxy)
    assert ok.status_code == 200
    # AUTH_PROXY_IPS, when set, is the list for the sign-in header.
    client = header_client(forwarded_allow_ips="10.0.0.2", auth_proxy_ips="10.5.0.0/16")
    assert (
        client.get("/", headers={"X-Remote-User": "a"}, environ_base=from_proxy).status_code == 403
    )
    ok = client.get("/", headers={"X-Remote-User": "a"}, environ_base={"REMOTE_ADDR": "10.5.3.4"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("value", "user"),
    [
        ("dr.garcia", "dr.garcia"),
        ("  José Núñez ", "José Núñez"),
        ("x" * 256, "x" * 256),
        ("x" * 257, None),
        ("   ", None),
        ("", None),
        ("alice\x00", None),
        ("ali\u202ece", None),
        ("bob\x1b[31m", None),
    ],
)
def test_odd_sign_in_header_values_are_refused(value, user):
    assert header_user(value) == user


def test_an_odd_header_value_gets_403():
    client = header_client()
    assert client.get("/", headers={"X-Remote-User": "a\x7fb"}).status_code == 403
    assert client.get("/", headers={"X-Remote-User": "a" * 300}).status_code == 403


@pytest.mark.parametrize("name", ["AUTH_PROXY_IPS", "FORWARDED_ALLOW_IPS"])
def test_proxy_address_settings_are_checked(name):
    with pytest.raises(ConfigError, match=f"{name} must list IP addresses"):
        Config.from_env({name: "10.0.0.1, proxy.local"})
    assert Config.from_env({name: "10.0.0.1, 10.2.0.0/16,::1"})


def test_the_access_log_does_not_take_a_client_forwarded_for_as_the_client():
    spec = importlib.util.spec_from_file_location("_gconf_signin", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "x-forwarded-for" not in module.access_log_format.lower()
    assert "%(u)s" not in module.access_log_format  # any Authorization's name, signed in or not


def test_parallel_first_requests_of_a_page_verify_once(basic, hash_checks):
    from concurrent.futures import ThreadPoolExecutor

    client, _ = basic
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda _: get(client, "alice", PASSWORD).status_code, range(8)))
    assert codes == [200] * 8
    assert len(hash_checks) == 1
