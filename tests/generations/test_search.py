import pytest

from generations import search


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    cache = tmp_path_factory.mktemp("vectors")
    original = search.cache_dir
    search.cache_dir = lambda: cache
    search._index = None
    yield cache
    search.cache_dir = original
    search._index = None


def test_serum_droplets_query_finds_serum_droplets_first(index):
    matches = search.search_catalogue("serum droplets falling on a skincare bottle", top_n=5)
    assert matches[0].name == "Serum Droplets"
    assert matches[0].kind == "animation_prompt"
    assert matches[0].score > matches[1].score


def test_vibe_query_returns_matching_styles_with_their_animation_prompt(index):
    matches = search.search_catalogue("warm honey drip on amber, minimal, slow", top_n=5)
    names = [m.name for m in matches]
    assert "Honey Drip" in names[:2]
    styles = search.search_catalogue("slow amber pour", kinds=("style",), top_n=3)
    assert styles[0].name == "Slow Amber Pour"
    assert styles[0].animation_prompt == "Liquid Dripping"
    assert {m.kind for m in styles} == {"style"}


def test_catalogue_vectors_are_cached_on_disk_once(index):
    search.search_catalogue("bubbles", top_n=1)
    files = list(index.glob("catalogue-*.npz"))
    assert len(files) == 1
    search._index = None
    docs, vectors = search.catalogue_index()
    assert vectors.shape == (len(docs), 384)


def test_empty_query_returns_nothing():
    assert search.search_catalogue("   ") == []


def test_search_module_does_not_import_torch_at_import_time():
    import subprocess
    import sys

    code = "import sys, generations.search; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=search.__file__.rsplit("/generations/", 1)[0])
    assert out.stdout.strip() == "False"
