"""The training loop of the applied chapters, once chapter 7 has written it out by hand.

``fit`` runs epochs of mini-batch gradient descent with a progress bar (tqdm) and records the
training loss and the validation loss and accuracy of each epoch in a ``History``;
``evaluate`` computes the last two. The progress bar refreshes once per epoch and shows no
timings, so a notebook's stored output is the same on every run.

Shapes: a classifier maps x (N, L, H_in) to logits (N, C); a regressor maps to (N, ...) targets.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

__all__ = ["History", "evaluate", "fit", "linear_probe"]


@dataclass
class History:
    """What ``fit`` records, one value per epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __repr__(self) -> str:
        if not self.train_loss:
            return "History(no epochs yet)"
        last = f"train loss {self.train_loss[-1]:.4f}, val loss {self.val_loss[-1]:.4f}"
        if self.val_accuracy:
            last += f", val accuracy {self.val_accuracy[-1]:.3f}"
        return f"History({len(self.train_loss)} epochs; last: {last})"


def _check(model, loader, name: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(loader, DataLoader):
        raise TypeError(
            f"{name} must be a torch.utils.data.DataLoader yielding (x, y) batches, "
            f"got {type(loader).__name__}"
        )


def _batch(batch, name: str):
    """(x, y) from one batch of a loader; a clear error for any other structure."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        got = f"{len(batch)} items" if isinstance(batch, (tuple, list)) else type(batch).__name__
        raise ValueError(
            f"{name} must yield (x, y) pairs, but a batch has {got}; wrap the dataset so each "
            "item is (input, target), e.g. TensorDataset(x, y)"
        )
    x, y = batch
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(
            f"{name} must yield tensors (x, y), got ({type(x).__name__}, {type(y).__name__})"
        )
    return x, y


def _loss(model: nn.Module, loss_fn, x, y, classify: bool):
    """The model's prediction and loss on one batch; a clear error if the two do not fit."""
    if classify and (y.is_floating_point() or y.is_complex()):
        raise ValueError(
            f"classify=True trains a classifier, so y must hold class indices (N,) int64; this "
            f"batch's y is {y.dtype} of shape {tuple(y.shape)}. For a regression, pass "
            "classify=False (the loss becomes the mean squared error)"
        )
    try:
        prediction = model(x)
        loss = loss_fn(prediction, y)
    except (RuntimeError, TypeError, ValueError, IndexError) as err:
        target = "class indices (N,)" if classify else "targets shaped like the prediction"
        raise ValueError(
            f"the model and the data do not fit: a batch x of shape {tuple(x.shape)} with y of "
            f"shape {tuple(y.shape)} ({target}) failed with {type(err).__name__}: {err}"
        ) from err
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(
            f"loss_fn must return one number per batch, got {shape}; use a loss with "
            "reduction='mean' (the default), not reduction='none'"
        )
    return prediction, loss


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: nn.Module, classify: bool = True):
    """Mean loss over a loader and, for a classifier (``classify``), the accuracy of argmax.

    Shapes: batches (x, y) with model(x) of shape (N, C) and y (N,) class indices when
    ``classify``; otherwise any shapes loss_fn accepts.

    Raises:
        TypeError: model is not an nn.Module or loader not a DataLoader.

    Used in: 07_classify_directions, 08_time_series_windows.
    """
    _check(model, loader, "loader")
    was_training = model.training
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for batch in loader:
            x, y = _batch(batch, "loader")
            prediction, loss = _loss(model, loss_fn, x, y, classify)
            total += loss.item() * len(x)
            if classify:
                correct += (prediction.argmax(dim=1) == y).sum().item()
            count += len(x)
    model.train(was_training)
    if count == 0:
        raise ValueError("the loader yielded no batches")
    return total / count, (correct / count if classify else None)


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader,
    epochs: int,
    lr: float = 0.01,
    loss_fn: nn.Module | None = None,
    classify: bool = True,
    progress: bool = True,
) -> History:
    """Train ``model`` with Adam for ``epochs`` epochs; return the per-epoch ``History``.

    Each epoch: for every batch, zero the gradients, compute the loss, backpropagate, step;
    then evaluate on ``val_loader``. This is the loop chapter 7 writes out by hand, and with
    the same seed it gives the same weights.

    Shapes: as ``evaluate``; the loss defaults to cross-entropy for a classifier and to the
    mean squared error otherwise.

    Raises:
        TypeError: model or loaders of the wrong type, batches that are not (x, y) tensors.
        ValueError: epochs < 1 or lr <= 0; float targets with ``classify=True`` (a regression:
        pass ``classify=False``); an empty loader; a model with nothing to train; a loss that
        is not one number per batch (``reduction='none'``).

    Used in: 07_classify_directions, 08_time_series_windows.
    """
    _check(model, train_loader, "train_loader")
    _check(model, val_loader, "val_loader")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 10:
        raise ValueError(f"lr must be a positive number up to 10 (0.01 is typical), got {lr!r}")
    if not isinstance(classify, bool):
        raise TypeError(f"classify must be True or False, got {classify!r}")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        why = "has no parameters" if not list(model.parameters()) else "has every parameter frozen"
        raise ValueError(
            f"the model {why}, so there is nothing to train; unfreeze some with "
            "p.requires_grad_(True), or give a model with layers"
        )
    if loss_fn is None:
        loss_fn = nn.CrossEntropyLoss() if classify else nn.MSELoss()
    optimizer = torch.optim.Adam(trainable, lr=lr)
    history = History()
    # One refresh per epoch (miniters=1, mininterval=0) and no timings in the bar: repeatable.
    bar = tqdm(
        total=epochs,
        file=sys.stdout,
        ncols=90,
        mininterval=0,
        miniters=1,
        disable=not progress,
        bar_format="epoch {n_fmt}/{total_fmt} |{bar}|{postfix}",
    )
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for batch in train_loader:
            x, y = _batch(batch, "train_loader")
            optimizer.zero_grad()
            _, loss = _loss(model, loss_fn, x, y, classify)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            count += len(x)
        if count == 0:
            raise ValueError(
                "train_loader yielded no batches: its dataset is empty (or drop_last=True "
                "dropped the only, short batch)"
            )
        val_loss, val_accuracy = evaluate(model, val_loader, loss_fn, classify)
        history.train_loss.append(total / count)
        history.val_loss.append(val_loss)
        postfix = f"loss {total / count:.4f}, val loss {val_loss:.4f}"
        if classify:
            history.val_accuracy.append(val_accuracy)
            postfix += f", val acc {val_accuracy:.3f}"
        bar.set_postfix_str(postfix, refresh=False)
        bar.update(1)
    bar.close()
    model.eval()
    return history


