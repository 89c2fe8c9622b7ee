"""Fake AWS credential endpoints on one loopback port, in their real wire formats:

- STS Query API (POST /, form body, Version=2011-06-15): AssumeRoleWithWebIdentity (unsigned, checks the token) and
  AssumeRole (SigV4, service sts, verified with botocore's signer against the accounts it knows); XML answers with
  an Expiration, errors as <ErrorResponse><Error><Code/><Message/></Error>.
- ECS container endpoint (GET /v2/credentials/..., Authorization checked): JSON AccessKeyId/SecretAccessKey/Token/Expiration.
- EC2 IMDSv2 (PUT /latest/api/token with x-aws-ec2-metadata-token-ttl-seconds, then GET
  /latest/meta-data/iam/security-credentials/ and /<role> with x-aws-ec2-metadata-token).

Every credentials set it issues is new, lives `lifetime` seconds, and is registered with the Bedrock fake's
accounts, so Bedrock accepts exactly what was issued (signature and x-amz-security-token).
"""
from __future__ import annotations

import datetime
import itertools
import urllib.parse

from .base import FakeUpstream, Recorded, Reply
from .bedrock_fake import verify_sigv4

_serial = itertools.count(1)


def _iso(seconds: float) -> str:
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class AWSCredentialsFake(FakeUpstream):
    def __init__(self, bedrock) -> None:
        super().__init__()
        self.bedrock = bedrock
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.lifetime = 3600.0
        self.web_token = "eyJ-fake-web-identity-token"
        self.ecs_token = "ecs-auth-token-123"
        self.imds_role = "gateway-instance-role"
        self.sts_down = False
        self.accounts: dict[str, str] = {}  # AssumeRole callers: access key id -> secret
        self.issued: list[tuple[str, str]] = []  # (how, access key id)

    def issue(self, how: str) -> dict:
        n = next(_serial)
        creds = {"AccessKeyId": f"ASIAFAKE{n:012d}", "SecretAccessKey": f"fakeTempSecret/{n:08d}",
                 "Token": f"FakeSessionToken{n:08d}+/=", "Expiration": _iso(self.lifetime)}
        self.bedrock.accounts[creds["AccessKeyId"]] = (creds["SecretAccessKey"], creds["Token"])
        self.issued.append((how, creds["AccessKeyId"]))
        return creds

    def default_action(self, req: Recorded):
        if req.method == "POST" and req.path == "/":
            return self._sts(req)
        if req.path.startswith("/v2/credentials/"):
            if req.header("authorization") != self.ecs_token:
                return Reply(401, {"code": "Unauthorized"})
            c = self.issue("ecs")
            return Reply(200, {**c, "RoleArn": "arn:aws:iam::123456789012:role/task"})
        if req.path == "/latest/api/token" and req.method == "PUT":
            if not req.header("x-aws-ec2-metadata-token-ttl-seconds"):
                return Reply(400, b"")
            return Reply(200, b"imds-session-token", {"content-type": "text/plain"})
        if req.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if req.header("x-aws-ec2-metadata-token") != "imds-session-token":
                return Reply(401, b"")
            role = req.path.removeprefix("/latest/meta-data/iam/security-credentials/")
            if not role:
                return Reply(200, self.imds_role.encode(), {"content-type": "text/plain"})
            if role != self.imds_role:
                return Reply(404, b"")
            c = self.issue("imds")
            return Reply(200, {"Code": "Success", "LastUpdated": _iso(0), "Type": "AWS-HMAC", **c})
        return Reply(404, b"")

    def _sts(self, req: Recorded):
        if self.sts_down:
            return Reply(503, b"<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>down</Message></Error></ErrorResponse>")
        form = dict(urllib.parse.parse_qsl(req.body.decode()))
        if form.get("Version") != "2011-06-15":
            return self._error(400, "InvalidAction", "bad version")
        action = form.get("Action")
        if action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != self.web_token:
                return self._error(400, "InvalidIdentityToken", "token rejected")
        elif action == "AssumeRole":
            key = (req.header("authorization") or "").split("Credential=")[-1].split("/")[0]
            secret, token = self.bedrock.accounts.get(key, (self.accounts.get(key), None))
            if secret is None or not verify_sigv4(req, secret=secret, token=token).ok:
                return self._error(403, "SignatureDoesNotMatch", "bad signature")
        else:
            return self._error(400, "InvalidAction", f"unknown action {action}")
        if not form.get("RoleArn") or not form.get("RoleSessionName"):
            return self._error(400, "ValidationError", "RoleArn and RoleSessionName are required")
        c = self.issue(action)
        body = (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
                f'<Credentials><AccessKeyId>{c["AccessKeyId"]}</AccessKeyId><SecretAccessKey>{c["SecretAccessKey"]}'
                f'</SecretAccessKey><SessionToken>{c["Token"]}</SessionToken><Expiration>{c["Expiration"]}</Expiration>'
                f'</Credentials><AssumedRoleUser><Arn>{form["RoleArn"]}/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>'
                f'</AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>'
                f'</{action}Response>')
        return Reply(200, body.encode(), {"content-type": "text/xml"})

    @staticmethod
    def _error(status: int, code: str, message: str) -> Reply:
        return Reply(status, f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                             f"</Error><RequestId>r</RequestId></ErrorResponse>".encode(), {"content-type": "text/xml"})
