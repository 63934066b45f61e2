"""Layout B, long format: the rows that share a sequence id form one sample, labelled with the target on
the sequence's last row. Sequences are split whole (stratified by class for classification), scaled with
the training sequences' statistics, then pre-padded with zeros to one length for a Masking layer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from slstm import limits
from slstm.data.types import DataConfig, Scaler, Split, Windows, missing_classes_note, numeric_values
from slstm.defaults import offsets_dominate
from slstm.errors import DataError, Message
from slstm.text import quote

PAD_VALUE = 0.0  # what keras.layers.Masking(mask_value=0.0) skips


@dataclass(frozen=True)
class Sequences:
    """A table's rows grouped by sequence: `order[ends[k] - lengths[k] : ends[k]]` are sequence k's rows."""

    order: np.ndarray  # (rows,) table rows, sequence by sequence, each in step order
    lengths: np.ndarray  # (sequences,)
    ids: np.ndarray  # (sequences,) id values, in order of first appearance

    @property
    def ends(self) -> np.ndarray:
        return np.cumsum(self.lengths)

    @property
    def last_rows(self) -> np.ndarray:
        """The table row of each sequence's last step (where its label is read)."""
        return self.order[self.ends - 1]


def group(frame: pd.DataFrame, id_column: str, time_column: str | None = None) -> Sequences:
    """Rows grouped by `id_column` (sequences in order of first appearance), each sorted by `time_column`
    when given, else kept in file order.

    >>> s = group(pd.DataFrame({"id": ["b", "a", "b"], "t": [2, 0, 1]}), "id", "t")
    >>> s.ids.tolist(), s.order.tolist(), s.lengths.tolist()
    (['b', 'a'], [2, 0, 1], [2, 1])
    """
    ids = frame[id_column]
    if empty := int(ids.isna().sum()):
        raise DataError("dataerr.empty_ids", column=repr(id_column), count=empty)
    codes, uniques = pd.factorize(ids, sort=False)
    order = np.arange(len(frame))
    if time_column is not None:
        steps = frame[time_column]
        if isinstance(steps.dtype, pd.DatetimeTZDtype):
            steps = steps.dt.tz_convert("UTC").dt.tz_localize(None)
        order = np.argsort(steps.to_numpy(), kind="stable")
    order = order[np.argsort(codes[order], kind="stable")]  # by sequence, keeping step order inside each
    return Sequences(order, np.bincount(codes, minlength=len(uniques)), np.asarray(uniques))


def split_sequences(
    n: int, val_fraction: float, test_fraction: float, classes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequence indices for train, validation and test, each ascending. Without classes, in file order
    (the last ones are the test split); with classes, the same within each class, rounding so that every
    class keeps at least one training sequence.

    >>> [s.tolist() for s in split_sequences(10, 0.2, 0.2, np.arange(10) % 2)]
    [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9]]
    """
    groups = [np.arange(n)] if classes is None else [np.flatnonzero(classes == k) for k in np.unique(classes)]
    parts: tuple[list, list, list] = ([], [], [])
    for members in groups:
        m = len(members)
        n_test, n_val = int(round(m * test_fraction)), int(round(m * val_fraction))
        while m - n_test - n_val < 1 and n_test + n_val:  # keep one for training
            n_test, n_val = (n_test - 1, n_val) if n_test >= n_val else (n_test, n_val - 1)
        cut1, cut2 = m - n_val - n_test, m - n_test
        for part, chunk in zip(parts, (members[:cut1], members[cut1:cut2], members[cut2:]), strict=True):
            part.append(chunk)
    return tuple(np.sort(np.concatenate(p)).astype(int) for p in parts)  # type: ignore[return-value]


def pad(steps: np.ndarray, seqs: Sequences, timesteps: int) -> np.ndarray:
    """(sequences, timesteps, features) with each sequence's last `timesteps` rows at the end and zeros
    before them. `steps` holds the table's rows in `seqs.order`."""
    out = np.full((len(seqs.lengths), timesteps, steps.shape[1]), PAD_VALUE, dtype="float32")
    seq, back = _positions(seqs)
    keep = back < timesteps
    out[seq[keep], timesteps - 1 - back[keep]] = steps[keep]
    return out


