"""A real SMTP server for the notification TLS test (aiosmtpd, PyPI).

    python3 smtp_tls_server.py DIR PORT USER PASSWORD

Makes a certificate authority and a server certificate for `localhost` in
DIR (openssl), then serves SMTP on 127.0.0.1:PORT that requires STARTTLS
before anything else and AUTH (only over TLS) before a mail; mails go to the
maildir DIR/maildir. Prints `ready` when it accepts connections.
"""

import ssl
import subprocess
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

root, port, user, password = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


ca_key, ca, key, csr, cert = (root / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=motcua test CA",
        "-keyout", str(ca_key), "-out", str(ca))
openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(csr))
ext = root / "ext.cnf"
ext.write_text("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "2", "-extfile", str(ext), "-out", str(cert))


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == user.encode()
        and auth_data.password == password.encode()
    )
    return AuthResult(success=ok, handled=False)


tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(str(cert), str(key))
controller = Controller(
    Mailbox(str(root / "maildir")),
    hostname="127.0.0.1",
    port=port,
    tls_context=tls,
    require_starttls=True,
    authenticator=authenticate,
    auth_required=True,
    auth_require_tls=True,
)
controller.start()
print("ready", flush=True)
threading.Event().wait()
