"""OctoAI's Python client sequence against an Earshot server, with httpx as OctoAI's SDK used it.

`Client` below follows `octoai.client.Client` (octoai-sdk): the same requests, headers, status checks and
errors for `health_check`, `infer`, `infer_async`, `is_future_ready` and `get_future_result`. The script runs
the sequence a user of that SDK wrote for OctoAI's Whisper template, then prints what it got as one JSON object
for the test that runs it. Any step that deviates from what the SDK accepts raises, and the exit status is 1.

Usage: python3 octoai_client.py BASE_URL TOKEN AUDIO_FILE RETENTION_SECONDS
"""

import base64
import json
import sys
import time
from typing import Any, Callable, Dict, Mapping, Optional

import httpx


class OctoAIClientError(Exception):
    pass


class OctoAIServerError(Exception):
    pass


class InferenceFuture:
    """The SDK's pydantic model: exactly these two fields are required."""

    def __init__(self, response_id: str, poll_url: str) -> None:
        self.response_id = response_id
        self.poll_url = poll_url


class Client:
    def __init__(self, token: str, timeout: float = 900.0) -> None:
        headers = {"Content-Type": "application/json", "user-agent": "octoai-0.4.0"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._httpx_client = httpx.Client(timeout=httpx.Timeout(timeout=timeout), headers=headers)

    @staticmethod
    def _error(resp: httpx.Response) -> None:
        text = resp.text
        if resp.headers.get("X-User-Request-ID") is not None:
            text += f'(request_id: {resp.headers.get("X-User-Request-ID")})'
        if resp.status_code >= 500:
            raise OctoAIServerError(f"Server error: {resp.status_code} {text}")
        if resp.status_code == 429:
            raise OctoAIClientError(f"Rate limit reached error: {resp.status_code} {text}")
        raise OctoAIClientError(f"Error: {resp.status_code} {text}")

    def infer(self, endpoint_url: str, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        resp = self._httpx_client.post(
            url=endpoint_url, headers={"Content-Type": "application/json"}, content=json.dumps(inputs)
        )
        if resp.status_code != 200:
            self._error(resp)
        return resp.json()

    def infer_async(self, endpoint_url: str, inputs: Mapping[str, Any]) -> InferenceFuture:
        resp = self._httpx_client.post(url=endpoint_url, json=inputs, headers={"X-OctoAI-Async": "1"})
        if resp.status_code >= 400:
            self._error(resp)
        return InferenceFuture(**resp.json())

    def _poll_future(self, future: InferenceFuture) -> Dict[str, str]:
        response = self._httpx_client.get(url=future.poll_url)
        if response.status_code >= 400:
            self._error(response)
        return response.json()

    def is_future_ready(self, future: InferenceFuture) -> bool:
        return "completed" == self._poll_future(future).get("status")

    def get_future_result(self, future: InferenceFuture) -> Optional[Dict[str, Any]]:
        resp_dict = self._poll_future(future)
        if resp_dict.get("status") != "completed":
            return None
        response = self._httpx_client.get(resp_dict.get("response_url"))
        if response.status_code >= 400:
            self._error(response)
        return response.json()

    def health_check(self, endpoint_url: str, timeout: float = 900.0) -> int:
        resp = self._health_check(lambda: self._httpx_client.get(url=endpoint_url), timeout=timeout)
        if resp.status_code >= 400:
            self._error(resp)
        return resp.status_code

    def _health_check(
        self, fn: Callable[[], httpx.Response], timeout: float, interval: float = 1.0
    ) -> httpx.Response:
        start = time.time()
        resp = fn()
        if timeout <= 0 or resp.status_code < 500:
            return resp
        time.sleep(interval)
        return self._health_check(fn, timeout - (time.time() - start), interval)


def error_of(call: Callable[[], Any]) -> str:
    try:
        call()
    except (OctoAIClientError, OctoAIServerError) as err:
        return str(err)
    raise AssertionError("expected the call to fail")


def main() -> None:
    base_url, token, audio_path, retention = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    whisper_url = f"{base_url}/predict"
    with open(audio_path, "rb") as f:
        audio = base64.b64encode(f.read()).decode("utf-8")
    inputs = {"language": "en", "task": "transcribe", "audio": audio}
    client = Client(token)

    health = client.health_check(f"{base_url}/healthcheck")
    outputs = client.infer(endpoint_url=whisper_url, inputs=inputs)

    future = client.infer_async(whisper_url, inputs)
    statuses = []
    while not client.is_future_ready(future):
        status = client._poll_future(future)["status"]
        if status not in statuses:
            statuses.append(status)
        time.sleep(0.2)
    result = client.get_future_result(future)

    # Results are kept for the retention period; then the future answers 404 saying it expired.
    time.sleep(retention + 2)
    expired = error_of(lambda: client.get_future_result(future))

    print(
        json.dumps(
            {
                "health": health,
                "sync": outputs,
                "future": {"response_id": future.response_id, "poll_url": future.poll_url},
                "statuses": statuses,
                "async": result,
                "expired": expired,
                "translate_error": error_of(lambda: client.infer(whisper_url, {**inputs, "task": "translate"})),
                "bad_audio_error": error_of(lambda: client.infer(whisper_url, {**inputs, "audio": "aGVsbG8="})),
                "unauthorised_error": error_of(lambda: Client("wrong-token").infer(whisper_url, inputs)),
            }
        )
    )


if __name__ == "__main__":
    main()
