"""The course's data: noisy corners of a square walked clockwise or counter-clockwise, and windows
cut from a time series.

``dc_motor`` simulates the time series of the forum's question: a motor's speed following the
voltage applied to it.

``python_reference`` reads real text that ships with rnnlab: 39,799 characters of the Python
Language Reference as plain text (eight sections, from "Execution model" to part of "The import
statement"), ``rnnlab/python_reference.txt``, made from CPython 3.11.7's
``Lib/pydoc_data/topics.py`` by ``benchmarks/make_text_corpus.py``. PSF License Agreement: the
copyright notice, the licence and the changes made are in ``rnnlab/python_reference.NOTICE.txt``.
Nothing is downloaded at run time.

The square-direction dataset is the one of the course's source notebook (Deep Learning with
PyTorch Step-by-Step's synthetic "directions" data): with the same seed it gives the same numbers,
because it makes the same draws, in the same order, from NumPy's legacy Mersenne-Twister
generator. It uses a private ``RandomState``, so NumPy's global generator is left untouched.

Shapes: L sequence length, N batch, H_in (here 2) features per step.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "CORNERS",
    "CORNER_NAMES",
    "dc_motor",
    "generate_sequences",
    "square_walks",
    "remember_first",
    "python_reference",
    "split_text",
    "to_tensors",
    "windows",
]

#: The square's corners in clockwise order: A(-1,-1), B(-1,1), C(1,1), D(1,-1).
CORNERS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
CORNER_NAMES = ("A", "B", "C", "D")


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return int(value)


def _check_real(name: str, value, positive: bool = True, low: float | None = None) -> float:
    """A real number given as a Python or NumPy number (never a bool), finite, > 0 or >= 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(
            f"{name} must be a number such as 0.05, got {type(value).__name__} {value!r}"
        )
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got the complex {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not positive and value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} = {value:g} is absurdly small; use at least {low:g}")
    return value


#: The most sequences or samples a generator makes: a million is far beyond any chapter's needs
#: and still fits in memory; a typo such as 10**12 gets a clear error instead of a frozen kernel.
MAX_SIZE = 10**6


def generate_sequences(n: int = 128, variable_len: bool = False, seed: int = 13):
    """Make ``n`` noisy walks around the square, each clockwise (label 1) or not (label 0).

    Sequence i starts at a random corner b and visits the corners from there: clockwise
    (b, b+1, b+2, b+3) for label 1, or that same list reversed for label 0 (so a counter-clockwise
    walk starts at the corner before b). It keeps the first L corners (L = 4, or 2..4 when
    ``variable_len``) and adds Gaussian noise with standard deviation 0.1.

    Draw order (it fixes the numbers): n corner indices, then n lengths (only when
    ``variable_len``), then n directions, then the noise of each sequence in turn.

    Shapes:
        points: a list of n float64 arrays of shape (L, 2), L = 4 unless ``variable_len``.
        directions: int64 array of shape (n,), 1 = clockwise, 0 = counter-clockwise.

    Raises:
        TypeError / ValueError: n not a whole number >= 1, seed not in 0..2**32-1.

    Used in: 03_batch_first, 04_stacked, 05_bidirectional (and the applied chapters).
    """
    n = _check_int("n", n, 1, MAX_SIZE)
    seed = _check_int("seed", seed, 0, 2**32 - 1)
    if not isinstance(variable_len, bool):
        raise TypeError(f"variable_len must be True or False, got {variable_len!r}")

    rng = np.random.RandomState(seed)  # the legacy generator that np.random.seed() drives
    starts = rng.randint(4, size=n)
    lengths = rng.randint(3, size=n) + 2 if variable_len else np.full(n, 4)
    directions = rng.randint(2, size=n).astype(np.int64)

    points = []
    for start, direction, length in zip(starts, directions, lengths):
        walk = CORNERS[(start + np.arange(4)) % 4]  # (4, 2), clockwise from the start corner
        if direction == 0:
            walk = walk[::-1]  # counter-clockwise: the same corners, in reverse order
        noise = rng.randn(length, 2) * 0.1  # (L, 2)
        points.append(walk[:length] + noise)  # (L, 2)
    return points, directions


