#!/usr/bin/python3
"""Authentication tests of `rubric serve --jwks` (ctest `service_auth`), over HTTP on loopback.

    /usr/bin/python3 tests/service/auth_tests.py BUILD/rubric REPO

Keys are made here (python3-cryptography) and tokens signed with PyJWT (python3-jwt), both
independent of Rubric's OpenSSL code. Each rule of CDS Hooks 2.0 "Trusting CDS Clients" and of
docs/service.md#authentication is tried with a token that breaks it, beside a valid one.
"""
import base64
import datetime
import http.client
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_tests as serve  # noqa: E402  (the server helper and the prefetch builder)

BASE = "https://cds.example.org"
SERVICE_URL = BASE + serve.SERVICE
JSON_TYPE = {"Content-Type": "application/json"}


def b64(number, size):
    return base64.urlsafe_b64encode(number.to_bytes(size, "big")).rstrip(b"=").decode()


def ec_jwk(key, kid, curve, size, alg):
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": curve, "kid": kid, "use": "sig", "alg": alg,
            "x": b64(numbers.x, size), "y": b64(numbers.y, size)}


def rsa_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RS384", "n": b64(numbers.n, 256),
            "e": b64(numbers.e, 3)}


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


P384 = ec.generate_private_key(ec.SECP384R1())
P256 = ec.generate_private_key(ec.SECP256R1())
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
STRANGER = ec.generate_private_key(ec.SECP384R1())  # a key outside the set
KEYS = {"keys": [ec_jwk(P384, "ehr-es384", "P-384", 48, "ES384"),
                 ec_jwk(P256, "ehr-es256", "P-256", 32, "ES256"), rsa_jwk(RSA, "ehr-rs384")]}


def token(key=P384, kid="ehr-es384", alg="ES384", aud=SERVICE_URL, iss="https://ehr.example.org/",
          exp_in=300, iat_ago=0, jti=None, typ="JWT", drop=(), nbf_in=None):
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "exp": now + exp_in, "iat": now - iat_ago,
              "jti": jti or str(uuid.uuid4()), "tenant": "example"}
    if nbf_in is not None:
        claims["nbf"] = now + nbf_in
    for name in drop:
        claims.pop(name, None)
    headers = {"kid": kid, "typ": typ}  # PyJWT leaves `typ` out when it is None
    return jwt.encode(claims, pem(key) if key is not None else None, algorithm=alg,
                      headers=headers)


def unsigned(**claims_override):
    now = int(time.time())
    claims = {"iss": "https://ehr.example.org/", "aud": SERVICE_URL, "exp": now + 300, "iat": now,
              "jti": str(uuid.uuid4())}
    claims.update(claims_override)
    part = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return part({"alg": "none", "typ": "JWT", "kid": "ehr-es384"}) + "." + part(claims) + "."


def self_signed(work, name):
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rubric-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path = os.path.join(work, name + ".crt")
    key_path = os.path.join(work, name + ".key")
    with open(cert_path, "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(pem(key))
    return cert_path, key_path


def test_tls(work, jwks, request):
    check = serve.check
    cert, key = self_signed(work, "server")
    other_cert, other_key = self_signed(work, "other")
    result = subprocess.run([serve.RUBRIC, "serve", serve.SEED, "--port", "0", "--tls-cert", cert,
                             "--tls-key", other_key], capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "is not the key of the certificate" in result.stderr,
          f"a key that is not the certificate's is refused: {result.stderr}")
    result = subprocess.run([serve.RUBRIC, "serve", serve.SEED, "--port", "0", "--tls-cert", cert],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "go together" in result.stderr, "--tls-cert needs --tls-key")
    result = subprocess.run([serve.RUBRIC, "serve", serve.SEED, "--port", "0", "--tls-cert", jwks,
                             "--tls-key", key], capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "--tls-cert" in result.stderr, "a file that is no certificate")

    server = serve.Server("--as-of", "2026-06-15", "--tls-cert", cert, "--tls-key", key,
                          "--jwks", jwks, "--base-url", BASE)
    try:
        check(any("https://127.0.0.1:" in line for line in server.log), "the log says https")
        context = ssl.create_default_context(cafile=cert)
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context,
                                                 timeout=10)
        connection.request("POST", serve.SERVICE, request,
                           dict(JSON_TYPE, Authorization="Bearer " + token()))
        answer = connection.getresponse()
        body = answer.read()
        check(answer.status == 200 and b'"cards"' in body, f"HTTPS invocation: {answer.status}")
        connection.request("GET", "/health")  # the same TLS connection, kept alive
        answer = connection.getresponse()
        check(answer.status == 200 and json.loads(answer.read()) == {"status": "ok"},
              "a second request on the TLS connection")
        connection.close()
        # A client that does not trust the certificate cannot connect.
        try:
            untrusting = http.client.HTTPSConnection(
                "127.0.0.1", server.port, context=ssl.create_default_context(cafile=other_cert),
                timeout=10)
            untrusting.request("GET", "/health")
            untrusting.getresponse()
            check(False, "a client that does not trust the certificate is refused")
        except ssl.SSLError:
            pass
        # Plain HTTP on the TLS port gets no HTTP answer, and the service goes on.
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = sock.recv(100)
        except OSError:
            data = b""
        sock.close()
        check(not data.startswith(b"HTTP/1.1 200"), f"plain HTTP on the TLS port: {data[:20]!r}")
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context,
                                                 timeout=10)
        connection.request("GET", "/health")
        check(connection.getresponse().status == 200, "HTTPS still served after plain HTTP")
        connection.close()
    finally:
        check(server.stop() == 0, "the HTTPS server stops with 0")


