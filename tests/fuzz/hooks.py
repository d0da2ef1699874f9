"""Schemathesis hooks for fuzzing Clientele: how the fuzzer authenticates.

The fuzzer attacks the login endpoints from 127.0.0.1 like anyone else, and the
service answers as designed: after 100 failures that address is locked out of every
login for a while (docs/decisions/0003-login-throttling.md). So the fuzzer's own
tokens are fetched over a connection from another loopback address
(FUZZ_TOKEN_SOURCE_IP, default 127.0.0.2), as a real user elsewhere would, for an
account whose name the fuzzer never guesses. Production throttling stays as it is.

Three kinds of session:
- every operation but two runs as the bootstrap super admin (FUZZ_USERNAME), in one
  session renewed with its refresh token;
- POST /api/auth/logout gets a session of its own for each request, so that ending it
  is tested without ending the session everything else runs in;
- POST /api/auth/change-password runs as a second account (FUZZ_PW_USERNAME): the
  fuzzer's wrong current passwords lock that account (429, documented), never the
  main one. Renewed through refresh tokens, which are not throttled.

When a request made with the main session answers 401 (something the fuzzer did
ended that session: that is allowed behaviour), the next request logs in again and
the event is reported on stderr.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import sys
import threading
import time
from urllib.parse import urlsplit

import schemathesis

BASE = urlsplit(os.environ["FUZZ_BASE_URL"])
SOURCE_IP = os.environ.get("FUZZ_TOKEN_SOURCE_IP", "127.0.0.2")
LOGOUT = ("POST", "/api/auth/logout")
CHANGE_PASSWORD = ("POST", "/api/auth/change-password")
# Renew well before the 15-minute access token expires.
RENEW_AFTER_S = 300

STATS = {"main-relogins": 0, "logout-sessions": 0}


def _post(path: str, body: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30, source_address=(SOURCE_IP, 0))
    try:
        conn.request("POST", path, body=json.dumps(body), headers={"content-type": "application/json"})
        res = conn.getresponse()
        raw = res.read()
        try:
            return res.status, json.loads(raw)
        except ValueError:
            return res.status, {"raw": raw[:200].decode(errors="replace")}
    finally:
        conn.close()


def log_in(username: str, password: str) -> dict:
    status, body = _post("/api/auth/login", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"the fuzzer could not log in as {username}: {status} {body}")
    if body.get("mustChangePassword"):
        raise RuntimeError(f"{username} must change its password; bootstrap it with a password")
    return body


class Session:
    """One login session, renewed through its refresh token."""

    def __init__(self, username: str, password: str, *, lenient: bool) -> None:
        self.username = username
        self.password = password
        # Lenient: when the session cannot be renewed, keep answering the old token
        # (its requests then get a documented 401/429) instead of stopping the run.
        self.lenient = lenient
        self.lock = threading.Lock()
        self.access: str | None = None
        self.refresh: str | None = None
        self.since = 0.0

    def token(self) -> str:
        with self.lock:
            if self.access is None or time.monotonic() - self.since > RENEW_AFTER_S:
                self._renew()
            assert self.access is not None
            return self.access

    def ended(self, token: str) -> bool:
        """Forget the session when `token` is its current one; true when it was."""
        with self.lock:
            if token != self.access:
                return False
            self.access = None
            self.refresh = None
            return True

    def _renew(self) -> None:
        if self.refresh:
            status, body = _post("/api/auth/refresh", {"refreshToken": self.refresh})
            if status == 200:
                self._keep(body)
                return
        try:
            self._keep(log_in(self.username, self.password))
        except RuntimeError as e:
            if not (self.lenient and self.access):
                raise
            print(f"fuzz auth: {e}; keeping the old token", file=sys.stderr)
            self.since = time.monotonic()

    def _keep(self, body: dict) -> None:
        self.access = body["accessToken"]
        self.refresh = body["refreshToken"]
        self.since = time.monotonic()


MAIN = Session(os.environ["FUZZ_USERNAME"], os.environ["FUZZ_PASSWORD"], lenient=False)
PW = Session(os.environ["FUZZ_PW_USERNAME"], os.environ["FUZZ_PW_PASSWORD"], lenient=True)


def _key(case) -> tuple[str, str]:
    return case.operation.method.upper(), case.operation.path


def _is_public(case) -> bool:
    """Operations documented with `security: [{}]` (login, refresh, health…) take no token."""
    security = case.operation.definition.raw.get("security")
    return security is not None and any(not requirement for requirement in security)


@schemathesis.auth(refresh_interval=None, retry_on=[])
class ClienteleAuth:
    def get(self, case, ctx):
        key = _key(case)
        if key == LOGOUT:
            STATS["logout-sessions"] += 1
            return log_in(MAIN.username, MAIN.password)["accessToken"]
        if key == CHANGE_PASSWORD:
            return PW.token()
        return MAIN.token()

    def set(self, case, data, ctx):
        if _is_public(case):
            return
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def after_call(context, case, response):
    if response.status_code != 401 or _key(case) == LOGOUT or _is_public(case):
        return
    sent = (case.headers or {}).get("Authorization", "")
    if sent.startswith("Bearer ") and MAIN.ended(sent[len("Bearer ") :]):
        STATS["main-relogins"] += 1
        print(
            f"fuzz auth: {case.operation.method.upper()} {case.operation.path} answered 401 to the main "
            f"session ({response.text[:120]!r}); logging in again",
            file=sys.stderr,
        )


@atexit.register
def _report() -> None:
    print(
        f"fuzz auth: {STATS['logout-sessions']} sessions logged out by the fuzzer, "
        f"{STATS['main-relogins']} re-logins of the main session",
        file=sys.stderr,
    )
