"""A real JupyterHub on this machine, 20 students at once (issue 21; `make test-hub`, CI).

JupyterHub 6.1.1 with configurable-http-proxy 5.3.0 and its local-process spawner, all from
.venv-hub (made by `make test-hub` from hub/requirements.txt). Each student is a system user of
their own (useradd; the test runs as root, as CI does) with a home the others cannot read, and a
password PAM checks. Every student logs in through the hub's REST API (a token for username and
password), starts a server, receives the course through the nbgitpuller link (a release made by
`rnnlab release`, served by `git daemon` on loopback), and runs chapter 01 in their own kernel,
all at the same time. Measured and written to _build/hub/measurements.json: login to first
output, memory per student (PSS from /proc/PID/smaps_rollup), the hub's API latency under load,
a server killed mid-run (re-login, edits intact), idle servers culled by jupyterhub-idle-culler.

Bounds: every HTTP request has a timeout, every wait loop a deadline and a count; all traffic is
on 127.0.0.1; at the end every process the test started (the hub, the proxy, the daemon, each
student's server and kernel, found by the students' uids) is stopped by its id, and the users
and their homes are removed. Skipped unless pytest runs with --hub.
"""

import asyncio
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from rnnlab.tooling import release
from rnnlab.tooling.outline import ROOT

pytestmark = pytest.mark.hub

