"""Whatever bytes arrive, an import either yields records or raises ImportFileError."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.importers import ImportFileError, iter_records

FIXTURES = sorted((Path(__file__).parent / "fixtures").iterdir())
SAMPLES = [path.read_bytes() for path in FIXTURES]


def consume(data: bytes) -> None:
    try:
        for _ in iter_records(data):
            pass
    except ImportFileError as error:
        assert str(error)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_it_survives_random_bytes(data):
    consume(data)


@st.composite
def mutated_fixture(draw):
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        if action == "cut":
            del data[position:]
        elif action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=20))
        elif data:
            del data[position : position + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixture())
def test_it_survives_truncated_and_mutated_exports(data):
    consume(data)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("TYER -%0@{}<>,;\t\nPMIDFNVRAUabc10./")), max_size=400)
)
def test_it_survives_tag_soup(text):
    consume(text.encode())
