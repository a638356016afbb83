"""The shape explorer of chapter 03: its shapes are PyTorch's, and the panel redraws."""

import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import explorer, shapes

CONFIGS = st.fixed_dictionaries(
    {
        "L": st.integers(1, 8),
        "N": st.integers(1, 8),
        "H_in": st.integers(1, 8),
        "H": st.integers(1, 8),
        "num_layers": st.integers(1, 4),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "unbatched": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(cfg=CONFIGS)
def test_shape_rows_agree_with_pytorch_and_with_shapes_describe(cfg):
    rows = explorer.shape_rows(**cfg)
    assert [r.tensor for r in rows] == ["input x", "h0", "output", "h_n"]
    x_shape = rows[0].shape
    rnn = nn.RNN(
        cfg["H_in"],
        cfg["H"],
        num_layers=cfg["num_layers"],
        bidirectional=cfg["bidirectional"],
        batch_first=cfg["batch_first"],
    )
    output, h_n = rnn(torch.zeros(x_shape), torch.zeros(rows[1].shape))
    assert rows[2].shape == tuple(output.shape)
    assert rows[3].shape == tuple(h_n.shape) == rows[1].shape
    table = shapes.describe(rnn, torch.zeros(x_shape))  # the same names as the shapes module
    for row, described in zip(rows, table.rows):
        assert described[2].startswith(row.names)


def test_shape_rows_leave_the_global_random_state_alone():
    torch.manual_seed(5)
    before = torch.get_rng_state()
    explorer.shape_rows(L=7, N=2)
    assert torch.equal(torch.get_rng_state(), before)


def test_shape_text_default_is_the_chapter_example():
    text = explorer.shape_text()
    assert text.splitlines()[0] == (
        "nn.RNN(input_size=2, hidden_size=5, batch_first=True), batch-first input"
    )
    assert "(N, L, H_in)          (3, 4, 2)" in text
    assert "(D*num_layers, N, H)  (1, 3, 5)" in text
    assert "ignored" in explorer.shape_text(unbatched=True)


@pytest.mark.parametrize(
    ("settings_", "error"),
    [
        ({"L": 0}, ValueError),
        ({"H": 9}, ValueError),
        ({"num_layers": 5}, ValueError),
        ({"N": 2.0}, ValueError),
        ({"batch_first": 1}, ValueError),
        ({"hidden": 3}, TypeError),
    ],
)
def test_bad_settings_are_named(settings_, error):
    with pytest.raises(error, match=next(iter(settings_))):
        explorer.shape_rows(**settings_)


def test_panel_redraws_on_every_change_and_has_a_stable_text_form():
    pytest.importorskip("ipywidgets")
    panel = explorer.shape_explorer()
    assert repr(panel) == "ShapeExplorer(): run the notebook to use the sliders"
    assert panel._repr_mimebundle_()["text/plain"] == repr(panel)
    assert set(panel.controls) == set(explorer.DEFAULTS)
    table, figure = panel.table.value, bytes(panel.figure.value)
    assert "<code>(3, 4, 2)</code>" in table
    assert figure.startswith(b"\x89PNG")
    panel.controls["L"].value = 7
    assert "<code>(3, 7, 2)</code>" in panel.table.value
    assert bytes(panel.figure.value) != figure
    panel.controls["batch_first"].value = False
    assert "<code>(7, 3, 2)</code>" in panel.table.value
    panel.controls["unbatched"].value = True
    assert panel.controls["N"].disabled
    assert "<code>(7, 2)</code>" in panel.table.value
    panel.controls["bidirectional"].value = True
    panel.controls["num_layers"].value = 3
    assert "<code>(6, 5)</code>" in panel.table.value  # h_n: (D*num_layers, H)


def test_import_rnnlab_does_not_import_ipywidgets():
    code = (
        "import sys, rnnlab; print('ipywidgets' in sys.modules, 'rnnlab.explorer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