def to_tensors(points, directions=None):
    """Stack equal-length sequences into a batch-first float32 tensor, and labels into int64.

    Shapes:
        points: a sequence of N arrays (L, H_in), or an array (N, L, H_in).
        returns: x (N, L, H_in) float32 and, when ``directions`` is given, y (N,) int64.

    Raises:
        ValueError: the sequences have different lengths (pad them instead: chapter 9), are empty,
            or there is not one label per sequence.

    Used in: 03_batch_first, 04_stacked, 05_bidirectional.
    """
    if isinstance(points, torch.Tensor):
        if points.device.type == "meta":
            raise ValueError(
                "to_tensors got a tensor on the meta device, which holds no values; make the "
                "data on the CPU"
            )
        if points.is_complex():
            raise TypeError(f"to_tensors expects real numbers, got a tensor of {points.dtype}")
        if points.dtype in (torch.bfloat16, torch.float16):
            points = points.float()  # NumPy has no bfloat16
        array = points.detach().cpu().numpy()
    elif isinstance(points, np.ndarray):
        array = points
    else:
        if isinstance(points, (str, bytes)) or not hasattr(points, "__len__") or not points:
            raise ValueError(
                "to_tensors expects a non-empty list of (L, H_in) arrays, got "
                f"{type(points).__name__}"
            )
        try:
            arrays = [
                p.detach().cpu().numpy()
                if isinstance(p, torch.Tensor)
                else np.asarray(p, dtype=np.float64)
                for p in points
            ]
        except (TypeError, ValueError) as err:
            raise TypeError(
                "to_tensors expects sequences of numbers, (L, H_in) each; "
                f"could not read {type(points[0]).__name__} as numbers"
            ) from err
        if len({a.shape for a in arrays}) != 1:
            lengths = [a.shape[0] if a.ndim else 0 for a in arrays]  # one per sequence
            listed = f" ({lengths})" if len(lengths) <= 10 else ""
            raise ValueError(
                "to_tensors stacks sequences of equal length into one (N, L, H_in) tensor, but "
                f"these {len(lengths)} have lengths between {min(lengths)} and {max(lengths)}"
                f"{listed}. Pad them to one length (nn.utils.rnn.pad_sequence) and pack them "
                "instead."
            )
        array = np.stack(arrays)  # (N, L, H_in)
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(
            f"to_tensors expects N sequences of shape (L, H_in), i.e. (N, L, H_in) in all; "
            f"got shape {tuple(array.shape)}"
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"to_tensors expects real numbers, got an array of {array.dtype}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"to_tensors expects numbers, got an array of {array.dtype}")
    x = torch.as_tensor(array, dtype=torch.float32)  # (N, L, H_in)
    if directions is None:
        return x
    if isinstance(directions, torch.Tensor):
        directions = directions.detach().cpu().numpy()
    labels = np.asarray(directions)
    if labels.shape != (x.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"expected one whole-number label per sequence, shape ({x.shape[0]},); got "
            f"{labels.dtype} of shape {tuple(labels.shape)}"
        )
    return x, torch.as_tensor(labels, dtype=torch.int64)  # (N, L, H_in), (N,)


def windows(series: torch.Tensor, size: int, step: int | None = None) -> torch.Tensor:
    """Cut a time series into windows, batch-first: the RNN input of a sliding-window model.

    ``step=None`` (or ``step == size``) gives non-overlapping windows, what
    ``series.view(-1, size, H_in)`` gives (a tail shorter than ``size`` is dropped). A smaller
    step gives overlapping windows, what ``series.unfold(0, size, step)`` gives, with the
    transpose that ``unfold`` needs: it puts the window dimension last, (N, H_in, L).

    Shapes:
        series: (T,) one feature, or (T, H_in).
        returns: (N, L, H_in) with L = ``size`` and N = (T - size) // step + 1.

    Raises:
        TypeError: series is not a tensor. ValueError: size or step not in 1..T, series not 1-D
        or 2-D.

    Used in: 03_batch_first, 08_time_series_windows.
    """
    if not isinstance(series, torch.Tensor):
        raise TypeError(
            f"windows expects a torch.Tensor of shape (T,) or (T, H_in), "
            f"got {type(series).__name__}"
        )
    if series.dim() not in (1, 2):
        raise ValueError(
            f"windows expects a series of shape (T,) or (T, H_in), "
            f"got {series.dim()}-D shape {tuple(series.shape)}"
        )
    if series.is_complex():
        raise TypeError(f"windows expects a real-valued series, got {series.dtype}")
    T = series.shape[0]
    size = _check_int("size", size, 1, max(T, 1))
    step = size if step is None else _check_int("step", step, 1, max(T, 1))
    if T == 0:
        raise ValueError("windows expects a non-empty series")
    if series.dim() == 1:
        series = series.unsqueeze(-1)  # (T,) -> (T, 1)
    cut = series.unfold(0, size, step)  # (T, H_in) -> (N, H_in, L)
    return cut.transpose(1, 2)  # (N, H_in, L) -> (N, L, H_in)


def dc_motor(
    T: int = 600,
    dt: float = 0.05,
    tau: float = 0.5,
    gain: float = 2.0,
    noise: float = 0.01,
    seed: int = 0,
):
    """Simulate a DC motor: the voltage applied and the speed it reaches, sampled every ``dt``.

    The voltage holds a random level in [-1, 1] for 0.5 to 2 s at a time. The speed follows
    first-order dynamics, tau * dspeed/dt = gain * voltage - speed, stepped with Euler's
    method, plus Gaussian measurement noise of standard deviation ``noise``. After a step of
    the voltage, the speed covers 1 - (1 - dt/tau)**(tau/dt) of the way to gain * voltage within
    ``tau`` seconds: 1 - 0.9**10, about 65%, at the defaults; 1 - 1/e, about 63%, as dt shrinks.

    Shapes:
        returns voltage (T,) and speed (T,), float32 tensors: one long series each.

    Raises:
        TypeError / ValueError: T not a whole number in 2..MAX_SIZE; dt, tau or gain not a
        positive finite number (NumPy numbers are fine, booleans are not), dt below 1e-6;
        noise negative, NaN or inf; dt >= tau (Euler would oscillate).

    Used in: 08_time_series_windows.
    """
    T = _check_int("T", T, 2, MAX_SIZE)
    seed = _check_int("seed", seed, 0, 2**32 - 1)
    dt = _check_real("dt", dt, low=1e-6)
    tau = _check_real("tau", tau)
    gain = _check_real("gain", gain)
    noise = _check_real("noise", noise, positive=False)
    if dt >= tau:
        raise ValueError(f"dt = {dt} must be smaller than tau = {tau} for a stable simulation")
    rng = np.random.RandomState(seed)
    voltage = np.empty(T)
    t = 0
    while t < T:
        hold = rng.randint(int(0.5 / dt), int(2.0 / dt) + 1)
        voltage[t : t + hold] = rng.uniform(-1.0, 1.0)
        t += hold
    speed = np.zeros(T)
    for t in range(1, T):
        speed[t] = speed[t - 1] + dt / tau * (gain * voltage[t - 1] - speed[t - 1])
    speed += rng.randn(T) * noise
    return (
        torch.as_tensor(voltage, dtype=torch.float32),
        torch.as_tensor(speed, dtype=torch.float32),
    )


# --- 07_classify_directions: walks the training data never shows ----------------------------


def square_walks(
    n: int,
    L: int = 4,
    angle: float = 0.0,
    starts=(0, 1, 2, 3),
    noise: float = 0.1,
    seed: int = 0,
):
    """Make ``n`` noisy walks of ``L`` corners around the square, rotated by ``angle`` degrees.

    Like ``generate_sequences`` (label 1 clockwise, 0 counter-clockwise, corners ``CORNERS``),
    but with what that data never varies: any length L (L > 4 goes round again), a rotation of
    the whole square about its centre (counter-clockwise by ``angle`` degrees), and a chosen
    set of starting corners (0..3 = A..D, the corner of the first point). It uses a private
    ``RandomState``: the global generators are left alone.

    Shapes:
        returns x (N, L, 2) float32 and y (N,) int64, N = ``n``.

    Raises:
        TypeError / ValueError: n or L not a whole number >= 1 (L >= 2), starts empty or not
        in 0..3, noise negative, seed not in 0..2**32-1.

    Used in: 07_classify_directions.
    """
    n = _check_int("n", n, 1)
    L = _check_int("L", L, 2)
    seed = _check_int("seed", seed, 0, 2**32 - 1)
    if not isinstance(angle, (int, float)) or isinstance(angle, bool):
        raise TypeError(f"angle must be a number of degrees, got {angle!r}")
    starts = [_check_int("a starting corner", s, 0, 3) for s in starts]
    if not starts:
        raise ValueError("starts must name at least one corner, e.g. (0, 1) for A and B")
    if not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    rng = np.random.RandomState(seed)
    first = np.asarray(starts)[rng.randint(len(starts), size=n)]  # (N,) corner indices
    directions = rng.randint(2, size=n).astype(np.int64)  # (N,)
    step = np.where(directions == 1, 1, -1)  # clockwise: +1 corner per step
    corners = (first[:, None] + step[:, None] * np.arange(L)) % 4  # (N, L) corner indices
    turn = np.deg2rad(angle)
    rotation = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    points = CORNERS[corners] @ rotation + rng.randn(n, L, 2) * noise  # (N, L, 2)
    return torch.as_tensor(points, dtype=torch.float32), torch.as_tensor(directions)


# --- Chapter 10 (GRU and LSTM): a memory task -----------------------------------------------


def remember_first(T: int, n: int, generator: torch.Generator | None = None):
    """Sequences whose label is the sign of their first value, followed by ``T`` distractors.

    Each step has two features: a value of +1 or -1 (random at every step, drawn alike at every
    step) and a marker that is 1 at the first step and 0 after it. The label is 1 when the first
    value is +1, else 0. A model reads the whole sequence and must still know, after ``T`` more
    steps that push its state around, which value came with the marker. Guessing gives 50%.

    Shapes:
        returns x (N, L, H_in) = (n, T + 1, 2) float32, batch-first, and y (N,) int64.

    Raises:
        TypeError / ValueError: T not a whole number >= 0, n not >= 1, generator not a
        ``torch.Generator``.

    Used in: 10_gru_lstm.
    """
    T = _check_int("T", T, 0)
    n = _check_int("n", n, 1)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator (torch.Generator().manual_seed(0)) or None, "
            f"got {type(generator).__name__}"
        )
    signs = torch.randint(0, 2, (n, T + 1), generator=generator)  # (N, L): 0 or 1
    x = torch.zeros(n, T + 1, 2)  # (N, L, H_in)
    x[:, :, 0] = signs * 2.0 - 1.0  # the values, +1 or -1
    x[:, 0, 1] = 1.0  # the marker: "remember this one"
    return x, signs[:, 0].to(torch.int64)  # (N, L, 2), (N,)


