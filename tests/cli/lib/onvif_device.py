#!/usr/bin/env python3
"""A small ONVIF PTZ device for the tests: answers AbsoluteMove on loopback.

    onvif_device.py PORT_FILE LOG_FILE USERNAME PASSWORD PROFILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE) at /onvif/ptz_service. Each request is
checked the way a camera would: a SOAP 1.2 envelope; a WS-Security UsernameToken whose
PasswordDigest = Base64(SHA-1(nonce + created + password)) (ONVIF Core Specification 5.12 and the
OASIS UsernameToken Profile 1.0) is recomputed and compared, with nonces never reused and
`Created` within 5 minutes; the body an AbsoluteMove (ONVIF PTZ Service WSDL, ver20/ptz) with the
expected ProfileToken and a Position whose PanTilt x, y lie in [-1, 1] and Zoom x in [0, 1] in the
generic spaces. A good request gets an AbsoluteMoveResponse and is appended to LOG_FILE as one
JSON line {"x", "y", "zoom"}; a bad one gets a SOAP fault (HTTP 400) and a line {"error"}.
"""
import base64
import datetime
import hashlib
import http.server
import json
import sys
import xml.etree.ElementTree as ET

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
}
DIGEST = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
          "#PasswordDigest")
PAN_TILT_SPACE = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
ZOOM_SPACE = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"

port_file, log_file, username, password, profile = sys.argv[1:6]
seen_nonces = set()


def check(body: bytes) -> dict:
    env = ET.fromstring(body)
    if env.tag != "{%s}Envelope" % NS["s"]:
        raise ValueError("not a SOAP 1.2 envelope")
    token = env.find("s:Header/wsse:Security/wsse:UsernameToken", NS)
    if token is None:
        raise ValueError("no UsernameToken")
    if token.findtext("wsse:Username", namespaces=NS) != username:
        raise ValueError("wrong user")
    pw = token.find("wsse:Password", NS)
    if pw is None or pw.get("Type") != DIGEST:
        raise ValueError("password is not a PasswordDigest")
    nonce_b64 = token.findtext("wsse:Nonce", namespaces=NS) or ""
    created = token.findtext("wsu:Created", namespaces=NS) or ""
    nonce = base64.b64decode(nonce_b64)
    want = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    if pw.text != want.decode():
        raise ValueError("digest mismatch")
    if nonce_b64 in seen_nonces:
        raise ValueError("nonce replayed")
    seen_nonces.add(nonce_b64)
    t = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 300:
        raise ValueError("stale Created")
    move = env.find("s:Body/tptz:AbsoluteMove", NS)
    if move is None:
        raise ValueError("not an AbsoluteMove")
    if move.findtext("tptz:ProfileToken", namespaces=NS) != profile:
        raise ValueError("wrong ProfileToken")
    pt = move.find("tptz:Position/tt:PanTilt", NS)
    zoom = move.find("tptz:Position/tt:Zoom", NS)
    if pt is None or zoom is None:
        raise ValueError("Position without PanTilt or Zoom")
    if pt.get("space") != PAN_TILT_SPACE or zoom.get("space") != ZOOM_SPACE:
        raise ValueError("not the generic spaces")
    x, y, z = float(pt.get("x")), float(pt.get("y")), float(zoom.get("x"))
    if not (-1 <= x <= 1 and -1 <= y <= 1 and 0 <= z <= 1):
        raise ValueError("position out of the generic ranges")
    return {"x": x, "y": y, "zoom": z}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            if self.path != "/onvif/ptz_service":
                raise ValueError("wrong path " + self.path)
            if not self.headers.get("Content-Type", "").startswith("application/soap+xml"):
                raise ValueError("not application/soap+xml")
            entry = check(body)
            status, reply = 200, ('<s:Envelope xmlns:s="%s" xmlns:tptz="%s"><s:Body>'
                                  "<tptz:AbsoluteMoveResponse/></s:Body></s:Envelope>"
                                  % (NS["s"], NS["tptz"]))
        except Exception as e:  # every problem is the client's
            entry = {"error": str(e)}
            status, reply = 400, ('<s:Envelope xmlns:s="%s"><s:Body><s:Fault><s:Code><s:Value>'
                                  "s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en\">"
                                  "%s</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"
                                  % (NS["s"], entry["error"]))
        with open(log_file, "a") as f:
            f.write(json.dumps(entry) + "\n")
        data = reply.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
