"""A plain-HTTP Open311 GeoReport v2 client (the standard library only, no Django): what another
system's developer would write against Concord.

    python concord/open311/client.py --base http://127.0.0.1:8000/open311/v2 --api-key cs_…

lists the services, posts a request, and reads it back with its status; `--follow` then polls
until the center closes it and prints the reply. The key is also read from OPEN311_API_KEY.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class Open311Failure(Exception):
    """The server refused: the HTTP status and the spec's error descriptions."""

    def __init__(self, status: int, errors: list[dict]):
        self.status = status
        self.errors = errors
        super().__init__(f"HTTP {status}: " + "; ".join(str(e.get("description")) for e in errors))


class Open311Client:
    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def services(self) -> list[dict]:
        return self._call("GET", "services.json")

    def service_definition(self, service_code: str) -> dict:
        return self._call("GET", f"services/{urllib.parse.quote(service_code)}.json")

    def post_request(self, **fields) -> dict:
        """POST requests.json form-encoded, as the spec sends it; returns the one answer."""
        body = {"api_key": self.api_key, **fields}
        form = {k: str(v) for k, v in body.items() if v is not None}
        return self._call("POST", "requests.json", form=form)[0]

    def request(self, service_request_id: str) -> dict:
        path = f"requests/{urllib.parse.quote(service_request_id)}.json"
        return self._call("GET", path, query={"api_key": self.api_key})[0]

    def requests(self, **query) -> list[dict]:
        return self._call("GET", "requests.json", query={"api_key": self.api_key, **query})

    def _call(self, method: str, path: str, query: dict | None = None, form: dict | None = None):
        url = f"{self.base_url}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        call = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(call, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raw = error.read().decode("utf-8", "replace")
            try:
                errors = json.loads(raw)
            except ValueError:
                errors = [{"code": error.code, "description": raw[:200]}]
            raise Open311Failure(error.code, errors) from None


def run(client: Open311Client, args: argparse.Namespace, out=sys.stdout) -> dict:
    """The scripted round: list, post, read back; returns the request as last read."""
    services = client.services()
    print(f"services.json: {len(services)} services", file=out)
    service = next((s for s in services if s["service_code"] == args.service), None)
    if service is None:
        if args.service:
            raise SystemExit(f"no service {args.service!r}")
        service = services[0]
    name = f"{service['group']} / {service['service_name']}"
    print(f"  using {service['service_code']} ({name})", file=out)

    created = client.post_request(
        service_code=service["service_code"],
        description=args.description,
        address_string=args.address,
        lat=args.lat,
        long=args.long,
        first_name=args.first_name,
        last_name=args.last_name,
        phone=args.phone,
        media_url=args.media_url,
    )
    request_id = created["service_request_id"]
    print(f"POST requests.json: service_request_id={request_id}", file=out)
    print(f"  service_notice: {created.get('service_notice')}", file=out)

    request = client.request(request_id)
    _show(request, out)
    while args.follow and request["status"] != "closed":
        time.sleep(args.follow)
        request = client.request(request_id)
        _show(request, out)
    return request


def _show(request: dict, out) -> None:
    print(
        f"GET requests/{request['service_request_id']}.json: status={request['status']} "
        f"({request.get('status_notes')}), agency={request.get('agency_responsible')}, "
        f"expected={request.get('expected_datetime')}, updated={request.get('updated_datetime')}",
        file=out,
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000/open311/v2")
    parser.add_argument("--api-key", default=os.environ.get("OPEN311_API_KEY"))
    parser.add_argument("--service", help="service_code (default: the first listed)")
    parser.add_argument("--description", default="小区楼上住户每晚装修到十一点，多次沟通无果。")
    parser.add_argument("--address", default="上虞区百官街道市民大道100号")
    parser.add_argument("--lat", type=float)
    parser.add_argument("--long", type=float)
    parser.add_argument("--first-name", default="三")
    parser.add_argument("--last-name", default="张")
    parser.add_argument("--phone", default="13800138000")
    parser.add_argument("--media-url")
    parser.add_argument(
        "--follow", type=float, default=0, metavar="SECONDS", help="poll until closed"
    )
    parser.add_argument("--read", metavar="SERVICE_REQUEST_ID", help="only read back this request")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = parser()
    args = arguments.parse_args(argv)
    if not args.api_key:
        arguments.error("an API key is needed: --api-key or OPEN311_API_KEY")
    client = Open311Client(args.base, args.api_key)
    try:
        if args.read:
            _show(client.request(args.read), sys.stdout)
        else:
            run(client, args)
    except Open311Failure as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
