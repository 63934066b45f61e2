"""Command line: `python -m slstm shapes|code|data|train ...`, the same code paths as the app, no browser.
A bad input prints one line to stderr and exits with status 2."""

from __future__ import annotations

import argparse
import json
import sys

from slstm.cli_args import load_spec, positive_int
from slstm.errors import SlstmError
from slstm.problems import validate
from slstm.shapes import InputShape


def cmd_shapes(args: argparse.Namespace) -> int:
    from slstm.shapes import infer_shapes, shape_text, total_params

    spec = load_spec(args.spec)
    shape = InputShape(timesteps=args.timesteps, features=args.features, outputs=args.outputs)
    rows, problems = infer_shapes(spec, shape), validate(spec, shape)
    if args.json:
        out = {
            "input_shape": list(shape.batch_input),
            "layers": [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "output_shape": None if r.output_shape is None else list(r.output_shape),
                    "params": r.params,
                }
                for r in rows
            ],
            "total_params": total_params(rows),
            "problems": [{"severity": p.severity, "message": p.message, "layer": p.layer} for p in problems],
        }
        print(json.dumps(out))
        return 0
    print(f"{'Layer':<24}{'Output shape':<22}{'Params':>10}")
    print(f"{'input':<24}{shape_text(shape.batch_input):<22}{0:>10}")
    for r in rows:
        params = "—" if r.params is None else f"{r.params:,}"
        print(f"{r.name + ' (' + r.label + ')':<24}{shape_text(r.output_shape):<22}{params:>10}")
    total = total_params(rows)
    print(f"Total params: {'—' if total is None else f'{total:,}'}")
    for p in problems:
        print(f"{p.severity}: {p.message}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from slstm.codegen import to_keras_code

    spec = load_spec(args.spec)
    form = "function" if args.function else "layers"
    shape = InputShape(args.timesteps, args.features, args.outputs)
    print(to_keras_code(spec, shape, form=form), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m slstm", description="Stacked LSTM Explorer, headless.")
    sub = p.add_subparsers(dest="command", required=True)
    shapes = sub.add_parser("shapes", help="each layer's output shape and parameters, like model.summary()")
    shapes.add_argument("--spec", required=True, help="architecture JSON, or a path to a JSON file")
    shapes.add_argument("--timesteps", type=positive_int, required=True)
    shapes.add_argument("--features", type=positive_int, required=True)
    shapes.add_argument("--outputs", type=positive_int, default=1, help="values predicted per sample")
    shapes.add_argument("--json", action="store_true", help="print one JSON object")
    shapes.set_defaults(run=cmd_shapes)
    code = sub.add_parser("code", help="a runnable Keras script that builds and trains this architecture")
    code.add_argument("--spec", required=True, help="architecture JSON, or a path to a JSON file")
    code.add_argument("--timesteps", type=positive_int, required=True)
    code.add_argument("--features", type=positive_int, required=True)
    code.add_argument("--outputs", type=positive_int, default=1, help="values predicted per sample")
    code.add_argument("--function", action="store_true", help="write the model as build_model(n_layers, units)")
    code.set_defaults(run=cmd_code)
    from slstm.cli_train import add_commands

    add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SlstmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
