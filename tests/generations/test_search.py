import subprocess
import sys

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from generations import search
from generations.embedding import StaticModel, basic_tokens

ROOT = search.__file__.rsplit("/generations/", 1)[0]


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


def test_shipped_catalogue_vectors_are_used_without_writing_a_cache(index):
    search._index = None
    docs, vectors = search.catalogue_index()
    assert vectors.shape == (len(docs), 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert list(index.iterdir()) == []


def test_an_edited_catalogue_is_embedded_once_and_cached_on_disk(index, monkeypatch):
    edited = search.catalogue_documents()
    edited[0] = {**edited[0], "text": "Serum Droplets. Rewritten by an operator."}
    monkeypatch.setattr(search, "catalogue_documents", lambda: edited)
    monkeypatch.setattr(search, "_index", None)
    _docs, vectors = search.catalogue_index()
    files = list(index.glob("catalogue-*-static-*.npy"))
    assert len(files) == 1
    assert np.array_equal(np.load(files[0]), vectors)
    assert np.allclose(vectors[0], search.embed([edited[0]["text"]])[0])
    monkeypatch.setattr(search, "_index", None)
    search.catalogue_index()
    assert list(index.glob("catalogue-*.npy")) == files
    for leftover in files:
        leftover.unlink()


def test_empty_query_returns_nothing():
    assert search.search_catalogue("   ") == []


def test_tokenizer_is_berts_uncased_tokenizer():
    assert basic_tokens("Crème Brûlée, naïve!  日本") == [
        "creme", "brulee", ",", "naive", "!", "日", "本"]
    model = StaticModel.load()
    assert model.tokenizer.ids("supercalifragilistic serum") == [
        3565, 9289, 10128, 29181, 24411, 4588, 20194]
    assert model.tokenizer.ids("x" * 101) == [100]  # [UNK]: longer than any word BERT splits


def test_text_without_known_tokens_embeds_as_zero_and_matches_nothing_first():
    vectors = StaticModel.load().encode(["", "serum"])
    assert vectors.shape == (2, 256)
    assert not vectors[0].any()
    assert abs(float(np.linalg.norm(vectors[1])) - 1.0) < 1e-5


def test_full_model_without_its_extra_is_a_clear_configuration_error(monkeypatch, settings):
    settings.STUDIO_SEARCH_MODEL = "minilm"
    monkeypatch.setattr(search, "_model", None)
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ImproperlyConfigured, match=r"creative-studio\[search-full\]"):
        search.load_model()
    assert search._model is None


def test_unknown_search_model_setting_fails_at_start_up(tmp_path):
    code = "import django; django.setup()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ROOT, "DEBUG": "1",
                              "DJANGO_SETTINGS_MODULE": "studio.settings",
                              "STUDIO_DATA_DIR": str(tmp_path),
                              "STUDIO_SEARCH_MODEL": "bert"})
    assert out.returncode == 1
    assert "STUDIO_SEARCH_MODEL must be 'static' or 'minilm', not 'bert'." in out.stderr


def test_a_search_in_a_fresh_process_imports_no_torch_or_transformers():
    code = ("import sys; from generations import search; "
            "m = search.search_catalogue('serum droplets', top_n=1)[0]; "
            "print(m.name, [k for k in ('torch', 'transformers', 'sentence_transformers') "
            "if k in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "Serum Droplets []"
