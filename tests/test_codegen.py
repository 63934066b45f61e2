import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import valid_specs
from support import ROOT

from slstm.codegen import TASKS, function_form_problem, to_keras_code
from slstm.errors import SlstmError, SpecError
from slstm.model import build_model
from slstm.problems import first_error, validate
from slstm.shapes import InputShape, infer_shapes, total_params
from slstm.spec import ArchitectureSpec, DenseSpec, LayerSpec, lstm_stack

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

# name -> (spec, data shape); each is also run as a real script in a subprocess.
CASES = {
    "tutorial_lstm_as_output": (
        ArchitectureSpec(layers=(LayerSpec("lstm", 1),), head="none"),
        InputShape(timesteps=3, features=1),
    ),
    "two_lstm_and_dense": (
        ArchitectureSpec(layers=lstm_stack(8, 4).with_layer(0, dropout=0.2).layers, dense=(DenseSpec(3),)),
        InputShape(timesteps=10, features=2),
    ),
    "bidirectional_gru_sum_per_timestep": (
        ArchitectureSpec(
            layers=(LayerSpec("gru", 6, return_sequences=True, bidirectional=True, merge_mode="sum"),),
            dense=(DenseSpec(4, "tanh"),),
        ),
        InputShape(timesteps=8, features=3, outputs=2, sequence_target=True),
    ),
    "classification_3_classes": (
        lstm_stack(6, 4),
        InputShape(timesteps=5, features=2, outputs=3, task="classification"),
    ),
}