def main():
    check = serve.check
    work = tempfile.mkdtemp()
    jwks = os.path.join(work, "jwks.json")
    with open(jwks, "w") as f:
        json.dump(KEYS, f)
    with open(os.path.join(serve.RECORDS, "seed-example-new-fracture-elderly.bundle.json")) as f:
        request = json.dumps(serve.prefetch_request(json.load(f)))

    # Key sets the service must refuse at start (exit 1, naming the key).
    for name, keys, needle in [
            ("private", {"keys": [dict(KEYS["keys"][0], d="AAAA")]}, "private key"),
            ("symmetric", {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}, "symmetric"),
            ("no kid", {"keys": [{k: v for k, v in KEYS["keys"][0].items() if k != "kid"}]},
             "no `kid`"),
            ("off curve", {"keys": [dict(KEYS["keys"][0], y=KEYS["keys"][0]["x"])]},
             "not on the curve"),
            ("wrong alg", {"keys": [dict(KEYS["keys"][0], alg="ES256")]}, "does not fit"),
            ("RSA e = 1", {"keys": [dict(KEYS["keys"][2], e="AQ")]}, "odd and at least 3"),
            ("RSA even e", {"keys": [dict(KEYS["keys"][2], e="AQAA")]}, "odd and at least 3"),
            ("not json", "{", "not valid JSON")]:
        path = os.path.join(work, "bad.json")
        with open(path, "w") as f:
            f.write(keys if isinstance(keys, str) else json.dumps(keys))
        result = subprocess.run([serve.RUBRIC, "serve", serve.SEED, "--port", "0", "--jwks", path,
                                 "--base-url", BASE], capture_output=True, text=True, timeout=20)
        check(result.returncode == 1 and needle in result.stderr,
              f"a key set with a {name} key is refused: {result.returncode} {result.stderr}")
    result = subprocess.run([serve.RUBRIC, "serve", serve.SEED, "--port", "0", "--jwks", jwks],
                            capture_output=True, text=True, timeout=20)
    check(result.returncode == 2 and "--base-url" in result.stderr, "--jwks needs --base-url")

    server = serve.Server("--as-of", "2026-06-15", "--jwks", jwks, "--base-url", BASE + "/")
    try:
        check(not any("no authentication" in line for line in server.log),
              "an authenticated service does not warn")

        def call(bearer, path=serve.SERVICE, body=request, method="POST"):
            headers = dict(JSON_TYPE)
            if bearer is not None:
                headers["Authorization"] = "Bearer " + bearer
            status, answer_headers, data = server.request(method, path, body, headers)
            return status, answer_headers, data

        for alg, key, kid in [("ES384", P384, "ehr-es384"), ("ES256", P256, "ehr-es256"),
                              ("RS384", RSA, "ehr-rs384")]:
            status, _, data = call(token(key=key, kid=kid, alg=alg))
            check(status == 200 and b'"cards"' in data, f"a valid {alg} token: {status}")
        status, _, _ = call(token(aud=[SERVICE_URL, "https://other.example.org"]))
        check(status == 200, "`aud` as an array holding the endpoint")
        status, _, _ = call(token(aud=BASE + "/cds-services"), "/cds-services", None, "GET")
        check(status == 200, "discovery with its own audience")
        status, _, _ = call(token(aud=SERVICE_URL + "/feedback"), serve.SERVICE + "/feedback",
                            json.dumps({"feedback": [{"card": "c", "outcome": "accepted",
                                                      "outcomeTimestamp": "2026-06-15T10:00Z"}]}))
        check(status == 200, "feedback with its own audience")
        status, _, _ = server.request("GET", "/health")
        check(status == 200, "/health needs no token")

        refused = [
            ("no token", None),
            ("a key outside the set, under a known kid", token(key=STRANGER)),
            ("an unknown kid", token(key=STRANGER, kid="stranger")),
            ("the wrong audience", token(aud=BASE + "/cds-services/other")),
            ("the discovery audience on a service", token(aud=BASE + "/cds-services")),
            ("another base URL", token(aud="https://evil.example.org" + serve.SERVICE)),
            ("expired", token(exp_in=-120, iat_ago=400)),
            ("issued in the future", token(iat_ago=-600)),
            ("living longer than an hour", token(exp_in=7200)),
            ("alg none", unsigned()),
            ("HS256 keyed with the public key",
             jwt.encode({"iss": "x", "aud": SERVICE_URL, "exp": int(time.time()) + 300,
                         "iat": int(time.time()), "jti": "h"}, "secret", algorithm="HS256",
                        headers={"kid": "ehr-es384"})),
            ("ES384 signed by the P-256 key's kid", token(kid="ehr-es256")),
            ("without jti", token(drop=("jti",))),
            ("without exp", token(drop=("exp",))),
            ("without iss", token(drop=("iss",))),
            ("without typ", token(typ=None)),
            ("a tampered payload", None),
            ("not a JWT", "not.a.jwt"),
            ("garbage", "%%%"),
            ("not valid before ten minutes from now", token(nbf_in=600)),
        ]
        good = token()
        header, payload, signature = good.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["aud"] = SERVICE_URL
        claims["iss"] = "https://intruder.example.org/"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        refused[16] = ("a tampered payload", f"{header}.{forged}.{signature}")
        for what, bearer in refused:
            status, headers, data = call(bearer)
            check(status == 401, f"{what}: 401, got {status}")
            check(headers.get("WWW-Authenticate", "").startswith("Bearer"),
                  f"{what}: WWW-Authenticate")
            check(json.loads(data) == {"error": "authentication failed"},
                  f"{what}: the reason is not told to the caller: {data[:80]!r}")
        status, _, _ = call(None, "/cds-services", None, "GET")
        check(status == 401, "discovery without a token")
        status, _, _ = call(None, "/cds-services/nothing-here")
        check(status == 401, "an unknown service without a token is 401, not 404")
        status, _, _ = call(token(nbf_in=-30))
        check(status == 200, f"a token valid since 30 s ago (nbf): {status}")
        # A replayed jti: accepted once, refused after.
        once = token(jti="replay-me")
        first, _, _ = call(once)
        second, _, _ = call(once)
        check(first == 200 and second == 401, f"a replayed jti: {first}, then {second}")
        # A kid that carries a line break cannot forge a log line.
        status, _, _ = call(token(key=STRANGER, kid="x\nrubric serve: forged line"))
        check(status == 401, "a kid with a line break: 401")
        time.sleep(0.3)
        log = "".join(server.log)
        check("\nrubric serve: forged line" not in log and "x\\x0arubric serve: forged line" in log,
              "the log escapes what the caller sent")
        for needle in ["no Authorization header", "no key `stranger`", "expired at",
                       "algorithm `none` is refused", "algorithm `HS256` is refused",
                       "was used before (a replay)", "does not verify", "`aud` is not",
                       "not valid before"]:
            check(needle in log, f"the log says why: {needle}")
    finally:
        check(server.stop() == 0, "the authenticated server stops with 0")

    # An issuer allowlist.
    server = serve.Server("--as-of", "2026-06-15", "--jwks", jwks, "--base-url", BASE,
                          "--issuer", "https://ehr.example.org/")
    try:
        status, _, _ = server.request("POST", serve.SERVICE, request,
                                      dict(JSON_TYPE, Authorization="Bearer " + token()))
        check(status == 200, "an allowed issuer")
        status, _, _ = server.request(
            "POST", serve.SERVICE, request,
            dict(JSON_TYPE, Authorization="Bearer " + token(iss="https://other-ehr.example.org/")))
        check(status == 401, "an issuer outside the allowlist")
    finally:
        server.stop()
    test_tls(work, jwks, request)
    print(f"{serve.checks - len(serve.failures)} of {serve.checks} checks passed")
    sys.exit(1 if serve.failures else 0)


main()
