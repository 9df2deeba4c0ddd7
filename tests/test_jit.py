"""``jit``: a recorded step replays the eager step exactly, and refuses what it could not replay.

Every check compares against the eager step run side by side from the same starting weights:
the replay must give the same losses and weights to the last bit (``==`` on floats, not
``allclose``), because it calls the same forward and backward rules on the same arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, jit
from tinygrad_edu.data import simulate_gp
from tinygrad_edu.losses import binary_cross_entropy_with_logits, cross_entropy, root_mean_squared_error
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD, Adam

WIDTHS = [16, 32, 64, 64, 32, 16, 1]  # the Gaussian-process lesson's network


def lesson_data():
    data = simulate_gp()
    return Tensor(data.x_standardized.reshape(-1, 1)), Tensor(data.y.reshape(-1, 1))


def twins(widths=WIDTHS, nin=1, make_optimizer=lambda params: SGD(params, lr=0.005), **options):
    """Two identical models with their optimizers: one to train eagerly, one through jit."""
    pairs = []
    for _ in range(2):
        model = TensorMLP(nin, widths, seed=0, **options)
        pairs.append((model, make_optimizer(model.parameters())))
    return pairs


def step_function(model, optimizer, loss_fn=root_mean_squared_error):
    def step(X, y):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss

    return step


def assert_same_weights(a, b) -> None:
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.dtype == q.dtype and np.array_equal(p.data, q.data)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_lesson_trained_100_epochs_both_ways_is_bit_identical(dtype) -> None:
    """The issue's test: every loss and every weight, eager against replayed, equal as floats."""
    X, y = lesson_data()
    X, y = X.to(dtype), y.to(dtype)
    (eager_model, eager_opt), (jit_model, jit_opt) = twins(dtype=dtype)
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    eager_losses = [eager_step(X, y).item() for _ in range(100)]
    jit_losses = [replayed(X, y).item() for _ in range(100)]
    assert jit_losses == eager_losses
    assert eager_losses[-1] < 0.6 * eager_losses[0]  # it trained
    assert_same_weights(eager_model, jit_model)
    assert len(replayed.recordings) == 1  # recorded once, replayed 99 times


def test_new_shapes_are_recorded_again_and_old_ones_replayed() -> None:
    rng = np.random.default_rng(0)
    batches = [(Tensor(rng.normal(size=(n, 2))), Tensor(rng.normal(size=(n, 1)))) for n in (5, 7, 5, 7, 5)]
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([8, 1], nin=2)
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    for X, y in batches:
        assert replayed(X, y).item() == eager_step(X, y).item()
    assert len(replayed.recordings) == 2
    assert_same_weights(eager_model, jit_model)


def test_a_changed_learning_rate_is_noticed() -> None:
    """The recorded update bakes in nothing: a new lr records again rather than replay the old."""
    X, y = lesson_data()
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([8, 1])
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    for lr in (0.01, 0.01, 0.1, 0.1, 0.01):
        eager_opt.lr = jit_opt.lr = lr
        assert replayed(X, y).item() == eager_step(X, y).item()
    assert_same_weights(eager_model, jit_model)


@pytest.mark.parametrize(
    "make_optimizer", [lambda p: SGD(p, lr=0.01, momentum=0.9), lambda p: Adam(p, lr=0.01)], ids=["momentum", "adam"]
)
def test_optimizers_with_state_are_replayed_as_a_whole_step(make_optimizer) -> None:
    X, y = lesson_data()
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([8, 1], make_optimizer=make_optimizer)
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    assert [replayed(X, y).item() for _ in range(20)] == [eager_step(X, y).item() for _ in range(20)]
    assert_same_weights(eager_model, jit_model)


def test_numbers_that_change_between_calls_are_read_afresh() -> None:
    """Masks, class targets and clip bounds come from the data: the replay recomputes each from
    the new inputs (they are ops, not settings baked into the recording)."""
    rng = np.random.default_rng(3)
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([6, 3], nin=2)

    def loss_fn(logits, targets):
        clipped = logits.clip(-1.0, 1.0)
        confident = (logits.abs() > 0.5).float().double()
        return cross_entropy(clipped, targets) + (logits * confident).max() * 0.1 + logits.logsumexp(1).mean()

    eager_step = step_function(eager_model, eager_opt, loss_fn)
    replayed = jit(step_function(jit_model, jit_opt, loss_fn))
    for _ in range(6):
        X, targets = Tensor(rng.normal(size=(10, 2)) * 3), Tensor(rng.integers(0, 3, size=10), dtype="int64")
        assert replayed(X, targets).item() == eager_step(X, targets).item()
    assert_same_weights(eager_model, jit_model)


def test_a_bad_target_is_still_refused_in_a_replay() -> None:
    (model, optimizer), _ = twins([3], nin=2)
    replayed = jit(step_function(model, optimizer, cross_entropy))
    X = Tensor(np.ones((2, 2)))
    replayed(X, Tensor([0, 2], dtype="int64"))
    with pytest.raises(ValueError, match="target 5 .* classes are 0 .. 2"):
        replayed(X, Tensor([0, 5], dtype="int64"))


