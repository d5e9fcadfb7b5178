#!/usr/bin/python3
"""Integration tests of `rubric serve` over real HTTP on loopback (ctest `service_serve`).

    /usr/bin/python3 tests/service/serve_tests.py BUILD/rubric REPO

Starts the service on a free port (`--port 0`; the port is read from its log), sends requests
and checks every answer. Expected outcomes come from the hand-written case files of the seed's
records (guidelines/vertebral-fracture-grade1/records/*.yaml, written from the contract before
any reader existed) and from the CDS Hooks 2.0 specification, never from Rubric's output.
Every server is stopped by the test (SIGTERM, then SIGKILL after 10 s).
"""
import glob
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import yaml

RUBRIC, REPO = sys.argv[1], sys.argv[2]
SEED = os.path.join(REPO, "guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric")
RECORDS = os.path.join(REPO, "guidelines/vertebral-fracture-grade1/records")
SERVICE = "/cds-services/vertebral-fracture-grade1"
JSON = {"Content-Type": "application/json"}

failures = []
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        failures.append(what)
        print("FAIL:", what, flush=True)


class Server:
    def __init__(self, *args, rule_file=SEED):
        self.process = subprocess.Popen([RUBRIC, "serve", rule_file, "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log = []
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.log.append(line)
            match = re.search(r"listening on https?://[^ ]*:(\d+) ", line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            self.process.kill()
            raise SystemExit("rubric serve did not start: " + "".join(self.log))
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.append(line)

    def request(self, method, path, body=None, headers=None, timeout=20):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data

    def call(self, payload, path=SERVICE):
        status, headers, data = self.request("POST", path, payload, JSON)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {"unparsed": data.decode("utf-8", "replace")}

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = None
        self.reader.join(timeout=5)
        return code


def prefetch_request(bundle, hook_instance="2b5e3c5e-6f0a-4a39-9d8e-4b6c1d7e8f90"):
    resources = [entry["resource"] for entry in bundle["entry"]]
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    patient = patients[0]

    def search(kind):
        return {"resourceType": "Bundle", "type": "searchset",
                "entry": [{"resource": r, "search": {"mode": "match"}}
                          for r in resources if r.get("resourceType") == kind]}

    return {"hook": "patient-view", "hookInstance": hook_instance,
            "context": {"userId": "Practitioner/example", "patientId": patient["id"]},
            "prefetch": {"patient": patient, "conditions": search("Condition"),
                         "observations": search("Observation")}}


def outcomes(answer):
    recommended = sorted(c["extension"]["rubric"]["id"] for c in answer["cards"]
                         if c["extension"]["rubric"]["outcome"] == "recommended")
    undetermined = {}
    for card in answer["cards"]:
        if card["extension"]["rubric"]["outcome"] == "undetermined":
            for item in card["extension"]["rubric"]["undetermined"]:
                undetermined[item["id"]] = sorted(item["missing"])
    warnings = [(c["extension"]["rubric"]["fact"], c["extension"]["rubric"]["resource"])
                for c in answer["cards"] if c["extension"]["rubric"]["outcome"] == "invalid-data"]
    return recommended, undetermined, warnings


def check_card_shapes(answer, where):
    """CDS Hooks 2.0 card rules and the issue's extension shapes, for every card."""
    information_cards = 0
    for card in answer.get("cards", []):
        summary = card.get("summary", "")
        check(isinstance(summary, str) and 0 < len(summary) <= 140,
              f"{where}: summary of at most 140 characters: {summary!r}")
        check(card.get("indicator") in ("info", "warning", "critical"),
              f"{where}: indicator {card.get('indicator')!r}")
        check(isinstance(card.get("source", {}).get("label"), str),
              f"{where}: source.label")
        check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                           card.get("uuid", "")) is not None, f"{where}: uuid {card.get('uuid')}")
        rubric = card.get("extension", {}).get("rubric", {})
        if rubric.get("outcome") == "recommended":
            check(set(rubric) == {"id", "outcome"}, f"{where}: recommended extension {rubric}")
            check(card["source"].get("topic", {}).get("code") == rubric["id"],
                  f"{where}: topic names the recommendation")
        elif rubric.get("outcome") == "undetermined":
            information_cards += 1
            check(set(rubric) == {"outcome", "undetermined"}, f"{where}: undetermined extension")
            check(card["indicator"] == "info", f"{where}: information card is info")
        else:
            check(rubric.get("outcome") == "invalid-data" and card["indicator"] == "warning",
                  f"{where}: a data card is a warning: {card}")
    check(information_cards <= 1, f"{where}: at most one information-needed card")


def test_discovery(server):
    status, headers, data = server.request("GET", "/cds-services")
    check(status == 200 and headers.get("Content-Type") == "application/json", "discovery: 200 JSON")
    services = json.loads(data)["services"]
    check(len(services) == 1, "discovery: one service")
    service = services[0]
    check(service["id"] == "vertebral-fracture-grade1", "discovery: id is the guideline's")
    check(service["hook"] == "patient-view", "discovery: patient-view")
    check(service["title"].startswith("Treatment of Grade 1"), "discovery: title")
    check(set(service["prefetch"]) == {"patient", "conditions", "observations"},
          f"discovery: prefetch keys {sorted(service['prefetch'])}")
    check(service["prefetch"]["patient"] == "Patient/{{context.patientId}}", "discovery: patient")
    conditions = service["prefetch"]["conditions"]
    check(conditions.startswith("Condition?patient={{context.patientId}}&code="),
          f"discovery: conditions template {conditions}")
    # FHIR-BINDING.md: the pain score is LOINC 72514-3; the cord compression condition is coded
    # in the seed's code system.
    check("http://loinc.org|72514-3" in service["prefetch"]["observations"],
          "discovery: observations include LOINC 72514-3")
    check("http://example.org/fhir/CodeSystem/vertebral-fracture|cord-compression" in conditions,
          "discovery: conditions include cord-compression")


def test_records(server, as_of):
    tried = 0
    for case_path in sorted(glob.glob(os.path.join(RECORDS, "*.yaml"))):
        with open(case_path) as f:
            case = yaml.safe_load(f)
        if str(case["as_of"]) != as_of:
            continue
        with open(os.path.join(RECORDS, case["record"])) as f:
            bundle = json.load(f)
        name = os.path.basename(case_path)
        expect = case["expect"]
        status, answer = server.call(prefetch_request(bundle))
        tried += 1
        if "error" in expect and "resource" not in expect:
            check(status == 400, f"{name}: a record the reader rejects is 400, got {status}")
            continue
        check(status == 200, f"{name}: 200, got {status} {answer}")
        if status != 200:
            continue
        check_card_shapes(answer, name)
        recommended, undetermined, warnings = outcomes(answer)
        if "error" in expect:
            check((expect["error"], expect["resource"]) in warnings,
                  f"{name}: a warning card names {expect['error']} from {expect['resource']}; "
                  f"got {warnings}")
            continue
        check(warnings == [], f"{name}: no warning cards, got {warnings}")
        check(recommended == sorted(expect["recommendations"]),
              f"{name}: recommended {recommended} != {sorted(expect['recommendations'])}")
        expected_undetermined = {k: sorted(v) for k, v in (expect.get("undetermined") or {}).items()}
        check(undetermined == expected_undetermined,
              f"{name}: undetermined {undetermined} != {expected_undetermined}")
    return tried


def test_seed_example(server):
    # The seed's example record (shared/seed/fhir), kept among the records.
    with open(os.path.join(RECORDS, "seed-example-new-fracture-elderly.bundle.json")) as f:
        bundle = json.load(f)
    status, answer = server.call(prefetch_request(bundle))
    check(status == 200, f"seed example: 200, got {status}")
    check_card_shapes(answer, "seed example")
    cards = {c["extension"]["rubric"].get("id"): c for c in answer["cards"]}
    # DATA-DICTIONARY.md: caution and avoid recommendations are warnings by default, others info.
    # shared/seed/fhir/README.md: this record reads the facts of cases/new-fracture-elderly.yaml,
    # which recommends both.
    check("opioid_caution" in cards and "calcium" in cards, "seed example: the expected cards")
    if "opioid_caution" in cards:
        check(cards["opioid_caution"]["indicator"] == "warning", "opioid_caution is a warning")
    if "calcium" in cards:
        card = cards["calcium"]
        check(card["indicator"] == "info", "calcium is info")
        check(card["summary"] == "Prescribe at least 1000 mg elemental calcium daily.",
              f"calcium summary is its text: {card['summary']}")
        check("**Decided by**" in card["detail"] and "**Sources**" in card["detail"],
              "calcium detail has the deciding facts and the sources")
    # The same hook instance gives the same card ids; another gives others.
    status2, again = server.call(prefetch_request(bundle))
    check([c["uuid"] for c in again["cards"]] == [c["uuid"] for c in answer["cards"]],
          "card ids are stable for one hook instance")
    status3, other = server.call(prefetch_request(bundle, "0f0e0d0c-0b0a-4900-8800-000000000001"))
    check(not set(c["uuid"] for c in other["cards"]) & set(c["uuid"] for c in answer["cards"]),
          "another hook instance gets other card ids")
    return bundle, answer


def test_protocol_errors(server, bundle):
    good = prefetch_request(bundle)
    status, answer = server.call("{not json")
    check(status == 400 and "not valid JSON" in answer.get("error", ""), f"malformed JSON: {answer}")
    status, answer = server.call([1, 2])
    check(status == 400 and "not a JSON object" in answer.get("error", ""), f"JSON array: {answer}")
    status, answer = server.call(good, "/cds-services/no-such-service")
    check(status == 404, f"unknown service: {status}")
    status, _, _ = server.request("GET", SERVICE)
    check(status == 405, f"GET on a service: {status}")
    status, _, _ = server.request("POST", SERVICE, json.dumps(good), {"Content-Type": "text/plain"})
    check(status == 415, f"text/plain body: {status}")
    for field in ("hook", "hookInstance", "context"):
        broken = dict(good)
        del broken[field]
        status, answer = server.call(broken)
        check(status == 400 and f"`{field}`" in answer.get("error", ""), f"no {field}: {answer}")
    wrong_hook = dict(good, hook="medication-prescribe")
    status, answer = server.call(wrong_hook)
    check(status == 400 and "patient-view" in answer.get("error", ""), f"another hook: {answer}")
    # A prefetch key missing: 412 naming it.
    missing = json.loads(json.dumps(good))
    del missing["prefetch"]["observations"]
    status, answer = server.call(missing)
    check(status == 412 and answer.get("missing") == ["observations"], f"412: {answer}")
    no_prefetch = dict(good)
    del no_prefetch["prefetch"]
    status, answer = server.call(no_prefetch)
    check(status == 412 and sorted(answer.get("missing", [])) ==
          ["conditions", "observations", "patient"], f"no prefetch: {answer}")
    # null means "none found": no Observations at all leaves the observation facts absent.
    none_found = json.loads(json.dumps(good))
    none_found["prefetch"]["observations"] = None
    status, answer = server.call(none_found)
    check(status == 200, f"observations null: {status}")
    if status == 200:
        recommended, undetermined, _ = outcomes(answer)
        check(recommended == [] and "fracture_grade" in sum(undetermined.values(), []),
              f"observations null: everything waits on the grade: {recommended} {undetermined}")
    patient_null = json.loads(json.dumps(good))
    patient_null["prefetch"]["patient"] = None
    status, answer = server.call(patient_null)
    check(status == 400 and "no Patient" in answer.get("error", ""), f"patient null: {answer}")
    # Another patient's data is refused, never evaluated.
    other_patient = json.loads(json.dumps(good))
    other_patient["context"]["patientId"] = "someone-else"
    status, answer = server.call(other_patient)
    check(status == 400 and "not the context's patient" in answer.get("error", ""),
          f"another patient's Patient: {answer}")
    foreign = json.loads(json.dumps(good))
    foreign["prefetch"]["conditions"]["entry"][0]["resource"]["subject"] = {
        "reference": "Patient/someone-else"}
    status, answer = server.call(foreign)
    check(status == 400 and "Patient/someone-else" in answer.get("error", ""),
          f"a Condition of another patient: {answer}")
    # A resource that names no patient is refused too: it could be anyone's.
    anonymous = json.loads(json.dumps(good))
    del anonymous["prefetch"]["observations"]["entry"][0]["resource"]["subject"]
    status, answer = server.call(anonymous)
    check(status == 400 and "names no patient" in answer.get("error", ""),
          f"an Observation without a subject: {answer}")
    as_text = json.loads(json.dumps(good))
    as_text["prefetch"]["observations"]["entry"][0]["resource"]["subject"] = "Patient/someone-else"
    status, answer = server.call(as_text)
    check(status == 400 and "not the context's patient" in answer.get("error", ""),
          f"a subject written as text: {answer}")
    # The same resource under two keys counts once.
    twice = json.loads(json.dumps(good))
    twice["prefetch"]["conditions"]["entry"] += twice["prefetch"]["conditions"]["entry"]
    status, answer = server.call(twice)
    _, first = server.call(good)
    check(status == 200 and outcomes(answer) == outcomes(first), "duplicates count once")
    nested = "[" * 100000 + "]" * 100000
    status, answer = server.call(nested)
    check(status == 400 and "nested" in answer.get("error", ""), f"deep nesting: {answer}")
    status, _, _ = server.request("GET", "/nowhere")
    check(status == 404, "unknown path: 404")
    # A target that is not UTF-8 is still a clean 404, not a failure.
    status = raw_exchange(server.port, b"GET /cds-services/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n")
    check(status in (401, 404), f"a target that is not UTF-8: {status}")
    status, _, data = server.request("GET", "/health")
    check(status == 200 and json.loads(data) == {"status": "ok"}, "health")


def test_feedback(server):
    path = SERVICE + "/feedback"
    good = {"feedback": [{"card": "72f80640-c7e0-5d66-a108-07e8be7ce077", "outcome": "accepted",
                          "outcomeTimestamp": "2026-06-15T10:00:00Z"}]}
    status, answer = server.call(good, path)
    check(status == 200, f"feedback: {status} {answer}")
    status, answer = server.call({"feedback": [{"card": "x", "outcome": "maybe",
                                                "outcomeTimestamp": "2026"}]}, path)
    check(status == 400 and "`outcome`" in answer.get("error", ""), f"bad feedback: {answer}")
    status, answer = server.call({"cards": []}, path)
    check(status == 400, f"feedback without feedback: {status}")
    time.sleep(0.2)
    check(any("card 72f80640-c7e0-5d66-a108-07e8be7ce077 accepted" in line for line in server.log),
          "feedback is logged")


def raw_exchange(port, data, wait=0.0, timeout=20):
    """Sends raw bytes, optionally pausing before the last byte; returns the status (0: closed)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if wait:
            sock.sendall(data[:-1])
            time.sleep(wait)
            sock.sendall(data[-1:])
        else:
            sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except (BrokenPipeError, ConnectionResetError):
        return 0 if not answer else int(answer.split()[1])
    finally:
        sock.close()
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1") else 0


def test_limits(bundle):
    # A small body limit and read timeout so that the test stays fast.
    server = Server("--as-of", "2026-06-15", "--max-body", "65536", "--read-timeout", "1",
                    "--max-connections", "8")
    try:
        big = b"x" * (20 << 20)
        head = (f"POST {SERVICE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(big)}\r\n\r\n").encode()
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(head + big[:70000])
        answer = sock.recv(4096)
        sock.close()
        check(answer.startswith(b"HTTP/1.1 413"), f"20 MB body: 413, got {answer[:40]!r}")
        # A client that sends the whole 20 MB before it reads gets the 413 too: the service reads
        # and discards the rest instead of resetting the connection.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        try:
            connection.request("POST", SERVICE, body=big, headers=JSON)
            response = connection.getresponse()
            status, data = response.status, response.read()
        except OSError as problem:
            status, data = 0, str(problem).encode()
        connection.close()
        check(status == 413 and b"65536" in data,
              f"20 MB sent whole, then read: 413 naming the limit, got {status} {data[:80]!r}")
        # HEAD: the header of the GET's answer, without its body.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/health")
        get = connection.getresponse()
        get_body = get.read()
        connection.request("HEAD", "/health")
        head = connection.getresponse()
        head_body = head.read()
        check(head.status == 200 and head_body == b"" and
              head.getheader("Content-Length") == str(len(get_body)) and len(get_body) > 0,
              f"HEAD /health: 200, no body, the GET's length: {head.status} {head_body!r} "
              f"{head.getheader('Content-Length')}")
        connection.request("GET", "/health")
        again = connection.getresponse()
        check(again.status == 200 and again.read() == get_body, "the connection goes on after HEAD")
        connection.close()
        long_header = (f"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 40000}\r\n\r\n").encode()
        check(raw_exchange(server.port, long_header) == 431, "a 40 kB header: 431")
        garbage = b"\x16\x03\x01 not http at all\r\n\r\n"
        check(raw_exchange(server.port, garbage) in (400, 0), "bytes that are not HTTP: 400")
        # A slow client: one byte a second; the others are answered meanwhile, then it gets 408.
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow.sendall(b"POST ")
        started = time.time()
        served = 0
        for _ in range(5):
            status, _, _ = server.request("GET", "/health")
            served += status == 200
        try:
            slow.sendall(b"/")
            time.sleep(0.6)
            slow.sendall(b"c")
        except OSError:
            pass
        answer = b""
        try:
            answer = slow.recv(4096)
        except OSError:
            pass
        slow.close()
        check(served == 5, "others are served while a client dawdles")
        check(answer.startswith(b"HTTP/1.1 408"), f"slow client: 408, got {answer[:40]!r}")
        check(time.time() - started < 5, "the slow client is cut off after the read timeout")
        # Too many connections: the ninth gets 503 while eight idle ones are open.
        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(8)]
        time.sleep(0.2)
        extra = raw_exchange(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        check(extra == 503, f"over --max-connections: 503, got {extra}")
        for sock in idle:
            sock.close()
        time.sleep(1.5)
        status, _, _ = server.request("GET", "/health")
        check(status == 200, "served again once connections close")
        # Keep-alive: two requests on one connection.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/health")
        first = connection.getresponse().read()
        connection.request("POST", SERVICE, json.dumps(prefetch_request(bundle)), JSON)
        second = connection.getresponse()
        check(first and second.status == 200, "two requests on one connection")
        connection.close()
    finally:
        check(server.stop() == 0, "the limits server stops with 0")


def test_sigterm_in_flight(bundle):
    server = Server("--as-of", "2026-06-15")
    body = json.dumps(prefetch_request(bundle)).encode()
    head = (f"POST {SERVICE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head + body[: len(body) // 2])
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    sock.sendall(body[len(body) // 2:])
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    check(answer.startswith(b"HTTP/1.1 200"), f"the request in flight at SIGTERM is answered: "
                                              f"{answer[:60]!r}")
    check(b'"cards"' in answer, "with its cards")
    check(b"Connection: close" in answer or b"connection: close" in answer.lower(),
          "and the connection is closed")
    try:
        code = server.process.wait(timeout=15)  # the SIGTERM above stops it: no second signal
    except subprocess.TimeoutExpired:
        code = None
    server.stop()
    check(code == 0, f"SIGTERM exits 0, got {code}")
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
        check(False, "the port is closed after SIGTERM")
    except OSError:
        pass


def wait_for(condition, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def metric(server, name):
    """The value of one exact metric line (name with labels) of GET /metrics, or None."""
    status, _, data = server.request("GET", "/metrics")
    for line in data.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split(" ")[-1])
    return None


def test_operations(bundle):
    """Hot reload (file change, SIGHUP, a broken version), /metrics and the audit log."""
    import hashlib
    import shutil
    import tempfile
    work = tempfile.mkdtemp()
    rule_file = os.path.join(work, "seed.rubric")
    shutil.copy(SEED, rule_file)
    audit = os.path.join(work, "audit.ndjson")
    server = Server("--as-of", "2026-06-15", "--audit", audit, rule_file=rule_file)
    try:
        with open(rule_file, "rb") as f:
            original_hash = hashlib.sha256(f.read()).hexdigest()
        status, answer = server.call(prefetch_request(bundle, "aaaaaaaa-0000-4000-8000-000000000001"))
        check(status == 200, "operations: first call")
        calcium = [c for c in answer["cards"] if c["extension"]["rubric"].get("id") == "calcium"]
        missing = json.loads(json.dumps(prefetch_request(bundle)))
        del missing["prefetch"]["conditions"]
        status, _ = server.call(missing)
        check(status == 412, "operations: a 412 for the audit log")
        status, _ = server.call({"feedback": [{"card": calcium[0]["uuid"], "outcome": "overridden",
                                               "outcomeTimestamp": "2026-06-15T10:00:00Z"}]},
                                SERVICE + "/feedback")
        check(status == 200, "operations: feedback")
        check(metric(server, 'rubric_requests_total{endpoint="service",'
                             'service="vertebral-fracture-grade1",status="200"}') == 1,
              "metrics: one invocation answered 200")
        check(metric(server, 'rubric_requests_total{endpoint="service",'
                             'service="vertebral-fracture-grade1",status="412"}') == 1,
              "metrics: one 412")
        # cases/new-fracture-elderly.yaml: ten recommendations, nothing undetermined.
        check(metric(server, 'rubric_cards_total{outcome="recommended"}') == 10,
              "metrics: ten recommended cards")
        check(metric(server, 'rubric_guideline_info{service="vertebral-fracture-grade1",'
                             f'version="1.0.0",sha256="{original_hash}"}}') == 1,
              "metrics: the guideline served, with the file's SHA-256")
        check(metric(server, "rubric_request_duration_seconds_count") >= 3, "metrics: latency count")

        # A new version of the file: served within a few seconds, without a restart.
        with open(rule_file) as f:
            text = f.read()
        new_text = text.replace('version "1.0.0"', 'version "1.0.1"', 1).replace(
            'text "Prescribe at least 1000 mg elemental calcium daily."',
            'text "Prescribe at least 1200 mg elemental calcium daily."', 1)
        check(new_text != text and "1200 mg" in new_text, "operations: the edit applies")
        with open(rule_file, "w") as f:
            f.write(new_text)

        def served_version():
            status, _, data = server.request("GET", "/cds-services")
            return json.loads(data)["services"][0]["description"]

        check(wait_for(lambda: "version 1.0.1" in served_version()), "a changed file is reloaded")
        status, answer = server.call(prefetch_request(bundle))
        summaries = [c["summary"] for c in answer["cards"]]
        check("Prescribe at least 1200 mg elemental calcium daily." in summaries,
              f"the reloaded version's cards: {summaries}")
        check(metric(server, 'rubric_reloads_total{result="succeeded"}') == 1, "metrics: a reload")
        # A broken version: the old one keeps serving, the diagnostics are logged.
        with open(rule_file, "a") as f:
            f.write("\nrecommendation broken kind\n")
        check(wait_for(lambda: any("does not check" in line for line in server.log)),
              "a broken version is refused, with its diagnostics in the log")
        check(any("error[E0" in line for line in server.log), "the log holds the diagnostic")
        status, _ = server.call(prefetch_request(bundle))
        check(status == 200 and "version 1.0.1" in served_version(),
              "the previous version keeps serving")
        check(metric(server, 'rubric_reloads_total{result="failed"}') >= 1,
              "metrics: a failed reload")
        # SIGHUP reloads too (the file fixed, and the watcher's change seen or not).
        with open(rule_file, "w") as f:
            f.write(new_text.replace('version "1.0.1"', 'version "1.0.2"', 1))
        server.process.send_signal(signal.SIGHUP)
        check(wait_for(lambda: any("SIGHUP: reloaded" in line or "SIGHUP: the new" in line
                                   for line in server.log)), "SIGHUP reloads")
        check(wait_for(lambda: "version 1.0.2" in served_version()), "serving 1.0.2")
    finally:
        check(server.stop() == 0, "the operations server stops with 0")
    with open(audit) as f:
        lines = f.read().splitlines()
    records = [json.loads(line) for line in lines]  # every line whole JSON
    invocations = [r for r in records if r["type"] == "invocation"]
    feedback = [r for r in records if r["type"] == "feedback"]
    # The calls above: the first, the 412, after the reload, after the broken version.
    check(len(invocations) == 4 and len(feedback) == 1,
          f"audit: four invocations and one feedback line, got {len(invocations)}, {len(feedback)}")
    first = invocations[0]
    check(first["status"] == 200 and first["hookInstance"] == "aaaaaaaa-0000-4000-8000-000000000001",
          "audit: status and hook instance")
    check(first["guideline"]["version"] == "1.0.0" and first["guideline"]["sha256"] == original_hash,
          "audit: the guideline's version and content hash")
    check(first["evaluation_date"] == "2026-06-15", "audit: the evaluation date")
    # shared/seed/fhir/README.md and cases/new-fracture-elderly.yaml: age 72 years, pain 6.
    check(first["facts"]["pain_vas"]["value"] == "6" and
          first["facts"]["pain_vas"]["resources"][0].startswith("Observation/"),
          f"audit: pain_vas with its resource: {first['facts'].get('pain_vas')}")
    check(first["facts"]["age"]["value"] == "72 years", "audit: age")
    check(sorted(k for k, v in first["outcomes"].items() if v == "recommended") ==
          ["analgesics_as_needed", "avoid_bed_rest", "bisphosphonate", "calcitonin", "calcium",
           "early_mobilization", "follow_up_4_6_weeks", "opioid_caution", "opioid_fall_risk",
           "vitamin_d"], "audit: the outcomes")
    check(isinstance(first["latency_ms"], (int, float)), "audit: latency")
    check(invocations[1]["status"] == 412 and "conditions" in invocations[1]["error"],
          "audit: the 412 with its reason")
    check(feedback[0]["card"] == calcium[0]["uuid"] and feedback[0]["outcome"] == "overridden",
          "audit: the feedback line")
    check(invocations[2]["guideline"]["version"] == "1.0.1", "audit: the reloaded version")


class StandInFhir:
    """A FHIR server on loopback holding the resources of `bundle`: reads the Patient, answers
    searches in two pages (the second through the first's `next` link), each GET after `delay`
    seconds. Records each request's path, bearer token and Host header."""

    def __init__(self, bundle):
        import http.server
        import urllib.parse
        resources = [entry["resource"] for entry in bundle["entry"]]
        patient = [r for r in resources if r["resourceType"] == "Patient"][0]
        self.seen = []
        self.hosts = []
        self.delay = 0.0
        stand_in = self

        class Fhir(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stand_in.seen.append((self.path, self.headers.get("Authorization")))
                stand_in.hosts.append(self.headers.get("Host"))
                time.sleep(stand_in.delay)
                if self.headers.get("Authorization") != "Bearer good-token":
                    return self.answer(401, {"resourceType": "OperationOutcome"})
                url = urllib.parse.urlparse(self.path)
                query = urllib.parse.parse_qs(url.query)
                if url.path == "/fhir/Patient/" + patient["id"]:
                    return self.answer(200, patient)
                if url.path.startswith("/fhir/Patient/"):
                    return self.answer(404, {"resourceType": "OperationOutcome"})
                kind = url.path.rsplit("/", 1)[-1]
                matching = [r for r in resources if r["resourceType"] == kind]
                if query.get("patient") != [patient["id"]]:
                    return self.answer(200, {"resourceType": "Bundle", "type": "searchset"})
                page = int(query.get("page", ["1"])[0])
                half = (len(matching) + 1) // 2
                chosen = matching[:half] if page == 1 else matching[half:]
                body = {"resourceType": "Bundle", "type": "searchset",
                        "entry": [{"resource": r} for r in chosen]}
                if page == 1:
                    target = stand_in.next_base + url.path + "?" + url.query + "&page=2"
                    body["link"] = [{"relation": "next", "url": target}]
                return self.answer(200, body)

            def answer(self, status, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/fhir+json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the service gave up waiting

        self.patient = patient
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fhir)
        self.http.daemon_threads = True
        self.port = self.http.server_port
        self.next_base = f"http://127.0.0.1:{self.port}"
        self.base = f"http://127.0.0.1:{self.port}/fhir"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def request(self, bundle, hook_instance="2b5e3c5e-6f0a-4a39-9d8e-4b6c1d7e8f90"):
        """A hook request without prefetch, naming this server and a token it accepts."""
        request = dict(prefetch_request(bundle, hook_instance), fhirServer=self.base,
                       fhirAuthorization={"access_token": "good-token", "token_type": "Bearer",
                                          "expires_in": 300, "scope": "patient/*.read",
                                          "subject": "cds-service"})
        del request["prefetch"]
        return request

    def shutdown(self):
        self.http.shutdown()


def test_fhir_server(server, bundle):
    """Missing prefetch fetched from the request's fhirServer (a stand-in on loopback)."""
    fhir = StandInFhir(bundle)
    seen, hosts, patient = fhir.seen, fhir.hosts, fhir.patient
    try:
        _, expected = server.call(prefetch_request(bundle))
        fetching = fhir.request(bundle)
        status, answer = server.call(fetching)
        check(status == 200 and outcomes(answer) == outcomes(expected),
              f"fetched from fhirServer: the same cards as the prefetch: {status}")
        paths = [path for path, _ in seen]
        check(any(p.startswith("/fhir/Patient/") for p in paths), "the Patient was read")
        check(any("page=2" in p and p.startswith("/fhir/Observation?") for p in paths),
              "the Observation search was followed to its second page")
        check(all(token == "Bearer good-token" for _, token in seen), "with the bearer token")
        # Only what is missing is fetched.
        seen.clear()
        partial = json.loads(json.dumps(fetching))
        partial["prefetch"] = {"patient": patient}
        status, answer = server.call(partial)
        check(status == 200 and outcomes(answer) == outcomes(expected), "partly prefetched")
        check(not any(p.startswith("/fhir/Patient/") for p, _ in seen), "the Patient not fetched")
        # A token the FHIR server refuses: 412 naming the answer.
        refused = json.loads(json.dumps(fetching))
        refused["fhirAuthorization"]["access_token"] = "bad-token"
        status, answer = server.call(refused)
        check(status == 412 and "answered 401" in answer.get("error", ""), f"refused token: {answer}")
        # A next link off the server is not followed.
        fhir.next_base = "http://127.0.0.2:9"
        status, answer = server.call(fetching)
        check(status == 412 and "outside `fhirServer`" in answer.get("error", ""),
              f"a next link elsewhere: {answer}")
        fhir.next_base = f"http://127.0.0.1:{fhir.port}"
        # Plain http elsewhere than loopback is refused without a call.
        remote = dict(fetching, fhirServer="http://fhir.example.org/fhir")
        status, answer = server.call(remote)
        check(status == 412 and "https" in answer.get("error", ""), f"http off loopback: {answer}")
        # An unknown patient: the Patient read answers 404, as "none found".
        unknown = json.loads(json.dumps(fetching))
        unknown["context"]["patientId"] = "nobody"
        status, answer = server.call(unknown)
        check(status == 400 and "no Patient" in answer.get("error", ""), f"unknown patient: {answer}")
        # A server that does not answer: 412 within the fetch timeout (here: nobody listens).
        silent = dict(fetching, fhirServer="http://127.0.0.1:9/fhir")
        status, answer = server.call(silent)
        check(status == 412 and "cannot connect" in answer.get("error", ""), f"no server: {answer}")
        injected = json.loads(json.dumps(fetching))
        injected["fhirAuthorization"]["access_token"] = "good-token\r\nX-Injected: 1"
        status, answer = server.call(injected)
        check(status == 400 and "RFC 6750" in answer.get("error", ""),
              f"a token that would break its header line: {answer}")
        check(all(host == f"127.0.0.1:{fhir.port}" for host in hosts),
              f"the Host header names the port: {set(hosts)}")
        bad = dict(fetching, fhirAuthorization={"token_type": "Bearer"})
        status, answer = server.call(bad)
        check(status == 400 and "access_token" in answer.get("error", ""), f"no token: {answer}")
    finally:
        fhir.shutdown()


def call_in_background(server, payload):
    """Starts `server.call(payload)` on a thread; the returned dict gets status, answer and
    seconds when it is answered."""
    result = {}

    def run():
        started = time.time()
        try:
            result["status"], result["answer"] = server.call(payload)
        except OSError as problem:
            result["status"], result["answer"] = 0, {"error": str(problem)}
        result["seconds"] = time.time() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def signal_and_wait(server, seconds):
    """Sends SIGTERM; the exit code within `seconds`, or None."""
    server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None


def audit_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_slow_fhir_server(bundle):
    """A slow FHIR server holds up no serving thread; one deadline bounds all the GETs of an
    invocation; a request in flight during a reload finishes on the version it started with;
    a second SIGTERM stops at once."""
    import shutil
    import tempfile
    fhir = StandInFhir(bundle)
    work = tempfile.mkdtemp()
    rule_file = os.path.join(work, "seed.rubric")
    shutil.copy(SEED, rule_file)
    audit = os.path.join(work, "audit.ndjson")
    server = Server("--as-of", "2026-06-15", "--threads", "1", "--fetch-timeout", "4",
                    "--audit", audit, rule_file=rule_file)
    try:
        # Five GETs (the Patient, two pages of each search) of 1.5 s each: each within the 4 s
        # deadline, together not.
        fhir.delay = 1.5
        slow = call_in_background(server, fhir.request(bundle))
        time.sleep(0.3)
        started = time.time()
        status, _, _ = server.request("GET", "/health")
        health_seconds = time.time() - started
        started = time.time()
        status_full, answer = server.call(prefetch_request(bundle))
        full_seconds = time.time() - started
        check(status == 200 and health_seconds < 1.5,
              f"one serving thread answers /health while a fetch waits: {health_seconds:.2f} s")
        check(status_full == 200 and full_seconds < 1.5 and "cards" in answer,
              f"and a complete prefetch: {status_full} in {full_seconds:.2f} s")
        check("status" not in slow, "while the fetching request still waits")
        slow["thread"].join(15)
        error = slow.get("answer", {}).get("error", "")
        check(slow.get("status") == 412 and ("in time" in error or "no time left" in error),
              f"the GETs share one 4 s deadline: {slow.get('status')} {error}")
        check(3.5 < slow.get("seconds", 0) < 6.0,
              f"answered at the deadline: {slow.get('seconds', 0):.2f} s")
        # The same fetch within the deadline: the cards of the prefetch.
        fhir.delay = 0.1
        status, fetched = server.call(fhir.request(bundle))
        check(status == 200 and outcomes(fetched) == outcomes(answer),
              f"a quick FHIR server: the prefetch's cards: {status}")
    finally:
        check(server.stop() == 0, "slow-fetch server stops with 0")

    server = Server("--as-of", "2026-06-15", "--threads", "1", "--fetch-timeout", "20",
                    "--audit", audit, rule_file=rule_file)
    try:
        # A reload while a request waits on the FHIR server: the request finishes on the
        # version it started with; the next one gets the new version.
        fhir.delay = 0.6
        old = "aaaaaaaa-0000-4000-8000-0000000000f1"
        new = "aaaaaaaa-0000-4000-8000-0000000000f2"
        waiting = call_in_background(server, fhir.request(bundle, old))
        time.sleep(0.3)
        with open(rule_file) as f:
            text = f.read()
        with open(rule_file, "w") as f:
            f.write(text.replace('version "1.0.0"', 'version "1.0.7"', 1))
        server.process.send_signal(signal.SIGHUP)
        check(wait_for(lambda: any("reloaded; serving vertebral-fracture-grade1 1.0.7" in line
                                   for line in server.log), 5),
              "reloaded while a request waits")
        check("status" not in waiting, "before that request is answered")
        waiting["thread"].join(15)
        check(waiting.get("status") == 200, f"the waiting request is answered: {waiting}")
        status, _ = server.call(prefetch_request(bundle, new))
        check(status == 200, "a request after the reload")
        versions = {line.get("hookInstance"): line["guideline"]["version"]
                    for line in audit_lines(audit) if line.get("type") == "invocation"}
        check(versions.get(old) == "1.0.0",
              f"the request in flight finished on its version: {versions.get(old)}")
        check(versions.get(new) == "1.0.7", f"the next one on the new: {versions.get(new)}")
        # Refused calls are audited too.
        server.request("GET", SERVICE)
        server.request("POST", SERVICE, "{}", {"Content-Type": "text/plain"})
        refused = [line for line in audit_lines(audit) if line.get("type") == "refused"]
        check([(line["status"], line["method"], line["path"]) for line in refused] ==
              [(405, "GET", SERVICE), (415, "POST", SERVICE)],
              f"405 and 415 audited as refused: {refused}")
        check(all(line.get("error") and line.get("peer", "").startswith("127.0.0.1:")
                  for line in refused), "with the reason and the caller's address")
        # SIGTERM waits for a request in flight; the same signal again stops at once.
        fhir.delay = 5
        call_in_background(server, fhir.request(bundle))
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        check(server.process.poll() is None, "the first SIGTERM waits for the request in flight")
        started = time.time()
        code = signal_and_wait(server, 5)
        check(code == -signal.SIGTERM and time.time() - started < 2,
              f"a second SIGTERM ends it at once: {code}")
    finally:
        server.stop()

    # One SIGTERM while a request waits on the FHIR server past the 10 s grace period: the
    # connection is closed, and the service exits 0 (and, under the sanitizers, cleanly).
    server = Server("--as-of", "2026-06-15", "--fetch-timeout", "30")
    try:
        fhir.delay = 15
        stuck = call_in_background(server, fhir.request(bundle))
        time.sleep(0.3)
        started = time.time()
        code = signal_and_wait(server, 20)
        check(code == 0 and 9 < time.time() - started < 14,
              f"a fetch past the grace period: exit 0 after it: {code}, "
              f"{time.time() - started:.1f} s")
        stuck["thread"].join(5)
        check(stuck.get("status") == 0, f"its request gets no answer: {stuck.get('status')}")
    finally:
        server.stop()
        fhir.shutdown()


def test_cors(bundle):
    sandbox = "https://sandbox.cds-hooks.org"
    server = Server("--as-of", "2026-06-15", "--cors-origin", sandbox)
    try:
        status, headers, data = server.request(
            "OPTIONS", SERVICE, None, {"Origin": sandbox, "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type"})
        check(status == 204 and headers.get("Access-Control-Allow-Origin") == sandbox and
              "POST" in headers.get("Access-Control-Allow-Methods", "") and
              "Content-Type" in headers.get("Access-Control-Allow-Headers", ""),
              f"CORS preflight: {status} {headers}")
        status, headers, _ = server.request("POST", SERVICE, json.dumps(prefetch_request(bundle)),
                                            dict(JSON, Origin=sandbox))
        check(status == 200 and headers.get("Access-Control-Allow-Origin") == sandbox,
              "CORS: the answer names the allowed origin")
        status, headers, _ = server.request("GET", "/cds-services", None,
                                            {"Origin": "https://elsewhere.example.org"})
        check(status == 200 and "Access-Control-Allow-Origin" not in headers,
              "CORS: another origin is not allowed")
        status, _, _ = server.request("OPTIONS", SERVICE, None,
                                      {"Origin": "https://elsewhere.example.org"})
        check(status == 405, f"CORS: a preflight from another origin is 405, got {status}")
    finally:
        server.stop()


ORDERS_GUIDELINE = """guideline "opioid-orders"
  title "Opioid orders in older patients"
  version "1"
  hooks patient-view, order-sign

codesystem RX = 'http://www.nlm.nih.gov/research/umls/rxnorm'

source 1 "test source"

fact opioid_ordered: boolean
  from MedicationRequest coded RX '7052' where status is draft value exists, otherwise false
fact age: duration >= 0 days from Patient value years since birthDate

recommendation fall_risk kind caution
  text "An opioid is being ordered for an older patient: fall risk." cite 1
  when opioid_ordered and age >= 65 years
"""


def test_order_sign():
    """A guideline with `hooks patient-view, order-sign`: two discovery entries, and the draft
    orders of an order-sign call read by its bindings."""
    import tempfile
    work = tempfile.mkdtemp()
    rule_file = os.path.join(work, "orders.rubric")
    with open(rule_file, "w") as f:
        f.write(ORDERS_GUIDELINE)
    server = Server("--as-of", "2026-06-15", rule_file=rule_file)
    try:
        status, _, data = server.request("GET", "/cds-services")
        services = json.loads(data)["services"]
        check(status == 200 and [(s["id"], s["hook"]) for s in services] ==
              [("opioid-orders", "patient-view"), ("opioid-orders", "order-sign")],
              f"order-sign: one discovery entry a hook: {services}")
        check(services[0]["prefetch"] == services[1]["prefetch"] and
              services[0]["prefetch"].get("medicationRequests", "").startswith(
                  "MedicationRequest?patient={{context.patientId}}&code="),
              f"order-sign: both entries carry the prefetch templates: {services}")
        patient = {"resourceType": "Patient", "id": "p1", "birthDate": "1950-03-01"}  # 76
        draft = {"resourceType": "MedicationRequest", "id": "draft-1", "status": "draft",
                 "intent": "order", "subject": {"reference": "Patient/p1"},
                 "medicationCodeableConcept": {"coding": [
                     {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7052"}]}}
        request = {"hook": "order-sign", "hookInstance": "b0000000-0000-4000-8000-000000000001",
                   "context": {"userId": "Practitioner/1", "patientId": "p1",
                               "draftOrders": {"resourceType": "Bundle", "type": "collection",
                                               "entry": [{"resource": draft}]}},
                   "prefetch": {"patient": patient, "medicationRequests": None}}
        path = "/cds-services/opioid-orders"
        status, answer = server.call(request, path)
        check(status == 200 and outcomes(answer)[0] == ["fall_risk"],
              f"order-sign: the draft opioid order is read: {status} {answer}")
        check(answer.get("cards", [{}])[0].get("indicator") == "warning",
              "order-sign: a caution is a warning")
        # The same patient viewed without the draft: no card.
        viewed = {"hook": "patient-view", "hookInstance": "b0000000-0000-4000-8000-000000000002",
                  "context": {"userId": "Practitioner/1", "patientId": "p1"},
                  "prefetch": {"patient": patient, "medicationRequests": None}}
        status, answer = server.call(viewed, path)
        check(status == 200 and answer["cards"] == [], f"patient-view: no card: {answer}")
        # A draft order for another patient is refused.
        foreign = json.loads(json.dumps(request))
        foreign["context"]["draftOrders"]["entry"][0]["resource"]["subject"]["reference"] = \
            "Patient/p2"
        status, answer = server.call(foreign, path)
        check(status == 400 and "context.draftOrders" in answer.get("error", ""),
              f"order-sign: another patient's draft order: {answer}")
        no_orders = json.loads(json.dumps(request))
        del no_orders["context"]["draftOrders"]
        status, answer = server.call(no_orders, path)
        check(status == 400 and "draftOrders" in answer.get("error", ""),
              f"order-sign without draftOrders: {answer}")
    finally:
        server.stop()
    # The seed answers patient-view only.
    server = Server("--as-of", "2026-06-15")
    try:
        status, answer = server.call({"hook": "order-sign", "hookInstance": "x",
                                      "context": {"patientId": "p", "draftOrders": {
                                          "resourceType": "Bundle"}}})
        check(status == 400 and "answers `patient-view`, not `order-sign`" in
              answer.get("error", ""), f"the seed refuses order-sign: {answer}")
    finally:
        server.stop()


def test_command_line():
    result = subprocess.run([RUBRIC, "serve", SEED, "--host", "0.0.0.0", "--port", "0"],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "loopback" in result.stderr,
          f"a public address without authentication is refused: {result.stderr}")
    result = subprocess.run([RUBRIC, "serve", SEED, SEED, "--port", "0"],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "served already" in result.stderr,
          f"the same guideline twice is refused: {result.stderr}")
    result = subprocess.run([RUBRIC, "serve", SEED, "--as-of", "2026-02-30", "--port", "0"],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "--as-of" in result.stderr, "a bad --as-of is refused")
    # More connections than the process may open files: refused at start, naming the limit;
    # without --max-connections, the default shrinks to what fits ((256 - 64) / 2).
    low_limit = ["sh", "-c", 'ulimit -n 256 && exec "$@"', "sh"]
    result = subprocess.run(low_limit + [RUBRIC, "serve", SEED, "--port", "0",
                                         "--max-connections", "1000"],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "--max-connections 1000" in result.stderr and
          "256" in result.stderr and "ulimit -n" in result.stderr,
          f"--max-connections over the open-file limit is refused: {result.stderr}")
    process = subprocess.Popen(low_limit + [RUBRIC, "serve", SEED, "--port", "0"],
                               stderr=subprocess.PIPE, text=True)
    first = process.stderr.readline()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)
    check("96 connections at most, not 512" in first,
          f"the default connection limit shrinks to the open-file limit: {first}")


def main():
    test_command_line()
    server = Server("--as-of", "2026-06-15", "--threads", "2")
    try:
        check(any("no authentication" in line for line in server.log),
              "an unauthenticated service says so at start")
        test_discovery(server)
        tried = test_records(server, "2026-06-15")
        check(tried == 98, f"98 records evaluated as of 2026-06-15, got {tried}")
        bundle, _ = test_seed_example(server)
        test_protocol_errors(server, bundle)
        test_feedback(server)
        test_fhir_server(server, bundle)
    finally:
        check(server.stop() == 0, "the main server stops with 0")
    for as_of in ("2025-02-28", "2025-03-01"):
        server = Server("--as-of", as_of)
        try:
            check(test_records(server, as_of) == 1, f"one record as of {as_of}")
        finally:
            server.stop()
    test_limits(bundle)
    test_sigterm_in_flight(bundle)
    test_slow_fhir_server(bundle)
    test_operations(bundle)
    test_cors(bundle)
    test_order_sign()
    print(f"{checks - len(failures)} of {checks} checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
