"""The data side, from bytes to windows: `read` (read_csv: decode, sniff, type, report), `types` (DataConfig,
Split, Windows, Scaler), `windows` (prepare: splits by target row, scaling, sliding windows), `sequences`
(long format, layout B) and `samples` (built-in datasets). `from slstm.data import DataConfig, prepare` is the
public spelling: the names of slstm.data.windows are re-exported here."""

from slstm.data.windows import *  # noqa: F403
from slstm.data.windows import __all__  # noqa: F401