# --- Chapter 11 (a character-level language model): real text -------------------------------

#: The text file inside the package (see the module docstring for its source and licence).
PYTHON_REFERENCE_FILE = "python_reference.txt"
#: Its length in characters: a check that the installed file is the one the chapter was made with.
PYTHON_REFERENCE_CHARS = 39_799


def python_reference(n_chars: int | None = None) -> str:
    """Real text for a character-level language model: part of the Python Language Reference.

    The first ``n_chars`` characters (all 39,799 when ``None``) of the excerpt of CPython's
    ``pydoc_data.topics`` that ships inside rnnlab (source and licence: the module docstring).
    The text is plain ASCII with Unix line ends; it is read from the package, never downloaded,
    and does not depend on the Python that runs it.

    Shapes:
        returns a ``str`` of ``n_chars`` characters: T characters before they become indices (T,).

    Raises:
        TypeError / ValueError: n_chars not a whole number in 1..39,799.
        FileNotFoundError: the text file is missing from the installed package (reinstall it).

    Used in: 11_text_language_model.
    """
    if n_chars is not None:
        n_chars = _check_int("n_chars", n_chars, 1, PYTHON_REFERENCE_CHARS)
    from importlib import resources

    source = resources.files("rnnlab").joinpath(PYTHON_REFERENCE_FILE)
    try:
        with source.open("r", encoding="ascii", newline="") as file:
            text = file.read()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"rnnlab's text file {PYTHON_REFERENCE_FILE} is missing from the installed package: "
            "reinstall rnnlab"
        ) from None
    if len(text) != PYTHON_REFERENCE_CHARS:
        raise ValueError(
            f"{PYTHON_REFERENCE_FILE} has {len(text)} characters, not {PYTHON_REFERENCE_CHARS}: "
            "the file was changed; reinstall rnnlab"
        )
    return text if n_chars is None else text[:n_chars]


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Cut a text in two at one point: the first part to train on, the last ``val_fraction``
    held out. Never shuffled: a language model reads the text in order, and a held-out part
    taken from the end shares no sentence with the training part.

    Shapes:
        text: a ``str`` of T characters; returns two ``str`` of T - T_val and T_val characters,
        T_val = round(T * val_fraction).

    Raises:
        TypeError: text not a ``str``; val_fraction not a real number.
        ValueError: val_fraction not strictly between 0 and 1, or a part would be empty.

    Used in: 11_text_language_model.
    """
    if not isinstance(text, str):
        raise TypeError(f"split_text expects the text as a str, got {type(text).__name__}")
    val_fraction = _check_real("val_fraction", val_fraction)
    if not val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction:g}")
    n_val = round(len(text) * val_fraction)
    if n_val == 0 or n_val == len(text):
        raise ValueError(
            f"a text of {len(text)} characters with val_fraction = {val_fraction:g} leaves an "
            "empty part; use a longer text or another fraction"
        )
    return text[:-n_val], text[-n_val:]