def check_padding(seqs: Sequences, timesteps: int, features: int, id_column: str, *, test: bool = False) -> None:
    """Refuse, before allocating, a padded array larger than SLSTM_MAX_ARRAY_BYTES, naming the likely cause
    (`test`: the sequences of the separate test file)."""
    shape = (len(seqs.lengths), timesteps, features)
    try:
        limits.check_array(shape, 4, "Padding", "")
    except limits.BudgetError:
        many = len(seqs.lengths) > 1000 and float(np.median(seqs.lengths)) <= 2
        why = Message("dataerr.padding_why", sequences=f"{len(seqs.lengths):,}", column=quote(id_column, 40))
        raise limits.BudgetError(
            "dataerr.padding_budget",
            where=Message("dataerr.padding_test_file") if test else "",
            sequences=f"{len(seqs.lengths):,}",
            longest=f"{int(seqs.lengths.max()):,}",
            timesteps=f"{timesteps:,}",
            features=features,
            dims=" × ".join(f"{int(d):,}" for d in shape),
            size=limits.size_text(4 * shape[0] * shape[1] * shape[2]),
            limit=limits.size_text(limits.MAX_ARRAY_BYTES),
            why=why if many else "",
        ) from None


def _positions(seqs: Sequences) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of `seqs.order`: its sequence, and how many steps before that sequence's end it is."""
    seq = np.repeat(np.arange(len(seqs.lengths)), seqs.lengths)
    back = seqs.ends[seq] - 1 - np.arange(len(seq))
    return seq, back


def prepare_sequences(
    frame: pd.DataFrame,
    c: DataConfig,
    *,
    task: str,
    classes: tuple[str, ...],
    codes: list[np.ndarray] | None,
    test: pd.DataFrame | None = None,
) -> Windows:
    """Layout B of `slstm.data.prepare` (call that): one sample per sequence, pre-padded, masked."""
    seqs = group(frame, c.sequence_id, c.time_column)
    test_seqs = None if test is None else group(test, c.sequence_id, c.time_column)
    longest = int(max(seqs.lengths.max(initial=0), 0 if test_seqs is None else test_seqs.lengths.max(initial=0)))
    timesteps = min(longest, c.max_timesteps or limits.MAX_TIMESTEPS)  # a bounded default (SLSTM_MAX_TIMESTEPS)
    if timesteps == 0:
        raise DataError("dataerr.no_sequences")
    check_padding(seqs, timesteps, len(c.features), c.sequence_id)
    if test_seqs is not None:
        check_padding(test_seqs, timesteps, len(c.features), c.sequence_id, test=True)
    if codes is None:
        labels = numeric_values(frame, c.targets, "target")[seqs.last_rows]  # (sequences, targets)
    else:
        labels = codes[0][seqs.last_rows]  # (sequences,)
    test_fraction = 0.0 if test is not None else c.test_fraction
    parts = split_sequences(len(seqs.ids), c.val_fraction, test_fraction, labels if codes is not None else None)
    if len(parts[0]) == 0:
        raise DataError("dataerr.too_few_sequences", count=len(seqs.ids))

    steps = numeric_values(frame, c.features, "feature")[seqs.order]  # (rows, features) in sequence order
    seq, back = _positions(seqs)
    fitted = (back < timesteps) & np.isin(seq, parts[0])  # the training sequences' steps the model sees
    c = _resolve_scaling(c, steps[fitted], seq[fitted], parts[0], labels if codes is not None else None)
    if c.scaling == "per_sequence":
        feature_scaler = Scaler.identity(steps.shape[1])
        normalise_each(steps, seq, back < timesteps)
    else:
        feature_scaler = Scaler.fit(steps[fitted], c.scaling)
        feature_scaler.transform_(steps)
    x = pad(steps, seqs, timesteps)
    if codes is None:
        target_scaler = Scaler.fit(labels[parts[0]], c.scaling)
        labels = target_scaler.transform_(labels)
    else:
        target_scaler = Scaler.identity(1)
    kept = np.minimum(seqs.lengths, timesteps)
    train, val, test_split = (Split(x[p], labels[p], (0, 0), 1, seqs.ids[p], kept[p]) for p in parts)

    notes = _notes(steps[back < timesteps], seqs.lengths, timesteps)
    for name, part, fraction in (("validation", parts[1], c.val_fraction), ("test", parts[2], test_fraction)):
        if fraction and not len(part):
            split_name, rounded = Message(f"dataerr.split.{name}"), f"{fraction:g}"
            notes.append(
                Message("dataerr.note.no_sequences_split", name=split_name, count=len(seqs.ids), fraction=rounded)
            )
    if test_seqs is not None:
        test_steps = feature_scaler.transform_(numeric_values(test, c.features, "feature")[test_seqs.order])
        if c.scaling == "per_sequence":
            test_seq, test_back = _positions(test_seqs)
            normalise_each(test_steps, test_seq, test_back < timesteps)
        if codes is None:
            test_y = target_scaler.transform_(numeric_values(test, c.targets, "target")[test_seqs.last_rows])
        else:
            test_y = codes[1][test_seqs.last_rows]
        test_kept = np.minimum(test_seqs.lengths, timesteps)
        test_split = Split(pad(test_steps, test_seqs, timesteps), test_y, (0, 0), 1, test_seqs.ids, test_kept)
        ignored = (
            Message("dataerr.note.test_fraction_unused", fraction=f"{c.test_fraction:g}") if c.test_fraction else ""
        )
        notes.append(Message("dataerr.note.separate_test_sequences", count=len(test_seqs.ids), ignored=ignored))
    if task == "classification":
        notes += missing_classes_note(classes, train.y)
    masked = bool(any((s.lengths < timesteps).any() for s in (train, val, test_split)))
    return Windows(c, train, val, test_split, feature_scaler, target_scaler, tuple(notes), task, classes, masked)