def keras_rows(model):
    import keras

    return [
        (layer.name, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def run_generated(spec, shape, **options):
    """Execute the fit=False script in a fresh namespace; returns its globals (model, x, y)."""
    ns = {"__name__": "generated"}
    exec(compile(to_keras_code(spec, shape, fit=False, **options), "<generated>", "exec"), ns)
    return ns


def assert_matches_build_model(spec, shape, **options):
    ns = run_generated(spec, shape, **options)
    model, x, y = ns["model"], ns["x"], ns["y"]
    reference = build_model(spec, shape, check=False)
    assert keras_rows(model) == keras_rows(reference)
    assert model.count_params() == reference.count_params() == total_params(infer_shapes(spec, shape))
    assert x.shape == (256, shape.timesteps, shape.features)
    out = model.output_shape[1:]
    if shape.classify:  # integer labels, one per output vector
        assert y.shape == (256, *out[:-1]) and 0 <= y.min() and y.max() < shape.outputs
    else:
        assert y.shape == (256, *out)


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory):
    """Every CASES script run to completion at once (epochs=1): name -> (returncode, stdout + stderr)."""
    folder = tmp_path_factory.mktemp("codegen")
    procs = {}
    for name, (spec, options) in CASES.items():
        path = folder / f"{name}.py"
        path.write_text(to_keras_code(spec, options, epochs=1))
        procs[name] = subprocess.Popen(
            [sys.executable, str(path)],
            cwd=folder,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    results = {}
    try:
        for name, proc in procs.items():
            out, _ = proc.communicate(timeout=120)
            results[name] = (proc.returncode, out)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


@pytest.mark.slow  # trains or starts a process per case
@pytest.mark.parametrize("name", CASES)
def test_generated_script_runs_and_trains(script_runs, name):
    returncode, out = script_runs[name]
    assert returncode == 0, out[-3000:]
    spec, options = CASES[name]
    total = total_params(infer_shapes(spec, options))
    assert f"Total parameters: {total:,}" in out
    assert "val_loss" in out  # model.fit ran with a validation split


@pytest.mark.parametrize("name", CASES)
def test_generated_model_matches_build_model(name):
    spec, options = CASES[name]
    assert_matches_build_model(spec, options)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(valid_specs(), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.sampled_from(TASKS))
def test_generated_model_matches_build_model_for_any_valid_spec(spec, timesteps, features, outputs, task):
    sequence_target = spec.layers[-1].return_sequences
    if spec.head == "none":  # the last layer is the output, so the target has its width
        outputs = infer_shapes(spec, InputShape(timesteps=timesteps, features=features))[-1].output_shape[-1]
    if outputs < 2:
        task = "regression"
    shape = InputShape(timesteps, features, outputs, task, sequence_target)
    assume(first_error(validate(spec, shape)) is None)
    assert_matches_build_model(spec, shape)


def test_writes_only_non_default_arguments_and_shape_comments():
    src = to_keras_code(lstm_stack(64, 32), InputShape(timesteps=48, features=3), epochs=5, learning_rate=0.01)
    assert [line.strip() for line in src.splitlines() if line.startswith("        ")] == [
        "keras.Input(shape=(48, 3)),  # (batch, timesteps, features)",
        'layers.LSTM(64, return_sequences=True, name="lstm_1"),  # -> (batch, 48, 64), 17,408 params',
        'layers.LSTM(32, name="lstm_2"),  # -> (batch, 32), 12,416 params',
        'layers.Dense(1, name="output"),  # -> (batch, 1), 33 params',
    ]
    assert "input_shape=" not in src and "dropout" not in src
    assert "keras.optimizers.Adam(learning_rate=0.01)" in src
    assert "model.fit(x, y, epochs=5, batch_size=32, validation_split=0.2)" in src
    assert "Stacked LSTM Explorer" in src and "(samples, timesteps, features) = (samples, 48, 3)" in src.splitlines()[2]


def test_bidirectional_layer_carries_merge_mode_and_dropout():
    layer = LayerSpec("gru", 32, dropout=0.2, recurrent_dropout=0.1, bidirectional=True, merge_mode="sum")
    src = to_keras_code(ArchitectureSpec(layers=(layer,)), InputShape(timesteps=4, features=2))
    assert "layers.GRU(32, dropout=0.2, recurrent_dropout=0.1)," in src
    assert 'merge_mode="sum",' in src and 'name="bi_gru_1",' in src  # split one argument per line: too long


def test_classification_without_softmax_head_uses_logits():
    spec = ArchitectureSpec(layers=(LayerSpec("lstm", 3),), head="none")
    src = to_keras_code(spec, InputShape(timesteps=4, features=2, outputs=3, task="classification"))
    assert "SparseCategoricalCrossentropy(from_logits=True)" in src and "softmax" not in src


def test_fit_false_leaves_out_training():
    src = to_keras_code(lstm_stack(4), InputShape(timesteps=4, features=1), fit=False)
    assert "model.fit" not in src
    compile(src, "<generated>", "exec")


def test_invalid_spec_raises_the_first_problem():
    bad = lstm_stack(8, 4).with_layer(0, return_sequences=False)
    with pytest.raises(SpecError, match="Set return_sequences=True on layer 1"):
        to_keras_code(bad, InputShape(timesteps=5, features=1))
    with pytest.raises(SpecError, match="many-to-one"):
        to_keras_code(lstm_stack(8, 4).with_layer(1, return_sequences=True), InputShape(timesteps=5, features=1))


@pytest.mark.parametrize(
    "options",
    [
        dict(timesteps=0),
        dict(features=2.5),
        dict(epochs=True),
        dict(learning_rate=0),
        dict(task="clustering"),
        dict(task="classification", outputs=1),
    ],
)
def test_bad_options_are_refused(options):
    fields = {"timesteps", "features", "outputs", "task"}
    shape = InputShape(**{"timesteps": 5, "features": 1, **{k: v for k, v in options.items() if k in fields}})
    with pytest.raises(SlstmError, match="Received"):
        to_keras_code(lstm_stack(4), shape, **{k: v for k, v in options.items() if k not in fields})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_generated_code_is_ruff_clean(tmp_path, lang):
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    for name, (spec, options) in CASES.items():
        (tmp_path / f"{name}.py").write_text(to_keras_code(spec, options, lang=lang), encoding="utf-8")
    wide = ArchitectureSpec(
        layers=(LayerSpec("simple_rnn", 512, True, 0.25, 0.25, True, "ave"),) * 3 + (LayerSpec("lstm", 1),)
    )
    src = to_keras_code(wide, InputShape(timesteps=1000, features=300), lang=lang, target_form="change")
    (tmp_path / "wide.py").write_text(src, encoding="utf-8")
    for name, (spec, options) in FUNCTION_CASES.items():
        src = to_keras_code(spec, options, lang=lang, form="function")
        (tmp_path / f"{name}_function.py").write_text(src, encoding="utf-8")
    wide_alike = ArchitectureSpec(
        layers=(LayerSpec("simple_rnn", 512, True, 0.25, 0.25, True, "ave"),) * 3
        + (LayerSpec("simple_rnn", 1024, False, 0.25, 0.25, True, "ave"),),
        dense=(DenseSpec(1000, "sigmoid"),) * 3,
    )
    src = to_keras_code(wide_alike, InputShape(timesteps=1000, features=300), lang=lang, form="function")
    (tmp_path / "wide_function.py").write_text(src, encoding="utf-8")
    common = ["--isolated", "--line-length", "120"]
    lint = [ruff, "check", *common, "--select", "E,F,W,I,B,UP", str(tmp_path)]
    fmt = [ruff, "format", "--check", *common, str(tmp_path)]
    for cmd in (lint, fmt):
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_import_stays_free_of_tensorflow_and_streamlit():
    code = "import sys, slstm.codegen; print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_change_target_form_is_in_the_exported_code_and_its_helper_works():
    import numpy as np

    from slstm.codegen import CHANGE_LINES
    from slstm.spec import lstm_stack

    src = to_keras_code(lstm_stack(4), InputShape(timesteps=3, features=1), fit=False, target_form="change")
    assert "\n".join(CHANGE_LINES) in src and "the change from the last input value" in src
    scope: dict = {"np": np}
    exec("\n".join(CHANGE_LINES), scope)
    x, y, last = scope["to_changes"](np.array([1.0, 2.0, 4.0, 7.0, 11.0]), 3)
    np.testing.assert_array_equal(x[:, :, 0], [[0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(y[:, 0], [3, 4])
    np.testing.assert_array_equal(last, [4, 7])
    assert "to_changes" not in to_keras_code(lstm_stack(4), InputShape(timesteps=3, features=1), fit=False)


CJK = re.compile(r"[\u4e00-\u9fff]")


def _comments(src: str) -> list[str]:
    return [tok.string for tok in tokenize.generate_tokens(io.StringIO(src).readline) if tok.type == tokenize.COMMENT]


def _code(src: str) -> str:
    """The script's syntax tree with every string blanked: what stays when only the words change."""
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


@pytest.mark.parametrize("name", CASES)
def test_chinese_comments_leave_the_code_as_it_is(name):
    spec, options = CASES[name]
    for form in ("value", "change"):
        en = to_keras_code(spec, options, target_form=form)
        zh = to_keras_code(spec, options, target_form=form, lang="zh")
        assert _code(zh) == _code(en)
        en_code = [
            line.split("  #")[0] for line in en.splitlines() if not line.lstrip().startswith(("#", '"""', "print"))
        ]
        zh_code = [
            line.split("  #")[0] for line in zh.splitlines() if not line.lstrip().startswith(("#", '"""', "print"))
        ]
        assert zh_code == en_code
        comments = [c for c in _comments(zh) if re.search("[A-Za-z]{3}", c)]
        flow = {c for c in comments if c.startswith("#   ")}  # the layers joined by arrows: Keras names
        usage = {c for c in comments if "to_changes(your_series" in c}  # a line of code
        assert [c for c in comments if not CJK.search(c) and c not in flow | usage] == [
            "# (batch, timesteps, features)",
            "# (samples, timesteps, features)",
        ]
        assert not [c for c in _comments(en) if CJK.search(c)]


def test_chinese_script_builds_the_same_model_and_speaks_the_glossary():
    spec, options = CASES["two_lstm_and_dense"]
    assert_matches_build_model(spec, options, lang="zh")
    src = to_keras_code(spec, options, lang="zh")
    assert src.startswith(
        "# 一个堆叠式循环网络，由堆叠式LSTM探索器生成：\n#   LSTM(8) -> LSTM(4) -> Dense(3, relu) -> Dense(1)\n"
    )
    assert 'layers.LSTM(8, return_sequences=True, dropout=0.2, name="lstm_1"),  # -> (batch, 10, 8)，352 个参数' in src
    assert "# 目标：每个窗口 1 个值（回归），形状为 (samples, 1)。" in src and 'print(f"参数总数: ' in src
    spec, options = CASES["classification_3_classes"]
    classes = to_keras_code(spec, options, lang="zh")
    assert "# 目标：每个窗口属于 3 个类别之一，用整数标签表示，形状为 (samples,)。" in classes
    assert "类别标签 0..2" in classes


def test_an_invalid_spec_is_refused_in_the_scripts_language():
    bad = lstm_stack(8, 4).with_layer(0, return_sequences=False)
    with pytest.raises(SpecError, match="在第 1 层设置 return_sequences=True"):
        to_keras_code(bad, InputShape(timesteps=5, features=1), lang="zh")


FUNCTION_CASES = {name: case for name, case in CASES.items() if function_form_problem(case[0]) is None}


def test_the_function_form_covers_stacks_of_one_kind_of_layer():
    assert set(FUNCTION_CASES) == {
        "tutorial_lstm_as_output",
        "bidirectional_gru_sum_per_timestep",
        "classification_3_classes",
    }
    assert "layer 2 differs from layer 1 in dropout" in str(function_form_problem(CASES["two_lstm_and_dense"][0]))
    with pytest.raises(SpecError, match="differs from layer 1 in dropout"):
        to_keras_code(CASES["two_lstm_and_dense"][0], InputShape(timesteps=4, features=1), form="function")


@pytest.mark.parametrize("name", FUNCTION_CASES)
def test_build_model_with_its_defaults_is_the_designed_stack(name):
    spec, options = FUNCTION_CASES[name]
    ns = {"__name__": "generated"}
    exec(compile(to_keras_code(spec, options, fit=False, form="function"), "<generated>", "exec"), ns)
    reference = build_model(spec, options, check=False)
    assert keras_rows(ns["model"]) == keras_rows(reference)


def test_build_model_takes_the_depth_and_the_widths_as_parameters():
    spec = ArchitectureSpec(layers=lstm_stack(32, 16).layers, dense=(DenseSpec(8, "tanh"),))
    ns = {"__name__": "generated"}
    exec(to_keras_code(spec, InputShape(timesteps=12, features=2), fit=False, form="function"), ns)
    deeper = ns["build_model"](4, 8)
    four = ArchitectureSpec(layers=lstm_stack(8, 8, 8, 8).layers, dense=(DenseSpec(8, "tanh"),))
    assert keras_rows(deeper) == keras_rows(build_model(four, InputShape(timesteps=12, features=2)))
    narrowing = ns["build_model"](3, (64, 32, 16), timesteps=5, features=3)
    assert [layer.output.shape[-1] for layer in narrowing.layers] == [64, 32, 16, 8, 1]
    with pytest.raises(ValueError, match="units has 2 widths for 3 layers"):
        ns["build_model"](3, (4, 4))
