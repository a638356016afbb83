"""rnnlab.train: fit is the hand-written loop, evaluate measures, bad input is refused."""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from rnnlab import data, train


def _loaders(seed=0):
    points, directions = data.generate_sequences(n=96, seed=seed)
    x, y = data.to_tensors(points, directions)
    shuffled = DataLoader(
        TensorDataset(x[:64], y[:64]),
        batch_size=16,
        shuffle=True,
        generator=torch.Generator().manual_seed(1),
    )
    return shuffled, DataLoader(TensorDataset(x[64:], y[64:]), batch_size=32)


class _Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 4, batch_first=True)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.rnn(x)[1][-1])


def test_fit_equals_the_hand_written_loop(capsys):
    train_loader, val_loader = _loaders()
    torch.manual_seed(3)
    by_hand = _Classifier()
    optimizer = torch.optim.Adam(by_hand.parameters(), lr=0.02)
    for _ in range(3):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(by_hand(x), y).backward()
            optimizer.step()
    torch.manual_seed(3)
    model = _Classifier()
    train_loader.generator.manual_seed(1)
    history = train.fit(model, train_loader, val_loader, epochs=3, lr=0.02)
    for name, value in by_hand.state_dict().items():
        torch.testing.assert_close(model.state_dict()[name], value)
    assert len(history.train_loss) == len(history.val_loss) == len(history.val_accuracy) == 3
    assert "epoch 3/3" in capsys.readouterr().out
    assert "3 epochs" in repr(history)
    assert not model.training


def test_classifier_learns_the_directions():
    train_loader, val_loader = _loaders()
    torch.manual_seed(21)
    history = train.fit(_Classifier(), train_loader, val_loader, epochs=15, lr=0.02, progress=False)
    assert history.val_accuracy[-1] >= 0.95
    assert history.train_loss[-1] < history.train_loss[0]


def test_evaluate_regression_and_errors():
    x, y = torch.randn(10, 3, 1), torch.randn(10, 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3, 1))
    loss, accuracy = train.evaluate(model, loader, nn.MSELoss(), classify=False)
    assert accuracy is None
    with torch.no_grad():
        assert loss == pytest.approx(nn.functional.mse_loss(model(x), y).item(), rel=1e-5)
    with pytest.raises(TypeError, match="DataLoader"):
        train.fit(model, [(x, y)], loader, epochs=1)
    with pytest.raises(TypeError, match="nn.Module"):
        train.evaluate(lambda x: x, loader, nn.MSELoss())
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        train.fit(model, loader, loader, epochs=0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        train.fit(model, loader, loader, epochs=1, lr=-1)
    assert repr(train.History()) == "History(no epochs yet)"