def _resolve_scaling(c: DataConfig, steps: np.ndarray, seq: np.ndarray, train: np.ndarray, labels) -> DataConfig:
    """scaling="auto": per-sequence where the training sequences differ mostly in offset and scale."""
    if c.scaling != "auto":
        return c
    index = np.full(int(seq.max(initial=0)) + 1, -1)
    index[train[train < len(index)]] = np.arange(int((train < len(index)).sum()))
    train_labels = None if labels is None else np.asarray(labels)[train]
    per_sequence = offsets_dominate(steps, index[seq], train_labels)
    return dataclasses.replace(c, scaling="per_sequence" if per_sequence else "standard")


def normalise_each(steps: np.ndarray, seq: np.ndarray, keep: np.ndarray) -> None:
    """Z-normalise, in place, each sequence's steps per feature with its own mean and standard deviation
    (over the steps the model sees, `keep`); a constant feature of a sequence is only shifted."""
    n = int(seq.max(initial=-1)) + 1
    counts = np.maximum(np.bincount(seq[keep], minlength=n), 1).astype("float64")
    for j in range(steps.shape[1]):
        values = steps[keep, j].astype("float64")
        mean = np.bincount(seq[keep], weights=values, minlength=n) / counts
        var = np.bincount(seq[keep], weights=values**2, minlength=n) / counts - mean**2
        std = np.sqrt(np.maximum(var, 0))
        std = np.where(std > 1e-8 * np.maximum(np.abs(mean), 1.0), std, 1.0)
        steps[:, j] = ((steps[:, j] - mean[seq]) / std[seq]).astype(steps.dtype)


def _notes(real_steps: np.ndarray, lengths: np.ndarray, timesteps: int) -> list[str]:
    notes = []
    if cut := int((lengths > timesteps).sum()):
        notes.append(Message("dataerr.note.sequences_cut", count=cut, timesteps=timesteps))
    if zeros := int(np.count_nonzero(~real_steps.any(axis=1))):
        notes.append(Message("dataerr.note.zero_steps", count=zeros))
    return notes