@pytest.mark.parametrize(
    "body, refused",
    [
        ("loss.item()", "item"),
        ("float(loss)", "item"),
        ("bool(loss > 0)", "item"),
        ("X.data", "t.data"),
        ("loss.tolist()", "tolist"),
        ("Tensor(X)", "Tensor\\(t\\)"),
        ("X.mul_(2)", "mul_"),
    ],
)
def test_what_a_replay_could_not_see_is_refused_while_recording(body: str, refused: str) -> None:
    """Python reading numbers (to decide something) or changing them outside the ops."""
    (model, optimizer), _ = twins([3, 1], nin=2)

    def step(X, y):
        loss = binary_cross_entropy_with_logits(model(X), y)
        eval(body, {"Tensor": Tensor}, {"loss": loss, "X": X})
        return loss

    with pytest.raises(RuntimeError, match=f"jit: .*{refused}.*being recorded"):
        jit(step)(Tensor(np.ones((4, 2))), Tensor(np.ones((4, 1))))


def test_a_step_returns_tensors() -> None:
    (model, optimizer), _ = twins([1], nin=2)

    def step(X):
        return model(X).sum().item

    with pytest.raises(TypeError, match="returns Tensors"):
        jit(step)(Tensor(np.ones((2, 2))))


def test_backward_into_a_graph_built_before_the_step_is_refused() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    outside = w * 3  # computed before the step

    def step(x):
        loss = (outside * x).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="before the step began"):
        jit(step)(Tensor([1.0, 1.0]))


def test_the_replay_is_readable_code() -> None:
    """``source`` is the recorded step as Python: one line per op, backward rules, updates."""
    X, y = lesson_data()
    (model, optimizer), _ = twins([4, 1])
    replayed = jit(step_function(model, optimizer))
    replayed(X, y)
    lines = replayed.source.splitlines()
    assert lines[0] == "def replay(a0, a1):"
    assert sum("# linear" in line for line in lines) == 2 * 2  # forward and backward of 2 layers
    assert sum(".grad = None" in line for line in lines) == 4  # zero_grad of 4 parameters


def test_replayed_gradients_never_share_memory() -> None:
    """``+`` passes its gradient on unchanged to both sides; eager gives each leaf a copy of its
    own (so scaling one in place cannot change the other), and so must the replay."""
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)

    @jit
    def step(x):
        loss = ((a + b) * x).sum()
        loss.backward()
        return loss

    for _ in range(3):
        a.zero_grad(), b.zero_grad()
        step(Tensor([1.0, 2.0, 3.0]))
        assert not np.shares_memory(a.grad, b.grad)
        np.testing.assert_array_equal(a.grad, [1.0, 2.0, 3.0])


def test_a_recorded_step_may_call_another() -> None:
    """The inner step runs eagerly inside the outer recording, so the outer replay redoes it."""
    w = Tensor([0.5, -1.0], requires_grad=True)
    inner = jit(lambda x: (w * x).tanh())
    outer = jit(lambda x: inner(x).sum() * 2)
    inner(Tensor([1.0, 1.0]))  # inner has its own recording already
    for x in ([1.0, 2.0], [3.0, -1.0], [0.0, 0.5]):
        assert outer(Tensor(x)).item() == ((w * Tensor(x)).tanh().sum() * 2).item()


def test_fit_with_jit_gives_the_same_history_and_weights() -> None:
    from tinygrad_edu.train import fit

    X, y = lesson_data()
    (eager_model, _), (jit_model, _) = twins([16, 16, 1])
    eager = fit(eager_model, X, y, epochs=60, lr=0.01, loss_fn=root_mean_squared_error, progress=False)
    replayed = fit(jit_model, X, y, epochs=60, lr=0.01, loss_fn=root_mean_squared_error, progress=False, jit=True)
    assert replayed == eager
    assert_same_weights(eager_model, jit_model)


def test_the_same_tensor_passed_twice_is_recorded_as_such() -> None:
    """``step(X, X)`` (an autoencoder's call) records X once; ``step(X, Y)`` must not replay it."""
    w = Tensor([1.0, -2.0], requires_grad=True)
    step = jit(lambda a, b: (a * w * 2 + b * 0).sum())
    X, Y = Tensor([1.0, 1.0]), Tensor([3.0, 3.0])
    for a, b in [(X, X), (X, Y), (Y, Y), (X, Y)]:
        assert step(a, b).item() == (a * w * 2 + b * 0).sum().item()


def test_a_seed_given_to_backward_is_read_afresh() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)

    @jit
    def step(x, seed):
        out = w * x
        out.backward(seed)
        return out

    for k in (1.0, 2.0, 3.0):
        w.zero_grad()
        step(Tensor([1.0, 1.0]), Tensor([k, k]))
        np.testing.assert_array_equal(w.grad, [k, k])


def test_a_parameter_switched_off_records_again() -> None:
    """requires_grad_(False) on a parameter changes what backward reaches: no stale replay."""
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([4, 1])
    X, y = lesson_data()
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    for k in range(4):
        if k == 2:
            for model in (eager_model, jit_model):
                model.layers[0].bias.requires_grad_(False)
        assert replayed(X, y).item() == eager_step(X, y).item()
    assert_same_weights(eager_model, jit_model)


def test_a_learning_rate_given_as_a_numpy_number_replays_bit_for_bit() -> None:
    X, y = lesson_data()
    (eager_model, eager_opt), (jit_model, jit_opt) = twins([8, 1], dtype=np.float32)
    eager_opt.lr = jit_opt.lr = np.float64(0.0123)  # a learner's schedule may well set one
    eager_step, replayed = step_function(eager_model, eager_opt), jit(step_function(jit_model, jit_opt))
    X, y = X.float(), y.float()
    assert [replayed(X, y).item() for _ in range(30)] == [eager_step(X, y).item() for _ in range(30)]
    assert_same_weights(eager_model, jit_model)