VENV = ROOT / ".venv-hub"
CHP = VENV / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENTS = 20
PREFIX = "rnnlabhub"  # the test's users: rnnlabhub01 ... rnnlabhub20
CHAPTER = "01_rnn_cell.ipynb"
COURSE = "rnnlab-course"  # where the nbgitpuller link puts the course in each home
RESULTS = ROOT / "_build" / "hub" / "measurements.json"
CULL_TIMEOUT = 20  # seconds idle before jupyterhub-idle-culler stops a server (the test's value)
LOAD_DEADLINE = 420  # seconds for all students to log in, pull and run the chapter
REQUEST_TIMEOUT = 120
MAX_RECONNECTS = 3  # a student's kernel socket may close under load; JupyterLab reconnects


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _uid_processes(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids


def _smaps(pid: int) -> dict[str, int]:
    """kB figures of /proc/PID/smaps_rollup (Rss, Pss, Shared_*, Private_*)."""
    figures = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        figures[key] = int(value.split()[0])
    return figures


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _stop(pids: list[int], grace: float = 5.0) -> None:
    """SIGTERM each pid, then SIGKILL what is left after ``grace`` seconds."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --------------------------------------------------------------------------- the machine's parts
@pytest.fixture(scope="module")
def students():
    """20 system users with private homes and random passwords; removed at the end."""
    if os.geteuid() != 0:
        pytest.fail("the hub test creates system users: run it as root (CI does)")
    for tool in ("useradd", "userdel", "chpasswd", "git"):
        assert shutil.which(tool), f"{tool} is missing"
    names = [f"{PREFIX}{k:02d}" for k in range(1, STUDENTS + 1)]
    for name in names:  # a run that was killed may have left its users behind
        if subprocess.run(["id", name], capture_output=True).returncode == 0:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
    passwords = {name: secrets.token_urlsafe(12) for name in names}
    try:
        for name in names:
            subprocess.run(
                ["useradd", "--create-home", "--shell", "/bin/bash", name],
                check=True, capture_output=True,
            )  # fmt: skip
            os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        chpasswd = "".join(f"{n}:{p}\n" for n, p in passwords.items())
        subprocess.run(["chpasswd"], input=chpasswd, text=True, check=True)
        yield passwords
    finally:
        uids = set()
        for name in names:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                continue
        _stop(_uid_processes(uids))
        for name in names:
            subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture(scope="module")
def shared_dir():
    """A folder every student can read: the release repository and the git daemon's root."""
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-hub-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def course_link(shared_dir):
    """The course released for nbgitpuller (chapters 01-03), served by git daemon on loopback."""
    repo = shared_dir / "release"
    release.release(repo, "01-03")
    port = _free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={shared_dir}", "--max-connections=40", str(shared_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"git://127.0.0.1:{port}/release"
        for _ in range(50):
            if subprocess.run(["git", "ls-remote", url], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        else:
            pytest.fail("git daemon did not answer")
        yield url
    finally:
        _stop([daemon.pid])


HUB_CONFIG = """
# JupyterHub for the test: everything on 127.0.0.1, a local-process spawner per system user.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set({students!r})
c.Authenticator.admin_users = set()
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
# Twenty servers on one machine start their kernels at once: over TCP, a port one kernel picked
# can be taken by another before it binds (seen: "Address already in use", five restarts, the
# kernel removed). Kernels talk to their server over Unix sockets instead, as on one host they
# may (each Zero to JupyterHub pod has its own network, so this is the test's setting only).
c.Spawner.args = ["--KernelManager.transport=ipc"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.poll_interval = 2
c.Spawner.environment = {{
    "PATH": {path!r},
    "OMP_NUM_THREADS": "1",
    "JUPYTERHUB_ACTIVITY_INTERVAL": "5",
}}
c.JupyterHub.last_activity_interval = 5
c.JupyterHub.services = [{{"name": "loadtest", "api_token": {admin_token!r}}},
                         {{"name": "idle-culler", "api_token": {culler_token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "loadtest", "services": ["loadtest"],
      "scopes": ["admin:users", "admin:servers", "read:users"]}},
    {{"name": "idle-culler", "services": ["idle-culler"],
      "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}},
]
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.pid_file = {pid_file!r}
"""


@pytest.fixture(scope="module")
def hub(students):
    """A running JupyterHub: yields its URL and the admin (service) token; stopped at the end.

    Its folder (database, cookie secret, log) is a temporary folder of its own, not pytest's
    (which another pytest run on the machine may clean up); the log is kept beside the
    measurements."""
    for path in (VENV / "bin" / "python", CHP):
        assert path.exists(), f"{path} is missing: make test-hub installs .venv-hub first"
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-hub-state-"))
    ports = {k: _free_port() for k in ("port", "hub_port", "proxy_api")}
    tokens = {"admin_token": secrets.token_hex(16), "culler_token": secrets.token_hex(16)}
    config = folder / "jupyterhub_config.py"
    config.write_text(
        HUB_CONFIG.format(
            **ports, **tokens, chp=str(CHP), students=sorted(students),
            python=str(VENV / "bin" / "python"), path=f"{VENV / 'bin'}:/usr/bin:/bin",
            db=folder / "jupyterhub.sqlite", cookie=str(folder / "cookie_secret"),
            pid_file=str(folder / "jupyterhub.pid"),
        )
    )  # fmt: skip
    log = (folder / "hub.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))}
    env["PATH"] = f"{VENV / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    process = subprocess.Popen(
        [VENV / "bin" / "jupyterhub", "-f", config], cwd=folder, stdout=log,
        stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{ports['port']}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (folder / "hub.log").read_text()[-3000:]
            try:  # the proxy listens before the hub behind it answers: ask the hub's API
                with urllib.request.urlopen(url + "/hub/api", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the hub did not answer in 60 s:\n" + (folder / "hub.log").read_text())
        yield {"url": url, "log": folder / "hub.log", "process": process, **tokens}
    finally:
        process.send_signal(signal.SIGTERM)  # the hub stops its proxy and the servers it spawned
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        leftover = [
            p for p in _uid_processes({0}) if "configurable-http-proxy" in _cmdline(p)
            and str(ports["proxy_api"]) in _cmdline(p)
        ]  # fmt: skip
        _stop(leftover)
        log.close()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / "hub.log", RESULTS.parent / "hub.log")
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- a student, in code
class Student:
    """One student's session: login through the REST API, the link, chapter 01 in a kernel."""

    def __init__(self, hub_url, name, password, link):
        from tornado.httpclient import AsyncHTTPClient

        self.url, self.name, self.password, self.link = hub_url, name, password, link
        self.http = AsyncHTTPClient(force_instance=True, max_clients=4)
        self.token = None
        self.times = {}

    async def request(self, method, path, body=None, token=True, timeout=REQUEST_TIMEOUT):
        from tornado.httpclient import HTTPClientError

        headers = {"Authorization": f"token {self.token}"} if token and self.token else {}
        try:
            response = await self.http.fetch(
                self.url + path, method=method, headers=headers, raise_error=True,
                body=None if body is None else json.dumps(body),
                allow_nonstandard_methods=True, request_timeout=timeout, follow_redirects=False,
            )  # fmt: skip
        except HTTPClientError as err:
            if err.response is None:
                raise
            return err.code, err.response.body
        return response.code, response.body

    async def login(self):
        code, body = await self.request(
            "POST", f"/hub/api/users/{self.name}/tokens",
            {"auth": {"username": self.name, "password": self.password}, "note": "load test"},
            token=False,
        )  # fmt: skip
        assert code == 201, (code, body[:300])
        self.token = json.loads(body)["token"]

    async def start_server(self, deadline):
        """Ask the hub for the server, then poll (twice a second) until it is ready."""
        while True:
            code, body = await self.request("POST", f"/hub/api/users/{self.name}/server")
            if code in (201, 202):
                break
            # 400: the hub still thinks a killed server runs; it finds out within poll_interval
            assert code == 400, (code, body[:300])
            assert time.monotonic() < deadline, f"{self.name}: no server in time"
            await asyncio.sleep(1)
        while time.monotonic() < deadline:
            code, body = await self.request("GET", f"/hub/api/users/{self.name}")
            server = json.loads(body).get("servers", {}).get("")
            if code == 200 and server and server.get("ready"):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"{self.name}: the server was not ready in time")

    async def pull(self):
        """Click the nbgitpuller link (its event-stream API) and wait for it to finish."""
        query = f"repo={quote(self.link, safe='')}&branch=main&targetpath={COURSE}"
        code, body = await self.request("GET", f"/user/{self.name}/git-pull/api?{query}")
        events = [
            json.loads(line[6:]) for line in body.decode().splitlines() if line[:6] == "data: "
        ]
        assert code == 200, body[-500:]
        assert events, body[-500:]
        assert events[-1].get("phase") == "finished", body[-500:]

    async def contents(self, path, model=None):
        api = f"/user/{self.name}/api/contents/{COURSE}/{path}"
        if model is None:
            code, body = await self.request("GET", api + "?content=1")
            assert code == 200, (code, body[:300])
            return json.loads(body)["content"]
        code, body = await self.request("PUT", api, {"type": "notebook", "content": model})
        assert code in (200, 201), (code, body[:300])

    async def run_chapter(self, started, stop_after=None):
        """Run every code cell of chapter 01 in a kernel of the student's own, as Run All does.

        Returns the code cells' replies; records the first output's time since ``started``.
        ``stop_after``: an asyncio.Event set after that many cells (the kill scenario).
        """
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import WebSocketClosedError, websocket_connect

        nb = await self.contents(CHAPTER)
        code, body = await self.request(
            "POST", f"/user/{self.name}/api/sessions",
            {"path": f"{COURSE}/{CHAPTER}", "type": "notebook", "name": CHAPTER,
             "kernel": {"name": "python3"}},
        )  # fmt: skip
        assert code == 201, (code, body[:300])
        kernel, session = json.loads(body)["kernel"]["id"], uuid.uuid4().hex
        ws_url = self.url.replace("http", "ws", 1)
        ws_url += f"/user/{self.name}/api/kernels/{kernel}/channels?session_id={session}"
        request = HTTPRequest(
            ws_url, headers={"Authorization": f"token {self.token}"},
            request_timeout=REQUEST_TIMEOUT,
        )  # fmt: skip
        socket_, replies = None, []
        self.times["reconnects"] = -1  # the first connection is not a reconnection
        try:
            cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for n, cell in enumerate(cells):
                msg_id, heard = uuid.uuid4().hex, False
                header = {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                          "username": self.name, "version": "5.3", "date": ""}  # fmt: skip
                content = {"code": cell["source"], "silent": False, "store_history": True,
                           "user_expressions": {}, "allow_stdin": False,
                           "stop_on_error": False}  # fmt: skip
                message = json.dumps({"header": header, "parent_header": {}, "metadata": {},
                                      "content": content, "channel": "shell",
                                      "buffers": []})  # fmt: skip
                sent = False
                while True:
                    # JupyterLab reconnects a closed kernel socket (same session: the server
                    # replays what it buffered meanwhile); so does this client, at most 3 times.
                    if socket_ is None:
                        if self.times["reconnects"] >= MAX_RECONNECTS:
                            raise AssertionError(f"{self.name}: the kernel's socket kept closing")
                        self.times["reconnects"] += 1
                        socket_ = await websocket_connect(request)
                    try:
                        if not sent:
                            await socket_.write_message(message)
                            sent = True
                        raw = await asyncio.wait_for(socket_.read_message(), REQUEST_TIMEOUT)
                    except WebSocketClosedError:
                        raw = None
                    if raw is None:  # closed: reconnect, and send again if the kernel never began
                        socket_, sent = None, heard
                        continue
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    heard = True
                    kind = msg["header"]["msg_type"]
                    if kind in ("stream", "display_data", "execute_result"):
                        self.times.setdefault("first_output", time.monotonic() - started)
                    if kind == "execute_reply":
                        tags = cell.get("metadata", {}).get("tags", [])
                        replies.append((msg["content"]["status"], "raises-exception" in tags))
                        break
                if stop_after is not None and n + 1 == stop_after[0]:
                    stop_after[1].set()
        finally:
            if socket_ is not None:
                socket_.close()
        return replies

    async def session(self, deadline):
        started = time.monotonic()
        await self.login()
        self.times["login"] = time.monotonic() - started
        await self.start_server(deadline)
        self.times["server_ready"] = time.monotonic() - started
        await self.pull()
        self.times["course_pulled"] = time.monotonic() - started
        replies = await self.run_chapter(started)
        self.times["chapter_done"] = time.monotonic() - started
        return replies


async def _api_latency(hub, stop, samples):
    """The hub's REST API under load: GET /hub/api/users every 0.5 s (at most 2,000 calls)."""
    from tornado.httpclient import AsyncHTTPClient

    http = AsyncHTTPClient(force_instance=True)
    headers = {"Authorization": f"token {hub['admin_token']}"}
    while not stop.is_set() and len(samples) < 2000:
        t = time.monotonic()
        response = await http.fetch(
            hub["url"] + "/hub/api/users", headers=headers, request_timeout=30
        )
        assert response.code == 200
        samples.append(time.monotonic() - t)
        await asyncio.sleep(0.5)


def _memory(names) -> dict:
    """Per student: PSS, RSS, shared and private kB of their processes (server and kernel)."""
    per_student = {}
    for name in names:
        uid = pwd.getpwnam(name).pw_uid
        total = {"Rss": 0, "Pss": 0, "Shared": 0, "Private": 0, "processes": 0, "cpu_s": 0.0}
        for pid in _uid_processes({uid}):
            try:
                figures = _smaps(pid)
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError):
                continue
            # utime + stime (fields 14 and 15 of /proc/PID/stat), in clock ticks
            total["cpu_s"] += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            total["Rss"] += figures["Rss"]
            total["Pss"] += figures["Pss"]
            total["Shared"] += figures["Shared_Clean"] + figures["Shared_Dirty"]
            total["Private"] += figures["Private_Clean"] + figures["Private_Dirty"]
            total["processes"] += 1
        per_student[name] = total
    return per_student


def _mib(kb):
    return round(kb / 1024, 1)


# --------------------------------------------------------------------------- the tests
def test_homes_are_private(students):
    """A student cannot list or read another's home, on the file system."""
    alice, bob = sorted(students)[:2]
    secret = Path(pwd.getpwnam(bob).pw_dir) / "secret.txt"
    secret.write_text("bob's answer")
    bob_ids = pwd.getpwnam(bob)
    os.chown(secret, bob_ids.pw_uid, bob_ids.pw_gid)
    for command in (["cat", str(secret)], ["ls", str(secret.parent)]):
        done = subprocess.run(
            ["setpriv", f"--reuid={alice}", f"--regid={pwd.getpwnam(alice).pw_gid}",
             "--init-groups", *command],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert done.returncode != 0
        assert "Permission denied" in done.stderr
    mine = subprocess.run(
        ["setpriv", f"--reuid={bob}", f"--regid={bob_ids.pw_gid}", "--init-groups", "cat",
         str(secret)], capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert mine.stdout == "bob's answer"
    assert Path(bob_ids.pw_dir).stat().st_mode & 0o077 == 0


def test_twenty_students_at_once(hub, students, course_link):
    names = sorted(students)
    results = asyncio.run(_class_session(hub, students, course_link))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results["summary"], indent=1))
    summary = results["summary"]
    assert summary["students_done"] == STUDENTS
    # Every cell ran: the only errors are the solution stubs (tagged raises-exception).
    for name, replies in results["replies"].items():
        unexpected = [
            k for k, (status, expected) in enumerate(replies) if (status == "ok") == expected
        ]
        assert unexpected == [], f"{name}: cells {unexpected} ended otherwise than expected"
    assert summary["killed"]["edit_intact_after_relogin"]
    assert summary["killed"]["edit_intact_after_second_pull"]
    assert summary["culled"]["servers_left"] == 0, summary["culled"]
    assert summary["another_students_server_answers"] in (302, 403, 404)
    assert len(names) == STUDENTS


async def _class_session(hub, students, link):
    names = sorted(students)
    victim = names[0]
    deadline = time.monotonic() + LOAD_DEADLINE
    people = {n: Student(hub["url"], n, students[n], link) for n in names}

    # A student's server cannot be reached with another student's token.
    await people[names[1]].login()
    code, _ = await people[names[1]].request("GET", f"/hub/api/users/{names[2]}")
    assert code == 403 or code == 404

    stop, latency = asyncio.Event(), []
    sampler = asyncio.create_task(_api_latency(hub, stop, latency))
    idle_latency = []
    tasks = {n: asyncio.create_task(asyncio.wait_for(p.session(deadline), LOAD_DEADLINE))
             for n, p in people.items() if n != victim}  # fmt: skip
    killed = await _victim(hub, people[victim], deadline)
    replies = {}
    for name, task in tasks.items():
        replies[name] = await task
    replies[victim] = killed.pop("replies")
    stop.set()
    await sampler
    # Nor can one student's token open another's files through the hub's proxy.
    code, _ = await people[names[1]].request("GET", f"/user/{names[2]}/api/contents/{COURSE}")
    foreign_server = code
    memory = _memory(names)
    culled = await _cull(hub, names)
    # The hub's API once the class is gone: the idle baseline.
    idle_stop = asyncio.Event()
    baseline = asyncio.create_task(_api_latency(hub, idle_stop, idle_latency))
    await asyncio.sleep(5)
    idle_stop.set()
    await baseline

    first = [p.times["first_output"] for n, p in people.items() if n != victim]
    ready = [p.times["server_ready"] for n, p in people.items() if n != victim]
    done = [p.times["chapter_done"] for n, p in people.items() if n != victim]
    pss = [m["Pss"] for m in memory.values()]
    summary = {
        "students": STUDENTS,
        "students_done": len(replies),
        "cores": os.cpu_count(),
        "login_to_first_output_s": {
            "median": round(statistics.median(first), 1),
            "p95": round(_percentile(first, 0.95), 1),
            "max": round(max(first), 1),
        },  # fmt: skip
        "login_to_server_ready_s": {
            "median": round(statistics.median(ready), 1),
            "p95": round(_percentile(ready, 0.95), 1),
        },  # fmt: skip
        "login_to_chapter_done_s": {
            "median": round(statistics.median(done), 1),
            "p95": round(_percentile(done, 0.95), 1),
        },  # fmt: skip
        "memory_per_student_mib": {
            "pss_median": _mib(statistics.median(pss)),
            "pss_max": _mib(max(pss)),
            "rss_median": _mib(statistics.median(m["Rss"] for m in memory.values())),
            "private_median": _mib(statistics.median(m["Private"] for m in memory.values())),
            "shared_median": _mib(statistics.median(m["Shared"] for m in memory.values())),
            "pss_all_students": _mib(sum(pss)),
            "processes_per_student": statistics.median(m["processes"] for m in memory.values()),
        },  # fmt: skip
        "cpu_seconds_per_student": {  # server and kernel, from login to chapter 01 done
            "median": round(statistics.median(m["cpu_s"] for m in memory.values()), 1),
            "max": round(max(m["cpu_s"] for m in memory.values()), 1),
        },  # fmt: skip
        "hub_and_proxy_pss_mib": _mib(_hub_pss(hub)),
        "hub_api_latency_ms_under_load": {
            "calls": len(latency),
            "median": round(1000 * statistics.median(latency)),
            "p95": round(1000 * _percentile(latency, 0.95)),
            "max": round(1000 * max(latency)),
        },  # fmt: skip
        "hub_api_latency_ms_idle": {
            "calls": len(idle_latency),
            "median": round(1000 * statistics.median(idle_latency)),
        },  # fmt: skip
        "kernel_socket_reconnects": {
            n: p.times.get("reconnects", 0) for n, p in people.items() if p.times.get("reconnects")
        },
        "killed": killed,
        "culled": culled,
        "another_students_server_answers": foreign_server,
    }
    return {
        "summary": summary,
        "times": {n: p.times for n, p in people.items()},
        "memory_kib": memory,
        "replies": replies,
    }


def _hub_pss(hub) -> int:
    pids = [hub["process"].pid] + [
        p for p in _uid_processes({0}) if "configurable-http-proxy" in _cmdline(p)
    ]
    return sum(_smaps(p)["Pss"] for p in pids if Path(f"/proc/{p}").exists())


async def _victim(hub, student, deadline):
    """The student whose server is killed mid-run: edits, kill, re-login, edits intact."""
    started = time.monotonic()
    await student.login()
    await student.start_server(deadline)
    await student.pull()
    # The student's edit: a note in chapter 03, saved through the server (as JupyterLab does).
    nb = await student.contents("03_batch_first.ipynb")
    nb["cells"].append(nbformat.v4.new_markdown_cell("my notes: h_n is (D*num_layers, N, H)"))
    nb["cells"][-1].pop("id", None)
    await student.contents("03_batch_first.ipynb", nb)
    halfway = (3, asyncio.Event())
    run = asyncio.create_task(student.run_chapter(started, stop_after=halfway))
    await asyncio.wait_for(halfway[1].wait(), LOAD_DEADLINE)
    uid = pwd.getpwnam(student.name).pw_uid
    servers = [p for p in _uid_processes({uid}) if "jupyterhub.singleuser" in _cmdline(p)]
    kernels = [p for p in _uid_processes({uid}) if "ipykernel" in _cmdline(p)]
    assert len(servers) == 1, servers
    killed_at = time.monotonic()
    os.kill(servers[0], signal.SIGKILL)
    try:
        await run
        interrupted = False
    except Exception:  # noqa: BLE001 - whatever the dead server's socket raises
        interrupted = True
    # The orphaned kernel notices its parent is gone and exits (ipykernel's parent poller).
    for _ in range(40):
        if not any(Path(f"/proc/{k}").exists() for k in kernels):
            break
        await asyncio.sleep(0.5)
    orphan_left = [k for k in kernels if Path(f"/proc/{k}").exists()]
    _stop(orphan_left)
    # Re-login, as a student would after the error page: a new token, the server again.
    student.token = None
    await student.login()
    await student.start_server(time.monotonic() + 180)
    back = time.monotonic() - killed_at
    after = await student.contents("03_batch_first.ipynb")
    intact = after["cells"][-1]["source"].startswith("my notes")
    await student.pull()  # clicks the link again: the edit must survive the pull too
    again = await student.contents("03_batch_first.ipynb")
    intact_after_pull = again["cells"][-1]["source"].startswith("my notes")
    replies = await student.run_chapter(time.monotonic())
    return {
        "replies": replies,
        "run_interrupted": interrupted,
        "orphaned_kernel_exited_by_itself": not orphan_left,
        "kill_to_server_ready_again_s": round(back, 1),
        "edit_intact_after_relogin": intact,
        "edit_intact_after_second_pull": intact_after_pull,
    }


async def _cull(hub, names):
    """jupyterhub-idle-culler 2.0.0 stops the idle servers: how long after the class went quiet."""
    from tornado.httpclient import AsyncHTTPClient

    env = {**os.environ, "JUPYTERHUB_API_TOKEN": hub["culler_token"]}
    env.pop("PYTHONPATH", None)
    quiet = time.monotonic()
    culler = await asyncio.create_subprocess_exec(
        str(VENV / "bin" / "python"), "-m", "jupyterhub_idle_culler",
        f"--url={hub['url']}/hub/api", f"--timeout={CULL_TIMEOUT}", "--cull-every=5",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=env,
    )  # fmt: skip
    http = AsyncHTTPClient(force_instance=True)
    headers = {"Authorization": f"token {hub['admin_token']}"}
    running = names
    try:
        for _ in range(60):  # at most 2 minutes
            response = await http.fetch(
                hub["url"] + "/hub/api/users", headers=headers, request_timeout=30
            )
            users = json.loads(response.body)
            running = [u["name"] for u in users if u["name"] in names and u.get("servers")]
            if not running:
                break
            await asyncio.sleep(2)
    finally:
        culler.terminate()
        await culler.wait()
    return {
        "timeout_s": CULL_TIMEOUT,
        "all_culled_after_s": round(time.monotonic() - quiet, 1),
        "servers_left": len(running),
    }