# --- 07_classify_directions: is a set of points linearly separable? -------------------------


def linear_probe(features, labels, steps: int = 100, held_out=None) -> float:
    """Fit a linear classifier (logistic regression) to labelled points; return its accuracy
    on those same points, or on ``held_out = (features, labels)`` when given.

    A result of 1.0 proves that a straight line (a hyperplane) separates the classes; below
    1.0 the fitted line misclassifies that fraction. The fit is full-batch L-BFGS in float64
    from zero weights: no randomness, the same answer on every run. The accuracy on the fitted
    points is optimistic on average (the line was chosen for them), not a bound: pass
    ``held_out`` to score fresh points.

    Shapes: features (N, F) (more dimensions are flattened to F), labels (N,) class indices.

    Raises:
        TypeError: features or labels are not numbers. ValueError: shapes do not match, or
        steps < 1.

    Used in: 07_classify_directions.
    """
    try:
        x = torch.as_tensor(features, dtype=torch.float64)
        y = torch.as_tensor(labels)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            "linear_probe expects features (N, F) and labels (N,) as tensors or arrays of "
            f"numbers, got {type(features).__name__} and {type(labels).__name__}"
        ) from err
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")
    if y.dim() != 1 or x.dim() < 1 or x.shape[0] != y.shape[0] or y.numel() == 0:
        raise ValueError(
            f"linear_probe expects features (N, F) and labels (N,) with the same N >= 1, got "
            f"shapes {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if y.dtype.is_floating_point or y.dtype == torch.bool or (y < 0).any():
        raise ValueError("labels must be class indices 0, 1, ... (an integer tensor)")
    x = x.detach().reshape(len(y), -1)  # (N, ...) -> (N, F)
    y = y.detach().long()
    weight = torch.zeros(x.shape[1], int(y.max()) + 1, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(weight.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(x @ weight + bias, y)  # (N, F) @ (F, C) -> (N, C)
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    if held_out is not None:
        try:
            x_test = torch.as_tensor(held_out[0], dtype=torch.float64).reshape(-1, x.shape[1])
            y_test = torch.as_tensor(held_out[1]).long().reshape(-1)
        except (TypeError, ValueError, RuntimeError, IndexError) as err:
            raise ValueError(
                f"held_out must be (features (M, {x.shape[1]}), labels (M,)) like the fitted ones"
            ) from err
        if len(x_test) != len(y_test):
            raise ValueError(f"held_out has {len(x_test)} feature rows and {len(y_test)} labels")
        x, y = x_test, y_test
    with torch.no_grad():
        return ((x @ weight + bias).argmax(dim=1) == y).double().mean().item()
